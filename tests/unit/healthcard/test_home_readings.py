"""Her own measurements at home ("målt selv"): she records blood pressure and weight, her
midwife and GP see them, a partner with fullmakt only when she shows them, a stranger
nothing; implausible values are refused with every problem at once and nothing written;
the 140/90 threshold asks her to call the same day; every change is versioned and logged,
deletion too; and they go into the card's charts apart from the consultations."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.access.actors import AccessDenied
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import reference
from digihelse.healthcard import validation as v
from digihelse.healthcard.card import get_card
from digihelse.healthcard.errors import CardNotFound, ItemNotFound, StaleEdit, ValidationFailed
from digihelse.healthcard.history import history
from digihelse.healthcard.home_readings import (
    add_home_reading,
    delete_home_reading,
    edit_home_reading,
    home_readings,
    needs_contact_today,
)
from digihelse.healthcard.models import (
    DEFAULT_HIDDEN_SECTIONS,
    CardVersion,
    HomeReading,
    PregnancyRecord,
    Section,
)
from digihelse.healthcard.notes import set_hidden_from_proxy
from digihelse.healthcard.validation import HomeReadingDraft, validate_home_reading
from digihelse.people.models import Fullmakt
from digihelse.people.nin import synthetic_nin
from digihelse.ui.presenters.home_readings import refusal_text
from tests.factories import citizen, staff

NOW = dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC)
MEASURED = (utcnow() - dt.timedelta(minutes=5)).replace(microsecond=0)  # one moment, today


def reading(**changes) -> HomeReadingDraft:
    base = HomeReadingDraft(measured_at=MEASURED, bp_systolic=145,
                            bp_diastolic=95, pulse=78, weight_kg=71.2)
    return HomeReadingDraft(**{**base.__dict__, **changes})


@pytest.fixture
def nora(seeded):
    return seeded["nora"]


def _rows(engine, model, **match):
    with db.session(engine) as s:
        return list(s.exec(select(model).filter_by(**match)).all())


def _show_to_partner(engine, seeded, nora):
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=nora.id, receiver_id=seeded["jon"].id, scope="pregnancy",
                       valid_from=today_oslo()))


# --- The rules (pure) -----------------------------------------------------------------------

def test_a_plausible_reading_passes_and_implausible_ones_say_which_field():
    assert validate_home_reading(reading(measured_at=NOW), now=NOW) == {}
    assert validate_home_reading(reading(measured_at=NOW, pulse=None, weight_kg=None),
                                 now=NOW) == {}
    assert validate_home_reading(HomeReadingDraft(NOW, weight_kg=70), now=NOW) == {}
    bad = HomeReadingDraft(NOW + dt.timedelta(hours=1), bp_systolic=300, bp_diastolic=20,
                           pulse=400, weight_kg=5)
    assert validate_home_reading(bad, now=NOW) == {
        "measured_at": "card.error.home_in_future",
        "bp_systolic": "card.error.bp_systolic_range",
        "bp_diastolic": "card.error.bp_diastolic_range",
        "pulse": "card.error.pulse_range", "weight_kg": "card.error.weight_range"}


def test_the_pair_the_order_the_pulse_and_an_empty_reading():
    def check(**changes):
        return validate_home_reading(reading(**{"measured_at": NOW, **changes}), now=NOW)

    assert check(bp_diastolic=None) == {"bp_diastolic": "card.error.bp_pair"}
    assert check(bp_systolic=90, bp_diastolic=95) == {"bp_diastolic": "card.error.bp_order"}
    assert check(bp_systolic=None, bp_diastolic=None) == {"pulse": "card.error.pulse_alone"}
    assert validate_home_reading(HomeReadingDraft(NOW), now=NOW) == {
        v.NO_READING: "card.error.home_empty"}
    assert validate_home_reading(HomeReadingDraft(None, weight_kg=70), now=NOW) == {
        "measured_at": "card.error.home_when_missing"}
    old = NOW - v.HOME_MAX_AGO - dt.timedelta(days=1)
    assert check(measured_at=old) == {"measured_at": "card.error.home_too_old"}
    # A phone whose clock runs a few minutes ahead is not refused.
    assert check(measured_at=NOW + dt.timedelta(minutes=5)) == {}


@pytest.mark.parametrize("systolic,diastolic", [(70, 30), (250, 150)])
def test_the_limits_are_the_consultations_and_inclusive(systolic, diastolic):
    assert validate_home_reading(reading(measured_at=NOW, bp_systolic=systolic,
                                         bp_diastolic=diastolic), now=NOW) == {}
    assert (v.SYSTOLIC, v.DIASTOLIC) == ((70, 250), (30, 150))


@pytest.mark.parametrize("systolic,diastolic,call", [
    (139, 89, False), (140, 89, True), (139, 90, True), (140, 90, True), (145, 95, True),
    (120, 80, False), (None, None, False)])
def test_the_threshold_at_its_boundaries(systolic, diastolic, call):
    assert needs_contact_today(reading(bp_systolic=systolic, bp_diastolic=diastolic)) is call


@given(systolic=st.integers(v.SYSTOLIC[0], v.SYSTOLIC[1]),
       diastolic=st.integers(v.DIASTOLIC[0], v.DIASTOLIC[1]))
def test_the_threshold_is_140_or_90_and_the_chart_flags_the_same(systolic, diastolic):
    call = needs_contact_today(reading(bp_systolic=systolic, bp_diastolic=diastolic))
    assert call == (systolic >= 140 or diastolic >= 90)
    # The charts flag a consultation by the same rule.
    flagged = reference.bp_series([reference.Measurement(dt.date(2026, 1, 1), 200, None,
                                                         systolic, diastolic)])
    assert (flagged.systolic[0].flag == "high") == call


@given(systolic=st.integers(v.SYSTOLIC[0], 139), diastolic=st.integers(v.DIASTOLIC[0], 89))
def test_below_both_limits_never_asks_her_to_call(systolic, diastolic):
    assert not needs_contact_today(reading(bp_systolic=systolic, bp_diastolic=diastolic))


def test_a_new_card_hides_her_readings_from_a_partner_until_she_shows_them():
    assert Section.HOME_READINGS.value in DEFAULT_HIDDEN_SECTIONS


# --- Recording, correcting, deleting -------------------------------------------------------

def test_she_records_a_reading_versioned_and_logged(engine, seeded, nora):
    saved = add_home_reading(engine, citizen(nora), nora.nin, reading())
    assert saved.high and saved.bp_systolic == 145 and saved.pulse == 78
    assert saved.ga_text is not None  # her week on the day she measured
    [row] = _rows(engine, HomeReading)
    assert row.measured_at.tzinfo is not None
    [version] = _rows(engine, CardVersion, entity="home_reading")
    assert (version.action, version.author_role, version.snapshot["bp_systolic"]) == (
        "create", "citizen", 145)
    assert _rows(engine, AccessLog, object_type="home_reading", action="create")


def test_she_corrects_and_deletes_her_reading_and_the_history_keeps_both(engine, nora):
    me = citizen(nora)
    saved = add_home_reading(engine, me, nora.nin, reading())
    edited = edit_home_reading(engine, me, nora.nin, saved.id,
                               reading(bp_systolic=128, bp_diastolic=82),
                               expected_version=1)
    assert (edited.version, edited.high) == (2, False)
    # The same again writes no new version; a form read at an old version is refused.
    edit_home_reading(engine, me, nora.nin, saved.id, reading(bp_systolic=128,
                                                              bp_diastolic=82))
    with pytest.raises(StaleEdit):
        edit_home_reading(engine, me, nora.nin, saved.id, reading(), expected_version=1)
    delete_home_reading(engine, me, nora.nin, saved.id)
    assert _rows(engine, HomeReading) == []
    versions = _rows(engine, CardVersion, entity="home_reading")
    assert [(x.version, x.action) for x in versions] == [(1, "create"), (2, "update"),
                                                        (3, "delete")]
    assert [x.action for x in history(engine, me, nora.nin)
            if x.entity == "home_reading"] == ["delete", "update", "create"]
    with pytest.raises(ItemNotFound):
        delete_home_reading(engine, me, nora.nin, saved.id)
    # The next reading gets a new id, never the deleted one's (its versions stay).
    again = add_home_reading(engine, me, nora.nin, reading())
    assert again.id != saved.id


def test_an_implausible_reading_writes_nothing(engine, nora):
    with pytest.raises(ValidationFailed) as refused:
        add_home_reading(engine, citizen(nora), nora.nin,
                         reading(bp_systolic=400, weight_kg=3))
    assert set(refused.value.errors) == {"bp_systolic", "weight_kg"}
    assert _rows(engine, HomeReading) == [] and _rows(engine, CardVersion,
                                                      entity="home_reading") == []


# --- Who sees them ------------------------------------------------------------------------

def test_her_midwife_and_gp_see_them_marked_and_cannot_write_them(engine, seeded, nora):
    add_home_reading(engine, citizen(nora), nora.nin, reading())
    for carer in ("lise", "ole"):
        actor = staff(engine, seeded[carer])
        seen = home_readings(engine, actor, nora.nin)
        assert [r.bp_systolic for r in seen.readings] == [145] and not seen.may_edit
        card = get_card(engine, actor, nora.nin)
        assert [r.bp_diastolic for r in card.home_readings] == [95]
        # In the charts apart from the consultations.
        assert [p.value for p in card.charts.bp.home_systolic] == [145]
        assert [p.value for p in card.charts.weight.home] == [71.2]
        assert all(p.value != 145 for p in card.charts.bp.systolic)
        with pytest.raises(AccessDenied):
            add_home_reading(engine, actor, nora.nin, reading())
    reads = _rows(engine, AccessLog, object_type="home_reading", action="read")
    assert {r.actor_pid for r in reads} == {seeded["lise"].nin, seeded["ole"].nin}


def test_a_stranger_and_a_school_nurse_are_refused_and_learn_nothing(engine, seeded, nora):
    saved = add_home_reading(engine, citizen(nora), nora.nin, reading())
    nobody = synthetic_nin(dt.date(1990, 5, 17), seed=3)
    for actor in (citizen(seeded["per"]), staff(engine, seeded["kari"])):
        with pytest.raises(AccessDenied) as refused:
            home_readings(engine, actor, nora.nin)
        # The one refusal (the page's "not found"): worded as for a woman who does not
        # exist, so it tells nothing about Nora.
        with pytest.raises(AccessDenied) as unknown:
            home_readings(engine, actor, nobody)
        assert refusal_text(refused.value, "nb") == refusal_text(unknown.value, "nb") == \
            refusal_text(CardNotFound(), "nb")
        with pytest.raises(AccessDenied):
            edit_home_reading(engine, actor, nora.nin, saved.id, reading(bp_systolic=120))
        with pytest.raises(AccessDenied):
            delete_home_reading(engine, actor, nora.nin, saved.id)
    assert [r.version for r in _rows(engine, HomeReading)] == [1]
    denied = _rows(engine, AccessLog, subject_pid=nora.nin, outcome="denied")
    assert len(denied) == 6
    assert "bp_systolic" not in str(refused.value) and "145" not in str(refused.value)


def test_a_partner_sees_them_only_when_she_shows_them(engine, seeded, nora):
    jon = citizen(seeded["jon"], nora)
    _show_to_partner(engine, seeded, nora)
    first = add_home_reading(engine, citizen(nora), nora.nin, reading())
    assert home_readings(engine, jon, nora.nin).readings == ()
    assert get_card(engine, jon, nora.nin).home_readings == ()
    assert get_card(engine, jon, nora.nin).charts.bp.home_systolic == []
    assert not [x for x in history(engine, jon, nora.nin) if x.entity == "home_reading"]
    set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section",
                          Section.HOME_READINGS.value, hidden=False)
    seen = home_readings(engine, jon, nora.nin)
    assert [r.id for r in seen.readings] == [first.id] and not seen.may_edit
    # One she hides on its own stays hidden, in the list, the charts and the history.
    second = add_home_reading(engine, citizen(nora), nora.nin, reading(bp_systolic=150))
    set_hidden_from_proxy(engine, citizen(nora), nora.nin, "home_reading", second.id)
    assert [r.id for r in home_readings(engine, jon, nora.nin).readings] == [first.id]
    assert [p.value for p in get_card(engine, jon, nora.nin).charts.bp.home_systolic] == [145]
    assert {x.entity_id for x in history(engine, jon, nora.nin)
            if x.entity == "home_reading"} == {first.id}
    with pytest.raises(AccessDenied):
        add_home_reading(engine, jon, nora.nin, reading())


def test_a_card_open_before_the_migration_starts_with_them_hidden(engine, nora):
    with db.session(engine) as s:
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == nora.id)
                        ).first()
    assert Section.HOME_READINGS.value in record.hidden_sections
