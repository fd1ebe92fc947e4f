"""The pregnancy card service: reading and writing the card, with access control,
versioning and the access log.

Every function takes an Actor and goes through digihelse.access.enforcement.require (the
representation rules: the woman views and writes her own notes; her midwife or GP views and
edits; a fullmakt receiver with scope "pregnancy" views; parents never). Every view and
every change is logged with record_access, and every change writes a CardVersion row with
its author, in the SAME transaction as the change: the three commit together or not at all.

Calls take a Session or an Engine. With an Engine the call is a write transaction of its
own (BEGIN IMMEDIATE on SQLite: a view writes its access-log row too); with a Session it
joins the caller's transaction and the caller commits.

Plain frozen dataclasses come out (CardView and its parts), so pages never hold ORM rows.
No UI imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.access import policy
from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.access.enforcement import record_access, require
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.errors import ServiceError
from digihelse.core.i18n.families import keyed
from digihelse.core.timeutil import aware_utc, to_oslo, today_oslo
from digihelse.healthcard import dating, reference
from digihelse.healthcard.dating import DatingMethod, ScheduleItem
from digihelse.healthcard.models import (
    CardVersion,
    Consultation,
    FetusObservation,
    LabKind,
    LabResult,
    NoteKind,
    OwnNote,
    PregnancyRecord,
    Section,
)
from digihelse.healthcard.validation import (
    LAB_RULES,
    ConsultationDraft,
    Errors,
    LabDraft,
    PregnancyDraft,
    bmi,
    parse_number,
    resolve_dating,
    validate_consultation,
    validate_lab,
    validate_note,
    validate_pregnancy,
    validate_reason,
)
from digihelse.people.models import Person, Personnel, Place, StaffAssignment, StaffRole
from digihelse.people.nin import age_on
from digihelse.people.registry import person_by_pid, personnel_by_pid

# Which record columns belong to which section a woman can hide from fullmakt receivers.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    Section.BEFORE_PREGNANCY: ("height_cm", "weight_before_kg"),
    Section.PREVIOUS_PREGNANCIES: ("previous_pregnancies",),
    Section.HEALTH: ("health",),
    Section.LIFESTYLE: ("lifestyle",),
    Section.CONTACTS: ("contacts",),
}
# Entities in the version table, and the object types in the access log.
E_RECORD, E_CONSULTATION, E_LAB, E_NOTE = ("pregnancy_record", "consultation", "lab_result",
                                           "own_note")
HIDEABLE = {E_CONSULTATION: Consultation, E_LAB: LabResult, E_NOTE: OwnNote}


# --- Errors ---------------------------------------------------------------------------------

class CardError(ServiceError):
    """A refused card action. `code` is for logs and the API, `message_key` an i18n key."""

    code = "card_error"
    message_key = "card.error.generic"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)


class CardNotFound(CardError):
    """The woman has no active pregnancy card."""

    code = "card_not_found"
    message_key = "card.error.not_found"


class CardExists(CardError):
    """The woman already has an active pregnancy card."""

    code = "card_exists"
    message_key = "card.error.card_exists"


class ItemNotFound(CardError):
    """No such consultation, test or note on this woman's card."""

    code = "item_not_found"
    message_key = "card.error.item_not_found"


class StaleEdit(CardError):
    """Somebody changed the item since the form was opened; reload and try again."""

    code = "stale_edit"
    message_key = "card.error.stale"


class ValidationFailed(CardError):
    """The draft has implausible or missing values; nothing was written.

    `errors` maps each field to the i18n key of its message, so the form keeps the draft
    and shows every message by its field."""

    code = "validation_failed"
    message_key = "card.error.validation"

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"invalid: {', '.join(f'{k}={v}' for k, v in sorted(errors.items()))}")
        self.errors = dict(errors)


# --- Views ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorView:
    name: str
    role: str  # a StaffRole value or "citizen"
    hpr_number: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class FetusView:
    fetus_no: int
    heart_rate: int | None
    presentation: str | None
    movements: bool | None


@dataclass(frozen=True)
class ConsultationView:
    id: int
    held_on: dt.date
    ga_days: int
    ga_text: str  # "27+3"
    weight_kg: float | None
    bp_systolic: int | None
    bp_diastolic: int | None
    urine_protein: str | None
    oedema: int | None
    sf_height_cm: float | None
    fetuses: tuple[FetusView, ...]
    note: str
    hidden_from_proxy: bool
    author: AuthorView | None
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class LabResultView:
    id: int
    kind: str
    taken_on: dt.date
    ga_text: str | None
    value: str
    value_num: float | None
    unit: str | None
    note: str
    hidden_from_proxy: bool
    version: int

    @property
    def label_key(self) -> str:
        return keyed("card.lab", self.kind)


@dataclass(frozen=True)
class OwnNoteView:
    id: int
    kind: str  # note or question
    text: str
    created_at: dt.datetime
    hidden_from_proxy: bool


@dataclass(frozen=True)
class FollowUp:
    """One step of the RhD-negative follow-up (DOMAIN.md: fetal RhD at week 24,
    prophylaxis at week 28), with the day it is due and the result that did it."""

    key: str  # i18n: card.rhd.<key>
    due_on: dt.date
    done_on: dt.date | None
    result: str | None


@dataclass(frozen=True)
class Overview:
    woman_pid: str
    woman_name: str
    due_date: dt.date | None
    dating_method: str  # a DatingMethod value; text key card.dating.<value>
    due_date_lmp: dt.date | None
    due_date_ultrasound: dt.date | None
    last_period: dt.date | None
    scan_date: dt.date | None
    scan_method: str | None
    scan_mm: float | None
    ga_today: tuple[int, int] | None
    ga_today_text: str | None  # "27+3"; the page says t("card.overview.ga_today", ga=...)
    fetuses: int
    assisted_conception: bool
    next_consultation: ScheduleItem | None
    midwife: AuthorView | None
    gp: AuthorView | None
    rhd_negative: bool
    rhd_followup: tuple[FollowUp, ...] = ()

    @property
    def dating_key(self) -> str:
        return keyed("card.dating", self.dating_method)


@dataclass(frozen=True)
class Background:
    """Before pregnancy and the background sections; None where hidden from the viewer."""

    height_cm: float | None
    weight_before_kg: float | None
    bmi: float | None
    previous_pregnancies: dict[str, Any] | None
    health: dict[str, Any] | None
    lifestyle: dict[str, Any] | None
    contacts: dict[str, Any] | None
    hidden: tuple[str, ...]  # sections hidden from fullmakt receivers (the woman's choice)


@dataclass(frozen=True)
class CardView:
    """Everything the card pages show, already filtered for the viewer."""

    relation: str  # self, fullmakt or personnel
    record_id: int
    version: int
    overview: Overview
    timeline: tuple[ConsultationView, ...]  # newest first
    charts: reference.Charts
    schedule: tuple[ScheduleItem, ...]  # the nine recommended consultations
    ultrasounds: tuple[ScheduleItem, ...]
    lab_results: tuple[LabResultView, ...]
    notes: tuple[OwnNoteView, ...]  # newest first
    background: Background
    can_edit: bool
    can_write_notes: bool
    can_hide: bool


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionView:
    entity: str
    entity_id: int
    version: int
    action: str  # create, update, hide, show
    at: dt.datetime
    author: AuthorView
    reason: str | None
    changes: tuple[FieldChange, ...]  # against the previous version; all fields on create


@dataclass(frozen=True)
class WomanSummary:
    """One line of a carer's "Mine gravide"."""

    pid: str
    name: str
    age: int
    due_date: dt.date | None
    ga_text: str | None
    next_consultation: ScheduleItem | None
    last_consultation: dt.date | None
    open_questions: int  # the woman's questions since the last consultation
    role: str  # the viewer's role on this card: midwife or gp


# --- Helpers --------------------------------------------------------------------------------

def _require(s: Session, actor: Actor, woman_pid: str, action: Action, *, object_type: str,
             object_id: int | None = None) -> policy.Decision:
    return require(s, actor, woman_pid, Service.PREGNANCY, action, object_type=object_type,
                   object_id=None if object_id is None else str(object_id))


def _log(s: Session, actor: Actor, woman_pid: str, action: str, object_type: str,
         object_id: int | None) -> None:
    # The card is the woman's, also when she is a minor: its log rows are never shown to
    # parents (DOMAIN.md: "the card is hers, parents see nothing by default").
    record_access(s, actor, woman_pid, action=action, object_type=object_type,
                  object_id=None if object_id is None else str(object_id),
                  service=Service.PREGNANCY, hidden_from_parents=True)


def _woman(s: Session, pid: str) -> Person:
    person = person_by_pid(s, pid)
    if person is None:
        raise CardNotFound()
    return person


def _active_record(s: Session, woman: Person, *, lock: bool = False
                   ) -> PregnancyRecord | None:
    query = select(PregnancyRecord).where(PregnancyRecord.woman_id == woman.id,
                                          PregnancyRecord.active)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
        query = query.with_for_update()
    return s.exec(query).first()


def _record_for(s: Session, pid: str, *, lock: bool = False
                ) -> tuple[Person, PregnancyRecord]:
    woman = _woman(s, pid)
    record = _active_record(s, woman, lock=lock)
    if record is None:
        raise CardNotFound()
    return woman, record


@dataclass(frozen=True)
class _Author:
    pid: str
    view: AuthorView
    personnel_id: int | None


def _author(s: Session, actor: Actor) -> _Author:
    """Who is writing, from the registry (HPR number, role and organisation as registered),
    falling back to what the login said."""
    if actor.is_personnel:
        found = personnel_by_pid(s, actor.pid)
        if found is not None:
            person, worker = found
            return _Author(actor.pid, AuthorView(person.full_name, str(worker.role),
                                                 worker.hpr_number, worker.organisation),
                           worker.id)
        return _Author(actor.pid, AuthorView(actor.name, actor.role, actor.hpr_number,
                                             actor.organisation), None)
    person = person_by_pid(s, actor.pid)
    return _Author(actor.pid, AuthorView(person.full_name if person else actor.name,
                                         "citizen"), None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# Bookkeeping, and the consultation's gestational age, which is derived from the due date
# (a due-date change is versioned on the record, not on every consultation it moves).
_NOT_SNAPSHOTTED = frozenset({"id", "version", "created_at", "updated_at", "ga_days"})


def _snapshot(row: Any, **extra: Any) -> dict[str, Any]:
    data = {column.name: _jsonable(getattr(row, column.name))
            for column in row.__table__.columns if column.name not in _NOT_SNAPSHOTTED}
    data.update({key: _jsonable(value) for key, value in extra.items()})
    return data


def _version(s: Session, record_id: int, entity: str, row: Any, author: _Author, *,
             action: str, at: dt.datetime, reason: str | None = None,
             **extra: Any) -> CardVersion:
    version = CardVersion(
        record_id=record_id, entity=entity, entity_id=row.id, version=row.version,
        action=action, snapshot=_snapshot(row, **extra), reason=reason,
        author_pid=author.pid, author_name=author.view.name, author_role=author.view.role,
        author_hpr=author.view.hpr_number, author_organisation=author.view.organisation,
        at=at)
    s.add(version)
    return version


def _check_version(row: Any, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEdit()


def _fail_if(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors)


def _visible(relation: str, hidden_from_proxy: bool) -> bool:
    return policy.item_visible(relation, policy.ItemFacts(Service.PREGNANCY,
                                                          hidden_from_proxy=hidden_from_proxy))


def _proxy(relation: str) -> bool:
    return relation == policy.RelationKind.FULLMAKT


def _ga_text(due: dt.date | None, on: dt.date) -> str | None:
    if due is None:
        return None
    days = dating.gestational_age_days(due, on)
    return dating.format_ga(days) if 0 <= days <= dating.ga_days_of(45) else None


# --- Drafts and the record ------------------------------------------------------------------

def draft_of(record: PregnancyRecord) -> PregnancyDraft:
    """The record as a draft, for the edit form to start from."""
    method = record.dating_method
    return PregnancyDraft(
        last_period=record.last_period,
        scan_date=record.scan_date, scan_method=record.scan_method, scan_mm=record.scan_mm,
        due_date_ultrasound=(record.due_date_ultrasound if record.scan_method is None
                             else None),
        transfer_date=record.transfer_date, embryo_age_days=record.embryo_age_days,
        due_date_manual=record.due_date if method == DatingMethod.MANUAL else None,
        fetuses=record.fetuses, assisted_conception=record.assisted_conception,
        height_cm=record.height_cm, weight_before_kg=record.weight_before_kg,
        previous_pregnancies=dict(record.previous_pregnancies or {}),
        health=dict(record.health or {}), lifestyle=dict(record.lifestyle or {}),
        contacts=dict(record.contacts or {}),
    )


@dataclass(frozen=True)
class PregnancyForm:
    """What the carer's "Svangerskapet og bakgrunn" form starts from: the record as a draft,
    the version it was read at (sent back as expected_version, so a form that somebody else
    saved over is refused with StaleEdit), and the due date it gives now."""

    woman_name: str
    version: int
    draft: PregnancyDraft
    due_date: dt.date | None
    dating_method: str  # a DatingMethod value; text key card.dating.<value>


def pregnancy_form(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
                   ) -> PregnancyForm:
    """The woman's record as an edit form, for her midwife or GP only (EDIT_CARD): it holds
    every section, also those she hid from fullmakt receivers. Logs the read."""
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        woman, record = _record_for(s, woman_pid)
        _log(s, actor, woman_pid, "read", E_RECORD, record.id)
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


def _staff_for(s: Session, actor: Actor) -> Personnel | None:
    if not actor.is_personnel:
        return None
    found = personnel_by_pid(s, actor.pid)
    if found is None or not policy.keeps_cards(found[1].role) or found[1].role != actor.role:
        return None
    return found[1]


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
                draft: PregnancyDraft, *, now: dt.datetime | None = None) -> PregnancyRecord:
    """Open the woman's card; the creating midwife or GP becomes her midwife or GP on it.

    Allowed for a midwife or GP serving the woman's municipality. Raises AccessDenied
    (logged), CardExists when she has an active card, ValidationFailed (nothing written)."""
    now = aware_utc(now)
    today = to_oslo(now).date()
    with transaction(s_or_engine) as s:
        woman = person_by_pid(s, woman_pid)
        staff = _staff_for(s, actor)
        may_open = (woman is not None and staff is not None
                    and _serves_her_municipality(s, staff, woman))
        existing = _active_record(s, woman) if woman is not None else None
        if existing is not None or not may_open:
            # Without a basis to open a card, the policy decides (and logs a refusal); her
            # own carers are told that the card exists, nobody else learns of it.
            if not may_open:
                _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
            if existing is not None:
                raise CardExists()
            raise AccessDenied("no_care_relation", "no basis to open this card")
        assert woman is not None and staff is not None
        _fail_if(validate_pregnancy(draft, today=today))
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
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD,
                 object_id=record.id)
        _version(s, record.id, E_RECORD, record, _author(s, actor), action="create", at=now)
        _log(s, actor, woman_pid, "create", E_RECORD, record.id)
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
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        _woman_row, record = _record_for(s, woman_pid, lock=True)
        _check_version(record, expected_version)
        _fail_if({**validate_pregnancy(draft, today=today), **validate_reason(reason)})
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
        _version(s, record.id, E_RECORD, record, _author(s, actor), action="update", at=now,
                 reason=reason.strip())
        _log(s, actor, woman_pid, "update", E_RECORD, record.id)
        return record


# --- Consultations --------------------------------------------------------------------------

def _fetus_rows(s: Session, consultation_ids: Sequence[int]) -> dict[int, list[FetusView]]:
    rows: dict[int, list[FetusView]] = {}
    if not consultation_ids:
        return rows
    for row in s.exec(select(FetusObservation)
                      .where(col(FetusObservation.consultation_id).in_(consultation_ids))
                      .order_by(FetusObservation.fetus_no)):
        rows.setdefault(row.consultation_id, []).append(
            FetusView(row.fetus_no, row.heart_rate, row.presentation, row.movements))
    return rows


def _write_fetuses(s: Session, consultation: Consultation, draft: ConsultationDraft) -> None:
    for old in s.exec(select(FetusObservation)
                      .where(FetusObservation.consultation_id == consultation.id)):
        s.delete(old)
    s.flush()
    for fetus in sorted(draft.fetuses, key=lambda f: f.fetus_no):
        s.add(FetusObservation(consultation_id=consultation.id, fetus_no=fetus.fetus_no,
                               heart_rate=fetus.heart_rate, presentation=fetus.presentation,
                               movements=fetus.movements))
    s.flush()


def _fill(consultation: Consultation, draft: ConsultationDraft, due: dt.date) -> None:
    consultation.held_on = draft.held_on
    consultation.ga_days = dating.gestational_age_days(due, draft.held_on)
    consultation.weight_kg = draft.weight_kg
    consultation.bp_systolic, consultation.bp_diastolic = draft.bp_systolic, draft.bp_diastolic
    consultation.urine_protein = draft.urine_protein
    consultation.oedema = draft.oedema
    consultation.sf_height_cm = draft.sf_height_cm
    consultation.note = draft.note.strip()


def _fetus_snapshot(draft: ConsultationDraft) -> list[dict[str, Any]]:
    return [{"fetus_no": f.fetus_no, "heart_rate": f.heart_rate,
             "presentation": f.presentation, "movements": f.movements}
            for f in sorted(draft.fetuses, key=lambda f: f.fetus_no)]


def record_consultation(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                        draft: ConsultationDraft, now: dt.datetime | None = None
                        ) -> Consultation:
    """A midwife or GP records one consultation (the mobile form).

    Raises AccessDenied (logged), CardNotFound, or ValidationFailed(errors) without writing
    anything, so the form keeps the draft."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_CONSULTATION)
        _woman_row, record = _record_for(s, woman_pid)
        _fail_if(validate_consultation(draft, due_date=record.due_date,
                                       fetuses=record.fetuses, today=to_oslo(now).date()))
        assert record.due_date is not None  # validation refuses a card without one
        author = _author(s, actor)
        consultation = Consultation(record_id=record.id, held_on=draft.held_on, ga_days=0,
                                    hidden_from_proxy=draft.hidden_from_proxy,
                                    author_personnel_id=author.personnel_id,
                                    created_at=now, updated_at=now)
        _fill(consultation, draft, record.due_date)
        s.add(consultation)
        s.flush()
        _write_fetuses(s, consultation, draft)
        _version(s, record.id, E_CONSULTATION, consultation, author, action="create", at=now,
                 fetuses=_fetus_snapshot(draft))
        _log(s, actor, woman_pid, "create", E_CONSULTATION, consultation.id)
        return consultation


def _item(s: Session, model: type, item_id: int, record: PregnancyRecord) -> Any:
    # Locked, so that the version check and the write cannot interleave on PostgreSQL.
    row = s.get(model, item_id, with_for_update=True)
    if row is None or row.record_id != record.id:
        raise ItemNotFound()
    return row


def edit_consultation(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                      consultation_id: int, draft: ConsultationDraft, reason: str, *,
                      now: dt.datetime | None = None, expected_version: int | None = None
                      ) -> Consultation:
    """Correct a consultation; a reason is required and kept with the new version.

    Hiding from fullmakt receivers is the woman's choice: an edit can hide, never show."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_CONSULTATION,
                 object_id=consultation_id)
        _woman_row, record = _record_for(s, woman_pid)
        consultation = _item(s, Consultation, consultation_id, record)
        _check_version(consultation, expected_version)
        _fail_if({**validate_consultation(draft, due_date=record.due_date,
                                          fetuses=record.fetuses, today=to_oslo(now).date()),
                  **validate_reason(reason)})
        assert record.due_date is not None
        _fill(consultation, draft, record.due_date)
        consultation.hidden_from_proxy = consultation.hidden_from_proxy or draft.hidden_from_proxy
        consultation.version += 1
        consultation.updated_at = now
        s.add(consultation)
        s.flush()
        _write_fetuses(s, consultation, draft)
        _version(s, record.id, E_CONSULTATION, consultation, _author(s, actor),
                 action="update", at=now, reason=reason.strip(),
                 fetuses=_fetus_snapshot(draft))
        _log(s, actor, woman_pid, "update", E_CONSULTATION, consultation.id)
        return consultation


# --- Tests ----------------------------------------------------------------------------------

def _fill_lab(row: LabResult, draft: LabDraft) -> None:
    rule = LAB_RULES[draft.kind]
    row.kind, row.taken_on = draft.kind, draft.taken_on
    row.value = draft.value.strip()
    row.value_num = parse_number(draft.value) if rule.numeric else None
    row.unit = rule.unit
    row.note = draft.note.strip()


def record_lab_result(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                      draft: LabDraft, *, now: dt.datetime | None = None) -> LabResult:
    """A midwife or GP records a test result (blood type, Hb, infections, ...)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_LAB)
        _woman_row, record = _record_for(s, woman_pid)
        _fail_if(validate_lab(draft, today=to_oslo(now).date()))
        author = _author(s, actor)
        row = LabResult(record_id=record.id, kind=draft.kind, taken_on=draft.taken_on,
                        value="", hidden_from_proxy=draft.hidden_from_proxy,
                        author_personnel_id=author.personnel_id, created_at=now,
                        updated_at=now)
        _fill_lab(row, draft)
        s.add(row)
        s.flush()
        _version(s, record.id, E_LAB, row, author, action="create", at=now)
        _log(s, actor, woman_pid, "create", E_LAB, row.id)
        return row


def edit_lab_result(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                    lab_id: int, draft: LabDraft, reason: str, *,
                    now: dt.datetime | None = None, expected_version: int | None = None
                    ) -> LabResult:
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_LAB, object_id=lab_id)
        _woman_row, record = _record_for(s, woman_pid)
        row = _item(s, LabResult, lab_id, record)
        _check_version(row, expected_version)
        _fail_if({**validate_lab(draft, today=to_oslo(now).date()), **validate_reason(reason)})
        _fill_lab(row, draft)
        row.hidden_from_proxy = row.hidden_from_proxy or draft.hidden_from_proxy
        row.version += 1
        row.updated_at = now
        s.add(row)
        s.flush()
        _version(s, record.id, E_LAB, row, _author(s, actor), action="update", at=now,
                 reason=reason.strip())
        _log(s, actor, woman_pid, "update", E_LAB, row.id)
        return row


# --- The woman's own notes and her choices --------------------------------------------------

def add_own_note(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, text: str,
                 kind: str = NoteKind.QUESTION, *, hidden_from_proxy: bool = False,
                 now: dt.datetime | None = None) -> OwnNote:
    """The woman writes a note, or a question for the next consultation; her midwife and GP
    see it on the card and in "Mine gravide"."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_NOTE)
        _woman_row, record = _record_for(s, woman_pid)
        _fail_if(validate_note(kind, text))
        note = OwnNote(record_id=record.id, kind=kind, text=text.strip(),
                       hidden_from_proxy=hidden_from_proxy, created_at=now, updated_at=now)
        s.add(note)
        s.flush()
        _version(s, record.id, E_NOTE, note, _author(s, actor), action="create", at=now)
        _log(s, actor, woman_pid, "create", E_NOTE, note.id)
        return note


def set_hidden_from_proxy(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                          item: str, item_id: int | str, hidden: bool = True, *,
                          now: dt.datetime | None = None) -> None:
    """The woman hides an item (consultation, lab_result, own_note) or a whole section
    (item "section", item_id a Section value) from the people she gave fullmakt, or shows it
    again. Only she may: it is her choice (WRITE_OWN_NOTES is hers alone)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        object_type = E_RECORD if item == "section" else item
        _require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=object_type,
                 object_id=item_id if isinstance(item_id, int) else None)
        _woman_row, record = _record_for(s, woman_pid, lock=item == "section")
        action = "hide" if hidden else "show"
        if item == "section":
            if item_id not in set(Section):
                raise ItemNotFound()
            sections = [x for x in (record.hidden_sections or []) if x != item_id]
            record.hidden_sections = [*sections, str(item_id)] if hidden else sections
            row: Any = record
            entity = E_RECORD
        elif item in HIDEABLE and isinstance(item_id, int):
            row = _item(s, HIDEABLE[item], item_id, record)
            row.hidden_from_proxy = hidden
            entity = item
        else:
            raise ItemNotFound()
        row.version += 1
        row.updated_at = now
        s.add(row)
        s.flush()
        _version(s, record.id, entity, row, _author(s, actor), action=action, at=now)
        _log(s, actor, woman_pid, "update", entity, row.id)


# --- Reading the card -----------------------------------------------------------------------

def _author_views(s: Session, personnel_ids: Iterable[int | None]) -> dict[int, AuthorView]:
    ids = {i for i in personnel_ids if i is not None}
    if not ids:
        return {}
    rows = s.exec(select(Personnel, Person).join(Person, Person.id == Personnel.person_id)
                  .where(col(Personnel.id).in_(ids))).all()
    return {worker.id: AuthorView(person.full_name, str(worker.role), worker.hpr_number,
                                  worker.organisation) for worker, person in rows}


def _consultations(s: Session, record: PregnancyRecord) -> list[Consultation]:
    return list(s.exec(select(Consultation).where(Consultation.record_id == record.id)
                       .order_by(col(Consultation.held_on).desc(),
                                 col(Consultation.id).desc())))


def _rhd_followup(record: PregnancyRecord, labs: Sequence[LabResult]
                  ) -> tuple[bool, tuple[FollowUp, ...]]:
    rhd = next((lab for lab in sorted(labs, key=lambda x: x.taken_on, reverse=True)
                if lab.kind == LabKind.RHD), None)
    if rhd is None or rhd.value != "neg" or record.due_date is None:
        return False, ()
    steps = []
    for key, kind, week in (("fetal_rhd", LabKind.FETAL_RHD, 24),
                            ("prophylaxis", LabKind.RH_PROPHYLAXIS, 28)):
        done = next((lab for lab in labs if lab.kind == kind), None)
        steps.append(FollowUp(key, dating.date_at_ga(record.due_date, week),
                              done.taken_on if done else None, done.value if done else None))
    return True, tuple(steps)


def _overview(s: Session, woman: Person, record: PregnancyRecord, on: dt.date,
              schedule: Sequence[ScheduleItem], labs: Sequence[LabResult]) -> Overview:
    ga: tuple[int, int] | None = None
    if record.due_date is not None:
        days = dating.gestational_age_days(record.due_date, on)
        if 0 <= days <= dating.ga_days_of(45):
            ga = dating.split_ga(days)
    carers = _author_views(s, (record.midwife_id, record.gp_id))
    rhd_negative, followup = _rhd_followup(record, labs)
    return Overview(
        woman_pid=woman.nin, woman_name=woman.full_name, due_date=record.due_date,
        dating_method=record.dating_method, due_date_lmp=record.due_date_lmp,
        due_date_ultrasound=record.due_date_ultrasound, last_period=record.last_period,
        scan_date=record.scan_date, scan_method=record.scan_method, scan_mm=record.scan_mm,
        ga_today=ga, ga_today_text=dating.format_ga(ga) if ga else None,
        fetuses=record.fetuses, assisted_conception=record.assisted_conception,
        next_consultation=dating.next_consultation(schedule, on),
        midwife=carers.get(record.midwife_id) if record.midwife_id else None,
        gp=carers.get(record.gp_id) if record.gp_id else None,
        rhd_negative=rhd_negative, rhd_followup=followup)


def _background(record: PregnancyRecord, proxy: bool) -> Background:
    hidden = tuple(record.hidden_sections or ())

    def section(name: Section, value: Any) -> Any:
        return None if proxy and name in hidden else value

    before_hidden = proxy and Section.BEFORE_PREGNANCY in hidden
    return Background(
        height_cm=None if before_hidden else record.height_cm,
        weight_before_kg=None if before_hidden else record.weight_before_kg,
        bmi=None if before_hidden else bmi(record.height_cm, record.weight_before_kg),
        previous_pregnancies=section(Section.PREVIOUS_PREGNANCIES,
                                     dict(record.previous_pregnancies or {})),
        health=section(Section.HEALTH, dict(record.health or {})),
        lifestyle=section(Section.LIFESTYLE, dict(record.lifestyle or {})),
        contacts=section(Section.CONTACTS, dict(record.contacts or {})),
        hidden=hidden)


def _card_view(s: Session, decision: policy.Decision, woman: Person, record: PregnancyRecord,
               on: dt.date) -> CardView:
    relation = decision.relation
    consultations = [c for c in _consultations(s, record)
                     if _visible(relation, c.hidden_from_proxy)]
    fetuses = _fetus_rows(s, [c.id for c in consultations])
    authors = _author_views(s, (c.author_personnel_id for c in consultations))
    timeline = tuple(ConsultationView(
        c.id, c.held_on, c.ga_days, dating.format_ga(max(c.ga_days, 0)), c.weight_kg,
        c.bp_systolic, c.bp_diastolic, c.urine_protein, c.oedema, c.sf_height_cm,
        tuple(fetuses.get(c.id, ())), c.note, c.hidden_from_proxy,
        authors.get(c.author_personnel_id) if c.author_personnel_id else None, c.version,
        c.updated_at) for c in consultations)
    # The schedule counts every consultation held, also those hidden from this viewer:
    # "done" says nothing about what was found.
    all_days = [row for row in s.exec(select(Consultation.held_on)
                                      .where(Consultation.record_id == record.id))]
    schedule = (dating.recommended_schedule(record.due_date, all_days)
                if record.due_date else [])
    ultrasounds = (dating.recommended_ultrasounds(
        record.due_date, [record.scan_date] if record.scan_date else [])
        if record.due_date else [])
    all_labs = list(s.exec(select(LabResult).where(LabResult.record_id == record.id)
                           .order_by(col(LabResult.taken_on), col(LabResult.id))))
    labs = [lab for lab in all_labs if _visible(relation, lab.hidden_from_proxy)]
    lab_views = tuple(LabResultView(
        lab.id, lab.kind, lab.taken_on, _ga_text(record.due_date, lab.taken_on), lab.value,
        lab.value_num, lab.unit, lab.note, lab.hidden_from_proxy, lab.version) for lab in labs)
    notes = tuple(OwnNoteView(n.id, n.kind, n.text, n.created_at, n.hidden_from_proxy)
                  for n in s.exec(select(OwnNote).where(OwnNote.record_id == record.id)
                                  .order_by(col(OwnNote.created_at).desc(),
                                            col(OwnNote.id).desc()))
                  if _visible(relation, n.hidden_from_proxy))
    proxy = _proxy(relation)
    background = _background(record, proxy)
    measurements = [reference.Measurement(c.held_on, c.ga_days, c.weight_kg, c.bp_systolic,
                                          c.bp_diastolic, c.sf_height_cm)
                    for c in consultations]
    return CardView(
        relation=relation, record_id=record.id, version=record.version,
        overview=_overview(s, woman, record, on, schedule, labs),
        timeline=timeline,
        charts=reference.charts(measurements, background.weight_before_kg),
        schedule=tuple(schedule), ultrasounds=tuple(ultrasounds), lab_results=lab_views,
        notes=notes, background=background,
        can_edit=decision.allows(Action.EDIT_CARD),
        can_write_notes=decision.allows(Action.WRITE_OWN_NOTES),
        can_hide=decision.allows(Action.WRITE_OWN_NOTES))


def get_card(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
             on: dt.date | None = None) -> CardView:
    """The woman's card as the actor may see it, on a day (today in Oslo by default).

    A fullmakt receiver does not see the items and sections the woman hid. Logs the view.
    Raises AccessDenied (logged) or CardNotFound."""
    on = on or today_oslo()
    with transaction(s_or_engine) as s:
        decision = _require(s, actor, woman_pid, Action.VIEW_CARD, object_type=E_RECORD)
        woman, record = _record_for(s, woman_pid)
        view = _card_view(s, decision, woman, record, on)
        _log(s, actor, woman_pid, "read", E_RECORD, record.id)
        return view


# --- History ------------------------------------------------------------------------------

def _hidden_entities(s: Session, record: PregnancyRecord) -> set[tuple[str, int]]:
    hidden: set[tuple[str, int]] = set()
    for entity, model in HIDEABLE.items():
        ids = s.exec(select(model.id).where(model.record_id == record.id,
                                            model.hidden_from_proxy))
        hidden |= {(entity, item_id) for item_id in ids}
    return hidden


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    names = sorted(set(before) | set(after))
    return tuple(FieldChange(name, before.get(name), after.get(name)) for name in names
                 if before.get(name) != after.get(name))


def history(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
            ) -> list[VersionView]:
    """Every version of everything on the woman's active card, newest first, with who made
    it (name, HPR number, role, organisation), when, why, and what changed.

    A fullmakt receiver sees neither hidden items nor changes to hidden sections."""
    with transaction(s_or_engine) as s:
        decision = _require(s, actor, woman_pid, Action.VIEW_CARD, object_type="history")
        _woman_row, record = _record_for(s, woman_pid)
        rows = list(s.exec(select(CardVersion).where(CardVersion.record_id == record.id)
                           .order_by(col(CardVersion.entity), col(CardVersion.entity_id),
                                     col(CardVersion.version))))
        proxy = _proxy(decision.relation)
        hidden_items = _hidden_entities(s, record) if proxy else set()
        hidden_fields = {name for section in (record.hidden_sections or ())
                         for name in SECTION_FIELDS.get(section, ())} if proxy else set()
        hidden_fields |= {"hidden_sections"} if proxy else set()
        views: list[VersionView] = []
        previous: dict[tuple[str, int], dict[str, Any]] = {}
        for row in rows:
            key = (row.entity, row.entity_id)
            snapshot = {k: v for k, v in (row.snapshot or {}).items()
                        if not (row.entity == E_RECORD and k in hidden_fields)}
            changes = _changes(previous.get(key, {}), snapshot)
            previous[key] = snapshot
            if key in hidden_items or (proxy and not changes and row.action != "create"):
                continue
            views.append(VersionView(
                row.entity, row.entity_id, row.version, row.action, row.at,
                AuthorView(row.author_name, row.author_role, row.author_hpr,
                           row.author_organisation), row.reason, changes))
        views.sort(key=lambda v: (v.at, v.entity, v.entity_id, v.version), reverse=True)
        _log(s, actor, woman_pid, "read", "history", record.id)
        return views


# --- The carer's list -----------------------------------------------------------------------

def my_women(s_or_engine: SessionOrEngine, actor: Actor, on: dt.date | None = None
             ) -> list[WomanSummary]:
    """"Mine gravide": the women whose active card has the actor as midwife or GP, the one
    whose next recommended consultation comes first at the top. Each woman listed is an
    access to her card, so each is checked and logged."""
    on = on or today_oslo()
    with transaction(s_or_engine) as s:
        staff = _staff_for(s, actor)
        if staff is None:
            raise AccessDenied("role_not_permitted", "only midwives and GPs keep cards")
        rows = s.exec(select(PregnancyRecord, Person)
                      .join(Person, Person.id == PregnancyRecord.woman_id)
                      .where(PregnancyRecord.active,
                             or_(PregnancyRecord.midwife_id == staff.id,
                                 PregnancyRecord.gp_id == staff.id))).all()
        summaries = []
        for record, woman in rows:
            _require(s, actor, woman.nin, Action.VIEW_CARD, object_type="pregnancy_list",
                     object_id=record.id)
            held = sorted(s.exec(select(Consultation.held_on)
                                 .where(Consultation.record_id == record.id)))
            schedule = (dating.recommended_schedule(record.due_date, held)
                        if record.due_date else [])
            last = held[-1] if held else None
            questions = s.exec(select(OwnNote.created_at).where(
                OwnNote.record_id == record.id, OwnNote.kind == NoteKind.QUESTION)).all()
            open_questions = sum(1 for at in questions
                                 if last is None or to_oslo(at).date() > last)
            summaries.append(WomanSummary(
                woman.nin, woman.full_name, age_on(woman.birth_date, on), record.due_date,
                _ga_text(record.due_date, on), dating.next_consultation(schedule, on), last,
                open_questions, "midwife" if record.midwife_id == staff.id else "gp"))
            _log(s, actor, woman.nin, "read", "pregnancy_list", record.id)
        far = dt.date.max
        summaries.sort(key=lambda w: (w.next_consultation.window_start
                                      if w.next_consultation else far, w.name))
        return summaries


__all__ = [
    "AuthorView", "Background", "CardError", "CardExists", "CardNotFound", "CardView",
    "ConsultationDraft", "ConsultationView", "FetusView", "FieldChange", "FollowUp",
    "ItemNotFound", "LabDraft", "LabResultView", "Overview", "OwnNoteView",
    "PregnancyDraft", "PregnancyForm", "StaleEdit", "ValidationFailed", "VersionView",
    "WomanSummary", "add_own_note", "create_card", "draft_of", "edit_consultation",
    "edit_lab_result", "get_card", "history", "my_women", "pregnancy_form",
    "record_consultation", "record_lab_result", "set_hidden_from_proxy", "update_pregnancy",
]
