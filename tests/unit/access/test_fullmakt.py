"""Del med partner: the woman gives, lists and takes back a fullmakt to view her card;
the rules on age, kode 6/7, numbers and dates; the access log and the neutral message."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.access import enforcement
from digihelse.access import fullmakt as fm
from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.healthcard.models import Section
from digihelse.notify.models import Outbox
from digihelse.people.kinds import AddressProtection
from digihelse.people.models import Fullmakt, Person
from digihelse.people.nin import birthday_in, synthetic_nin
from tests.factories import citizen, staff, visit

TODAY = today_oslo()




def add_person(engine, given: str, birth: dt.date, protection=AddressProtection.NONE
               ) -> Person:
    with db.write_session(engine) as s:
        person = Person(nin=synthetic_nin(birth, seed=len(given) * 7 + birth.day),
                        given_name=given, family_name="Test", birth_date=birth,
                        address_protection=protection)
        s.add(person)
        s.flush()
        return person


def rows(engine, model, **match) -> list:
    with db.session(engine) as s:
        return list(s.exec(select(model).filter_by(**match)).all())


def typo(nin: str) -> str:
    """The same number with one digit changed: the control digits no longer match."""
    last = (int(nin[-1]) + 1) % 10
    return nin[:-1] + str(last)


@pytest.fixture
def nora(seeded):
    return seeded["nora"]


@pytest.fixture
def jon(seeded):
    return seeded["jon"]


def test_nora_gives_jon_a_view_and_he_sees_her_card(engine, nora, jon):
    result = fm.give(engine, citizen(nora), jon.nin)
    assert result.receiver_name == "Jon Lie" and not result.updated
    assert (result.valid_from, result.valid_to) == (TODAY, None)
    [row] = rows(engine, Fullmakt, giver_id=nora.id)
    assert row.receiver_id == jon.id and row.scope == "pregnancy" and row.revoked_at is None
    with db.session(engine) as s:
        decision = enforcement.decide(s, citizen(jon), nora.nin, Service.PREGNANCY)
    assert Action.VIEW_CARD in decision.allowed and decision.relation == "fullmakt"
    assert not decision.allowed & {Action.WRITE_OWN_NOTES, Action.EDIT_CARD, Action.BOOK,
                                   Action.CANCEL}  # a view, nothing more
    view = card.get_card(engine, citizen(jon, nora), nora.nin)
    assert view.relation == "fullmakt" and not view.can_write_notes and not view.can_edit
    over = fm.overview(engine, citizen(nora))
    assert [(v.other_name, v.status) for v in over.given] == [("Jon Lie", "active")]
    assert over.cannot_give is None
    assert [v.other_name for v in fm.overview(engine, citizen(jon)).received] == ["Nora Lie"]


def test_looking_up_the_receiver_gives_nothing_and_logs_only_the_read(engine, nora, jon,
                                                                       seeded):
    """Step one of two: she sees whom the number names before anything is given."""
    until = TODAY + dt.timedelta(days=30)
    with db.session(engine) as s:
        log_before = len(s.exec(select(AccessLog)).all())
    found = fm.look_up(engine, citizen(nora), jon.nin, valid_to=until)
    assert (found.name, found.birth_year) == ("Jon Lie", jon.birth_date.year)
    assert (found.valid_from, found.valid_to, found.updated) == (TODAY, until, False)
    assert rows(engine, Fullmakt) == [] and rows(engine, Outbox, kind="fullmakt_given") == []
    with db.session(engine) as s:
        new = s.exec(select(AccessLog).order_by(AccessLog.id)).all()[log_before:]
    assert {(r.subject_pid, r.action, r.object_type) for r in new} == {
        (nora.nin, "read", "fullmakt_receiver"), (jon.nin, "read", "fullmakt_receiver")}
    # The same neutral refusals as give(): nothing about a confidential address.
    for number, refusal in ((seeded["siri"].nin, fm.ProtectedReceiver),
                            (synthetic_nin(dt.date(1990, 5, 17), seed=3), fm.UnknownReceiver)):
        with pytest.raises(refusal) as refused:
            fm.look_up(engine, citizen(nora), number)
        assert refused.value.message_key == "sharing.error.not_possible"
    # Only her confirming gives it.
    fm.give(engine, citizen(nora), jon.nin, valid_to=until)
    assert fm.look_up(engine, citizen(nora), jon.nin).updated


def test_a_typo_in_the_number_is_caught(engine, nora, jon):
    with pytest.raises(fm.NinTypo) as refused:
        fm.give(engine, citizen(nora), typo(jon.nin))
    assert refused.value.message_key == "sharing.error.nin_typo"
    with pytest.raises(fm.NinLength):
        fm.give(engine, citizen(nora), jon.nin[:10])
    with pytest.raises(fm.NinLength):
        fm.give(engine, citizen(nora), "abc")
    # Spaces, as people type them from a card, are fine.
    spaced = f"{jon.nin[:6]} {jon.nin[6:]}"
    assert fm.give(engine, citizen(nora), spaced).receiver_name == "Jon Lie"


def test_an_unknown_person_is_refused(engine, nora):
    stranger = synthetic_nin(dt.date(1990, 5, 17), seed=3)
    with pytest.raises(fm.UnknownReceiver):
        fm.give(engine, citizen(nora), stranger)
    assert rows(engine, Fullmakt) == []


def test_receiver_must_be_18_on_the_start_date(engine, nora):
    birth = dt.date(TODAY.year - 18, 6, 15)
    young = add_person(engine, "Ung", birth)
    on_the_day = birthday_in(birth, TODAY.year)
    with pytest.raises(fm.ReceiverTooYoung):
        fm.give(engine, citizen(nora), young.nin, on=on_the_day - dt.timedelta(days=1))
    assert fm.give(engine, citizen(nora), young.nin, on=on_the_day).valid_from == on_the_day


def test_giver_must_be_16(engine, seeded, jon):
    emil = seeded["emil"]  # 15
    with pytest.raises(fm.GiverTooYoung):
        fm.give(engine, citizen(emil), jon.nin)
    assert fm.overview(engine, citizen(emil)).cannot_give == "sharing.error.giver_too_young"


def test_a_protected_receiver_gets_a_neutral_refusal(engine, nora, seeded):
    with pytest.raises(fm.ProtectedReceiver) as refused:
        fm.give(engine, citizen(nora), seeded["siri"].nin)  # kode 6
    # The same words as for a number nobody has: the form reveals no protected address.
    with pytest.raises(fm.UnknownReceiver) as unknown:
        fm.give(engine, citizen(nora), synthetic_nin(dt.date(1990, 5, 17), seed=3))
    assert refused.value.message_key == unknown.value.message_key == "sharing.error.not_possible"
    kode7 = add_person(engine, "Skjult", dt.date(1985, 3, 3), AddressProtection.KODE7)
    with pytest.raises(fm.ProtectedReceiver):
        fm.give(engine, citizen(nora), kode7.nin)
    assert rows(engine, Fullmakt) == []


def test_a_protected_giver_cannot_give(engine, seeded, jon):
    with pytest.raises(fm.GiverProtected):
        fm.give(engine, citizen(seeded["siri"]), jon.nin)


def test_not_to_herself(engine, nora):
    with pytest.raises(fm.SelfReceiver):
        fm.give(engine, citizen(nora), nora.nin)


def test_end_date_rules(engine, nora, jon):
    with pytest.raises(fm.EndInPast):
        fm.give(engine, citizen(nora), jon.nin, valid_to=TODAY - dt.timedelta(days=1))
    later = TODAY + dt.timedelta(days=10)
    with pytest.raises(fm.EndBeforeStart):
        fm.give(engine, citizen(nora), jon.nin, valid_from=later,
                valid_to=later - dt.timedelta(days=1))
    with pytest.raises(fm.StartInPast):
        fm.give(engine, citizen(nora), jon.nin, valid_from=TODAY - dt.timedelta(days=1))
    assert fm.give(engine, citizen(nora), jon.nin, valid_to=TODAY).valid_to == TODAY


def test_giving_again_updates_the_end_date(engine, nora, jon):
    first = fm.give(engine, citizen(nora), jon.nin)
    end = TODAY + dt.timedelta(days=60)
    again = fm.give(engine, citizen(nora), jon.nin, valid_to=end)
    assert again.updated and again.fullmakt_id == first.fullmakt_id and again.valid_to == end
    [row] = rows(engine, Fullmakt, giver_id=nora.id)
    assert row.valid_to == end
    assert len(rows(engine, Outbox, kind="fullmakt_given")) == 1  # told once, not twice


def test_revoke_takes_effect_at_once(engine, nora, jon):
    given_ = fm.give(engine, citizen(nora), jon.nin)
    card.get_card(engine, citizen(jon, nora), nora.nin)  # works before
    fm.revoke(engine, citizen(nora), given_.fullmakt_id)
    with pytest.raises(AccessDenied) as refused:
        card.get_card(engine, citizen(jon, nora), nora.nin)
    assert refused.value.code == "fullmakt_revoked"
    with db.session(engine) as s:
        choices = enforcement.representable_subjects(s, citizen(jon))
    assert [c.pid for c in choices] == [jon.nin]  # gone from his switcher
    fm.revoke(engine, citizen(nora), given_.fullmakt_id)  # twice is harmless
    [view] = fm.overview(engine, citizen(nora)).given
    assert view.status == "revoked"
    # A new one can be given after a revoke.
    assert not fm.give(engine, citizen(nora), jon.nin).updated


def test_only_she_may_give_or_revoke(engine, nora, jon, seeded):
    given_ = fm.give(engine, citizen(nora), jon.nin)
    acting_for_her = citizen(jon, nora)
    for call in (lambda: fm.give(engine, acting_for_her, seeded["per"].nin),
                 lambda: fm.revoke(engine, acting_for_her, given_.fullmakt_id),
                 lambda: fm.overview(engine, acting_for_her)):
        with pytest.raises(fm.OnlyOwner):
            call()
    midwife = Actor(seeded["lise"].nin, "midwife", "Lise Haugen", "9100004")
    with pytest.raises(fm.OnlyOwner):
        fm.give(engine, midwife, jon.nin)
    with pytest.raises(fm.FullmaktNotFound):  # Jon cannot revoke what Nora gave
        fm.revoke(engine, citizen(jon), given_.fullmakt_id)
    assert rows(engine, Fullmakt, id=given_.fullmakt_id)[0].revoked_at is None


def test_hidden_sections_and_items_stay_hidden_from_jon(engine, nora, jon, seeded):
    lise = staff(engine, seeded["lise"])
    checkup = card.record_consultation(engine, lise, nora.nin, visit())
    fm.give(engine, citizen(nora), jon.nin)
    card.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section", Section.HEALTH)
    card.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "consultation", checkup.id)
    seen = card.get_card(engine, citizen(jon, nora), nora.nin)
    assert seen.background.health is None and seen.timeline == ()
    own = card.get_card(engine, citizen(nora), nora.nin)
    assert own.background.health is not None and len(own.timeline) == 1
    assert Section.HEALTH in own.background.hidden


def test_give_revoke_and_list_are_logged_for_both(engine, nora, jon):
    given_ = fm.give(engine, citizen(nora), jon.nin)
    fm.overview(engine, citizen(nora))
    fm.revoke(engine, citizen(nora), given_.fullmakt_id)
    mine = [(r.action, r.object_type) for r in rows(engine, AccessLog, subject_pid=nora.nin)]
    assert mine == [("give", "fullmakt"), ("read", "fullmakt_list"), ("revoke", "fullmakt")]
    his = rows(engine, AccessLog, subject_pid=jon.nin)
    assert [(r.action, r.actor_pid, r.on_behalf_of_pid) for r in his] == [
        ("give", nora.nin, None), ("revoke", nora.nin, None)]
    # Jon reads them under Innsyn, with Nora's name.
    with db.write_session(engine) as s:
        lines = enforcement.visible_access_log(s, citizen(jon), jon.nin)
    assert {(line.actor_name, line.action) for line in lines} >= {
        ("Nora Lie", "give"), ("Nora Lie", "revoke")}
    with db.session(engine) as s:
        assert verify(s).ok


def test_the_message_to_the_receiver_is_neutral(engine, nora, jon):
    fm.give(engine, citizen(nora), jon.nin)
    [message] = rows(engine, Outbox, recipient_pid=jon.nin)
    assert message.body == fm.GIVEN_TEXT
    for word in ("Nora", "gravid", "svangerskap", "jordmor", "termin"):
        assert word.lower() not in message.body.lower()
    assert rows(engine, Outbox, recipient_pid=nora.nin) == []


def test_a_refusal_writes_nothing(engine, nora, seeded):
    before = len(rows(engine, AccessLog))
    with pytest.raises(fm.ReceiverTooYoung):
        fm.give(engine, citizen(nora), seeded["ella"].nin)  # 17
    assert rows(engine, Fullmakt) == [] and rows(engine, Outbox) == []
    assert len(rows(engine, AccessLog)) == before


_OPS = st.lists(st.tuples(st.sampled_from(["give", "revoke"]), st.sampled_from(["jon", "per"]),
                          st.sampled_from([None, 0, 5, 30])), max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_never_more_than_one_active_fullmakt_per_pair(engine, seeded, ops):
    nora = seeded["nora"]
    for op, who, days in ops:
        receiver = seeded[who]
        if op == "give":
            end = None if days is None else TODAY + dt.timedelta(days=days)
            fm.give(engine, citizen(nora), receiver.nin, valid_to=end)
        else:
            for view in fm.overview(engine, citizen(nora)).given:
                if view.other_name == receiver.full_name and view.status == "active":
                    fm.revoke(engine, citizen(nora), view.id)
        with db.session(engine) as s:
            for person in (seeded["jon"], seeded["per"]):
                active = s.exec(select(Fullmakt).where(
                    Fullmakt.giver_id == nora.id, Fullmakt.receiver_id == person.id,
                    Fullmakt.revoked_at.is_(None))).all()
                assert len([f for f in active if f.valid_to is None or f.valid_to >= TODAY]) <= 1
