"""Her consent to the card: no card without it, withdrawing it removes every row of the card
and logs it, no card with a confidential address, and nobody else learns anything."""

import datetime as dt

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import func, select

from digihelse.access.actors import AccessDenied
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import consent, service
from digihelse.healthcard.models import (
    BirthPlan,
    CardConsent,
    CardRemoval,
    CardVersion,
    Consultation,
    FetusObservation,
    LabResult,
    OwnNote,
    PregnancyRecord,
)
from digihelse.healthcard.validation import LabDraft, PregnancyDraft
from tests.factories import citizen, give_fullmakt, staff, visit


@pytest.fixture
def people(engine, seeded):
    return {key: seeded[key] for key in ("nora", "ella", "siri", "jon", "per")} | {
        "lise": staff(engine, seeded["lise"]), "ole": staff(engine, seeded["ole"]),
        "kari": staff(engine, seeded["kari"])}


def _draft() -> PregnancyDraft:
    return PregnancyDraft(last_period=today_oslo() - dt.timedelta(days=70))


def _rows(engine, model, **match) -> list:
    with db.session(engine) as s:
        return list(s.exec(select(model).filter_by(**match)).all())


def _count(engine, model) -> int:
    with db.session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- No card without consent ----------------------------------------------------------------

def test_no_card_without_her_consent(engine, people):
    ella, lise = people["ella"], people["lise"]
    with pytest.raises(consent.ConsentMissing) as refused:
        service.create_card(engine, lise, ella.nin, _draft())
    assert refused.value.message_key == "card.error.consent_missing"
    assert _rows(engine, PregnancyRecord, woman_id=ella.id) == []
    assert _rows(engine, CardConsent, woman_id=ella.id) == []


def test_she_consents_in_the_app_and_lise_opens_the_card(engine, people):
    ella, lise = people["ella"], people["lise"]
    view = consent.give_consent(engine, citizen(ella), ella.nin)
    assert view.consented and view.how == "app" and not view.has_card
    again = consent.give_consent(engine, citizen(ella), ella.nin)  # idempotent
    assert again.given_at == view.given_at
    record = service.create_card(engine, lise, ella.nin, _draft())
    assert record.active
    status = consent.consent_status(engine, citizen(ella), ella.nin)
    assert status.consented and status.has_card and status.recorded_by_name is None
    assert {(r.action, r.object_type) for r in _rows(engine, AccessLog, subject_pid=ella.nin)
            } >= {("create", "pregnancy_consent"), ("create", "pregnancy_record"),
                  ("read", "pregnancy_consent")}


def test_the_carer_records_consent_given_in_person_with_who_and_when(engine, people):
    ella, lise = people["ella"], people["lise"]
    before = utcnow()
    service.create_card(engine, lise, ella.nin, _draft(), consent_in_person=True)
    [row] = _rows(engine, CardConsent, woman_id=ella.id)
    assert row.how == "in_person" and row.recorded_by_name == "Lise Haugen"
    assert row.recorded_by_hpr == "9100004" and row.recorded_by_role == "midwife"
    assert row.recorded_by_pid == lise.pid and row.given_at >= before - dt.timedelta(seconds=1)
    status = consent.consent_status(engine, citizen(ella), ella.nin)
    assert status.how == "in_person" and status.recorded_by_name == "Lise Haugen"


def test_a_refused_draft_records_no_consent(engine, people):
    ella, lise = people["ella"], people["lise"]
    with pytest.raises(service.ValidationFailed):
        service.create_card(engine, lise, ella.nin, PregnancyDraft(height_cm=90),
                            consent_in_person=True)
    assert _rows(engine, CardConsent, woman_id=ella.id) == []


# --- Confidential address -------------------------------------------------------------------

def test_no_card_in_the_app_with_a_confidential_address(engine, people):
    siri, lise = people["siri"], people["lise"]
    with pytest.raises(consent.ConfidentialAddress) as refused:
        service.create_card(engine, lise, siri.nin, _draft(), consent_in_person=True)
    assert refused.value.message_key == "card.error.confidential_address"
    with pytest.raises(consent.ConfidentialAddress):
        consent.give_consent(engine, citizen(siri), siri.nin)
    assert consent.consent_status(engine, citizen(siri), siri.nin).confidential
    assert _rows(engine, PregnancyRecord, woman_id=siri.id) == []
    assert _rows(engine, CardConsent, woman_id=siri.id) == []


def test_a_carer_without_a_basis_learns_nothing_of_the_address(engine, people):
    siri = people["siri"]
    with pytest.raises(AccessDenied):  # a school nurse: the one refusal, not the reason
        service.create_card(engine, people["kari"], siri.nin, _draft(), consent_in_person=True)


# --- Strangers ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["jon", "per", "lise"])
def test_nobody_else_reads_gives_or_withdraws_her_consent(engine, people, who):
    nora = people["nora"]
    actor = people[who] if who == "lise" else citizen(people[who])
    for call in (consent.consent_status, consent.give_consent, consent.withdraw_consent):
        with pytest.raises(AccessDenied):
            call(engine, actor, nora.nin)
    assert len(_rows(engine, PregnancyRecord, woman_id=nora.id)) == 1
    denied = _rows(engine, AccessLog, subject_pid=nora.nin, outcome="denied")
    assert len(denied) == 3


def test_someone_with_fullmakt_cannot_withdraw_for_her(engine, people):

    nora, jon = people["nora"], people["jon"]
    give_fullmakt(engine, nora, jon)
    with pytest.raises(AccessDenied):
        consent.withdraw_consent(engine, citizen(jon), nora.nin)
    assert len(_rows(engine, PregnancyRecord, woman_id=nora.id)) == 1


# --- Withdrawing --------------------------------------------------------------------------

def _fill(engine, people, woman) -> int:
    lise = people["lise"]
    consent.give_consent(engine, citizen(woman), woman.nin)
    record = service.create_card(engine, lise, woman.nin, _draft())
    service.record_consultation(engine, lise, woman.nin, visit(
        held_on=today_oslo(), sf_height_cm=None))
    service.record_lab_result(engine, lise, woman.nin,
                              LabDraft(kind="rhd", taken_on=today_oslo(), value="pos"))
    service.add_own_note(engine, citizen(woman), woman.nin, "Et spørsmål")
    return record.id


def test_withdrawing_removes_every_row_of_the_card_and_logs_it(engine, people):
    ella, nora = people["ella"], people["nora"]
    record_id = _fill(engine, people, ella)
    nora_versions = len(_rows(engine, CardVersion))  # Nora's own card is not touched
    assert _rows(engine, CardVersion, record_id=record_id)
    removed = consent.withdraw_consent(engine, citizen(ella), ella.nin, now=utcnow())
    assert removed == [record_id]
    for model in (Consultation, LabResult, OwnNote, BirthPlan, CardVersion):
        assert _rows(engine, model, record_id=record_id) == [], model
    assert _rows(engine, PregnancyRecord, woman_id=ella.id) == []
    with db.session(engine) as s:
        assert s.exec(select(FetusObservation)).all() == []  # Ella's was the only check-up
    assert len(_rows(engine, CardVersion)) < nora_versions
    assert len(_rows(engine, PregnancyRecord, woman_id=nora.id)) == 1
    [removal] = _rows(engine, CardRemoval, woman_id=ella.id)
    assert removal.record_id == record_id and removal.cause == "consent_withdrawn"
    [withdrawn] = _rows(engine, CardConsent, woman_id=ella.id)
    assert withdrawn.withdrawn_at is not None
    log = _rows(engine, AccessLog, subject_pid=ella.nin)
    assert ("delete", "pregnancy_record", str(record_id)) in {
        (r.action, r.object_type, r.object_id) for r in log}
    assert ("withdraw", "pregnancy_consent") in {(r.action, r.object_type) for r in log}
    with db.session(engine) as s:
        assert verify(s).ok
    status = consent.consent_status(engine, citizen(ella), ella.nin)
    assert not status.consented and not status.has_card
    with pytest.raises(service.CardNotFound):
        service.get_card(engine, citizen(ella), ella.nin)
    # A new card needs a new consent.
    with pytest.raises(consent.ConsentMissing):
        service.create_card(engine, people["lise"], ella.nin, _draft())


def test_a_card_opened_before_consent_existed_can_still_be_withdrawn(engine, people):
    nora = people["nora"]  # the seeded card has no consent row
    [record] = _rows(engine, PregnancyRecord, woman_id=nora.id)
    assert consent.withdraw_consent(engine, citizen(nora), nora.nin) == [record.id]
    assert _rows(engine, PregnancyRecord, woman_id=nora.id) == []


def test_versions_stay_append_only_outside_a_removal(engine, people):
    record_id = _fill(engine, people, people["ella"])
    with pytest.raises(DatabaseError), db.write_session(engine) as s:
        s.delete(s.exec(select(CardVersion).where(CardVersion.record_id == record_id)).first())
        s.flush()
    consent.withdraw_consent(engine, citizen(people["ella"]), people["ella"].nin)
    # A removal cannot be erased afterwards either.
    with pytest.raises(DatabaseError), db.write_session(engine) as s:
        s.delete(s.exec(select(CardRemoval)).first())
        s.flush()
    assert _count(engine, CardRemoval) == 1


def test_every_table_of_the_card_is_found():
    names = {table.name for table, _links in consent._card_tables()}
    assert {"pregnancy_consultation", "pregnancy_fetus_observation", "pregnancy_lab_result",
            "pregnancy_own_note", "pregnancy_version", "pregnancy_birth_plan"} <= names
    assert "pregnancy_card_removal" not in names and "pregnancy_consent" not in names


def test_a_later_card_with_a_removed_cards_id_stays_append_only(engine, people):
    """SQLite gives a removed record's id to the next card; the old removal row names the
    record by id and creation time, so it does not open the new card's versions."""
    ella = people["ella"]
    first = _fill(engine, people, ella)
    consent.withdraw_consent(engine, citizen(ella), ella.nin)
    second = _fill(engine, people, ella)  # she consents again
    assert second == first or engine.dialect.name != "sqlite"  # the case this is about
    with pytest.raises(DatabaseError), db.write_session(engine) as s:
        s.delete(s.exec(select(CardVersion).where(CardVersion.record_id == second)).first())
        s.flush()
    # And she can withdraw again: a second removal row, even for the same id.
    assert consent.withdraw_consent(engine, citizen(ella), ella.nin) == [second]
    removals = _rows(engine, CardRemoval, woman_id=ella.id)
    assert [r.record_id for r in removals] == [first, second]
    assert _rows(engine, CardVersion, record_id=second) == []
