"""The card itself: opening it, and the dating and background a carer writes whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from digihelse.access.actors import AccessDenied, Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard import consent, dating, sections
from digihelse.healthcard.consent import E_CONSENT
from digihelse.healthcard.dating import DatingMethod
from digihelse.healthcard.errors import CardExists, check_version, fail_if
from digihelse.healthcard.guard import carer_staff, log, require
from digihelse.healthcard.lookup import active_record, record_for
from digihelse.healthcard.models import Consultation, PregnancyRecord
from digihelse.healthcard.validation import (
    PregnancyDraft,
    resolve_dating,
    validate_pregnancy,
    validate_reason,
)
from digihelse.healthcard.versioning import E_RECORD, author_of, write_version
from digihelse.healthcard.views import PregnancyForm
from digihelse.people.kinds import StaffRole
from digihelse.people.models import Person, Personnel, Place, StaffAssignment
from digihelse.people.registry import person_by_pid


def draft_of(record: PregnancyRecord) -> PregnancyDraft:
    """The record as a draft, for the edit form to start from."""
    method = record.dating_method
    return PregnancyDraft(
        last_period=record.last_period,
        scan_date=record.scan_date, scan_method=record.scan_method, scan_mm=record.scan_mm,
        # Dated by the app's own formula before issue #20: not the hospital's date, so the
        # form asks for that one.
        due_date_ultrasound=(None if method in (DatingMethod.CRL, DatingMethod.BPD)
                             else record.due_date_ultrasound),
        transfer_date=record.transfer_date, embryo_age_days=record.embryo_age_days,
        due_date_manual=record.due_date if method == DatingMethod.MANUAL else None,
        fetuses=record.fetuses, assisted_conception=record.assisted_conception,
        height_cm=record.height_cm, weight_before_kg=record.weight_before_kg,
        previous_pregnancies=dict(record.previous_pregnancies or {}),
        health=dict(record.health or {}), lifestyle=dict(record.lifestyle or {}),
        contacts=dict(record.contacts or {}),
        **{column: tuple(getattr(record, column) or ()) for column in sections.COLUMNS},
    )


def pregnancy_form(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
                   ) -> PregnancyForm:
    """The woman's record as an edit form, for her midwife or GP only (EDIT_CARD): it holds
    every section, also those she hid from fullmakt receivers. Logs the read."""
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        woman, record = record_for(s, woman_pid)
        log(s, actor, woman_pid, "read", E_RECORD, record.id)
        return PregnancyForm(woman.full_name, record.version, draft_of(record),
                             record.due_date, record.dating_method)


def _apply(record: PregnancyRecord, draft: PregnancyDraft) -> None:
    resolved = resolve_dating(draft)
    record.last_period = draft.last_period
    record.due_date_lmp = resolved.due_date_lmp
    record.due_date_ultrasound = resolved.due_date_ultrasound
    record.due_date = resolved.due_date
    record.dating_method = str(resolved.method)
    record.scan_date, record.scan_method, record.scan_mm = (
        (draft.scan_date, draft.scan_method, draft.scan_mm) if resolved.ultrasound
        else (draft.scan_date, None, None))
    record.transfer_date, record.embryo_age_days = draft.transfer_date, draft.embryo_age_days
    record.fetuses, record.assisted_conception = draft.fetuses, draft.assisted_conception
    record.height_cm, record.weight_before_kg = draft.height_cm, draft.weight_before_kg
    # New dicts, so that SQLAlchemy sees the JSON columns change.
    record.previous_pregnancies = dict(draft.previous_pregnancies)
    record.health = dict(draft.health)
    record.lifestyle = {k: dict(v) for k, v in draft.lifestyle.items()}
    record.contacts = dict(draft.contacts)
    for column in sections.COLUMNS:  # the list sections, when the draft has them
        if getattr(draft, column) is not None:
            setattr(record, column, sections.with_ids(column, getattr(draft, column)))


def _serves_her_municipality(s: Session, staff: Personnel, woman: Person) -> bool:
    """Our basis for a carer to open a card: she works at a place in the woman's
    municipality (the municipal midwife service, a GP office there). Once the card exists,
    the care relation is being its midwife or GP (policy.CareBasis.PREGNANCY_CARER)."""
    if woman.municipality_id is None:
        return False
    found = s.exec(select(Place.id).join(StaffAssignment, StaffAssignment.place_id == Place.id)
                   .where(StaffAssignment.personnel_id == staff.id,
                          Place.municipality_id == woman.municipality_id)).first()
    return found is not None


def create_card(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                draft: PregnancyDraft, *, now: dt.datetime | None = None,
                consent_in_person: bool = False) -> PregnancyRecord:
    """Open the woman's card; the creating midwife or GP becomes her midwife or GP on it.

    Allowed for a midwife or GP serving the woman's municipality, once she has consented
    (consent.py): in the app, or in person to this carer, who says so with
    ``consent_in_person`` (recorded with who and when). Raises AccessDenied (logged),
    CardExists when she has an active card, ConfidentialAddress (kode 6/7: no card in the
    app), ConsentMissing, ValidationFailed (nothing written)."""
    now = aware_utc(now)
    today = to_oslo(now).date()
    with transaction(s_or_engine) as s:
        woman = person_by_pid(s, woman_pid)
        staff = carer_staff(s, actor)
        may_open = (woman is not None and staff is not None
                    and _serves_her_municipality(s, staff, woman))
        existing = active_record(s, woman) if woman is not None else None
        if existing is not None and existing.ended_on is not None and may_open:
            # A new pregnancy: the ended card is closed, the new one becomes her card.
            existing.active = False
            s.add(existing)
            s.flush()
            existing = None
        if existing is not None or not may_open:
            # Without a basis to open a card, the policy decides (and logs a refusal); her
            # own carers are told that the card exists, nobody else learns of it.
            if not may_open:
                require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
            if existing is not None:
                raise CardExists()
            raise AccessDenied("no_care_relation", "no basis to open this card")
        assert woman is not None and staff is not None
        # Her consent, and the confidential-address rule (consent.py says why).
        if consent.is_confidential(woman):
            raise consent.ConfidentialAddress()
        fail_if(validate_pregnancy(draft, today=today))
        if consent.standing_consent(s, woman) is None:
            if not consent_in_person:
                raise consent.ConsentMissing()
            author = author_of(s, actor)
            recorded = consent.record_in_person(s, woman, actor.pid, author.view.name,
                                                author.view.hpr_number, author.view.role,
                                                now)
            log(s, actor, woman_pid, "create", E_CONSENT, recorded.id)
        record = PregnancyRecord(
            woman_id=woman.id, active=True, created_at=now, updated_at=now,
            midwife_id=staff.id if staff.role == StaffRole.MIDWIFE else None,
            gp_id=staff.id if staff.role == StaffRole.GP else None)
        _apply(record, draft)
        try:
            with s.begin_nested():  # a card opened at the same moment by someone else
                s.add(record)
                s.flush()
        except IntegrityError as exc:
            raise CardExists() from exc
        # Now the care relation exists; the policy still has the last word (e.g. role).
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD,
                object_id=record.id)
        write_version(s, record.id, E_RECORD, record, author_of(s, actor), action="create",
                      at=now)
        log(s, actor, woman_pid, "create", E_RECORD, record.id)
        return record


def update_pregnancy(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                     draft: PregnancyDraft, reason: str, *, now: dt.datetime | None = None,
                     expected_version: int | None = None) -> PregnancyRecord:
    """Change the dating and background (the whole draft), with a reason.

    A new due date moves the gestational age stored on each consultation with it (derived
    data; the record's version holds the due-date change that caused it)."""
    now = aware_utc(now)
    today = to_oslo(now).date()
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        _woman, record = record_for(s, woman_pid, lock=True)
        check_version(record, expected_version)
        fail_if({**validate_pregnancy(draft, today=today), **validate_reason(reason)})
        old_due = record.due_date
        _apply(record, draft)
        if record.due_date != old_due and record.due_date is not None:
            for consultation in s.exec(select(Consultation)
                                       .where(Consultation.record_id == record.id)):
                consultation.ga_days = dating.gestational_age_days(record.due_date,
                                                                   consultation.held_on)
                s.add(consultation)
        record.version += 1
        record.updated_at = now
        s.add(record)
        s.flush()
        write_version(s, record.id, E_RECORD, record, author_of(s, actor), action="update",
                      at=now, reason=plain_text(reason))
        log(s, actor, woman_pid, "update", E_RECORD, record.id)
        return record
