"""The booking service: pupils book, move and cancel school-nurse appointments, and a
pregnant woman her consultations with her own midwife; nurses and midwives run their day and
their opening hours. Plain Python over SQLModel, no UI."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.access.enforcement import decide, record_access, require
from digihelse.access.fullmakt import shares_card
from digihelse.booking import ics
from digihelse.booking.models import (
    Booking,
    BookingStatus,
    CancelledBy,
    ClosedDay,
    DropInHours,
    OneOffHours,
    Slot,
    SlotStatus,
    Topic,
    WeeklySchedule,
)
from digihelse.booking.schedule import (
    Conflict,
    GenerationResult,
    SlotInterval,
    apply_plan,
    closes,
    format_breaks,
    parse_breaks,
    plan_generation,
)
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import DEFAULT_LANG, formatting, t
from digihelse.core.i18n.families import keyed
from digihelse.core.timeutil import OSLO, aware_utc, to_oslo
from digihelse.healthcard import dating
from digihelse.healthcard.models import Consultation, PregnancyRecord
from digihelse.notify.outbox import drop_pending, enqueue, transaction
from digihelse.people.models import (
    Enrollment,
    Person,
    Personnel,
    Place,
    PlaceKind,
    StaffAssignment,
    StaffRole,
)
from digihelse.people.registry import person_by_pid, personnel_by_pid

log = logging.getLogger(__name__)

# Calls that write (or log an access) take a Session or an Engine. With an Engine the call
# is one write transaction of its own (BEGIN IMMEDIATE on SQLite), committed on success:
# the booking, its access-log record and its outbox messages commit together or not at
# all. With a Session the call joins the caller's transaction and the caller commits.
SessionOrEngine = Session | Engine

# Health personnel who publish hours and manage their bookings. GPs keep no schedule here.
SCHEDULING_ROLES = frozenset({StaffRole.SCHOOL_NURSE, StaffRole.MIDWIFE})
# Whose free times pupils and parents book at a place (youth and basic service). A midwife's
# times are offered only to the women whose card names her (pregnancy service).
NURSE_ROLES = frozenset({StaffRole.SCHOOL_NURSE})
YOUTH_PLACES = frozenset({PlaceKind.LOWER_SECONDARY, PlaceKind.UPPER_SECONDARY,
                          PlaceKind.YOUTH_CLINIC})
SCHOOL_PLACES = frozenset({PlaceKind.LOWER_SECONDARY, PlaceKind.UPPER_SECONDARY})
OPEN_TO_ALL = frozenset({PlaceKind.YOUTH_CLINIC, PlaceKind.HEALTH_STATION})


@dataclass(frozen=True)
class BookingSettings:
    """The booking limits. Each is our choice, not a rule of law, hence a setting."""

    min_notice: dt.timedelta = dt.timedelta(hours=2)  # no booking closer to the start
    cancel_notice: dt.timedelta = dt.timedelta(hours=2)  # pupils cancel/move until then
    max_active_future_bookings: int = 2  # per pupil
    reminder_before: dt.timedelta = dt.timedelta(hours=24)
    alternatives: int = 3  # offered when a slot was taken
    alternatives_window: dt.timedelta = dt.timedelta(days=14)
    horizon_days: int = 28  # how far ahead slots are generated
    mark_grace: dt.timedelta = dt.timedelta(minutes=15)  # "Møtt" may be set this early

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BookingSettings:
        """DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES, ..._CANCEL_NOTICE_MINUTES,
        ..._MAX_ACTIVE, ..._REMINDER_HOURS, ..._HORIZON_DAYS."""
        env = os.environ if env is None else env
        base = cls()

        def number(name: str, default: int) -> int:
            raw = env.get(f"DIGIHELSE_BOOKING_{name}")
            return default if raw in (None, "") else int(raw)

        return replace(
            base,
            min_notice=dt.timedelta(minutes=number("MIN_NOTICE_MINUTES", 120)),
            cancel_notice=dt.timedelta(minutes=number("CANCEL_NOTICE_MINUTES", 120)),
            max_active_future_bookings=number("MAX_ACTIVE", base.max_active_future_bookings),
            reminder_before=dt.timedelta(hours=number("REMINDER_HOURS", 24)),
            horizon_days=number("HORIZON_DAYS", base.horizon_days),
        )


DEFAULT_SETTINGS = BookingSettings.from_env()  # the defaults unless the environment says


# --- errors -----------------------------------------------------------------------------


class BookingError(ServiceError):
    """A refused booking action. `code` is for logs and the API, `message_key` an i18n
    key for the sentence the page shows."""

    code = "booking_error"
    message_key = "booking.error.generic"

    def __init__(self, message: str = "", *, code: str | None = None,
                 message_key: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.code = code or self.code
        self.message_key = message_key or self.message_key


class SlotTaken(BookingError):
    """Somebody else booked this slot first."""

    code = "slot_taken"
    message_key = "booking.error.slot_taken"

    def __init__(self, alternatives: list[FreeSlot]) -> None:
        super().__init__()
        self.alternatives = alternatives


class SlotUnavailable(BookingError):
    """The slot does not exist, or the nurse blocked or withdrew it."""

    code = "slot_unavailable"
    message_key = "booking.error.slot_unavailable"


class TooLate(BookingError):
    """The time is past, or inside the notice; code says which ("past", "min_notice",
    "cancel_notice")."""

    code = "too_late"
    message_key = "booking.error.too_late"

    def __init__(self, code: str) -> None:
        super().__init__(f"too late: {code}", code=code, message_key=keyed("booking.error", code))


class LimitReached(BookingError):
    """The pupil already has the maximum number of upcoming appointments."""

    code = "limit_reached"
    message_key = "booking.error.limit_reached"

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit


class ClientKeyReused(BookingError):
    """The client's idempotency key was used before for another booking."""

    code = "client_key_reused"
    message_key = "booking.error.generic"


class BookingNotFound(BookingError):
    """No such booking."""

    code = "not_found"
    message_key = "booking.error.not_found"


class InvalidTransition(BookingError):
    """The booking is not in a state that allows this (e.g. marking a cancelled one)."""

    code = "invalid_transition"
    message_key = "booking.error.invalid_transition"


class ReasonRequired(BookingError):
    """A nurse who cancels must give the pupil a reason."""

    code = "reason_required"
    message_key = "booking.error.reason_required"


class SlotBooked(BookingError):
    """The slot has a booking: cancel or move it first."""

    code = "slot_booked"
    message_key = "booking.error.slot_booked"


class InvalidSchedule(BookingError):
    """Opening hours that do not make sense (end before start, bad break, ...)."""

    code = "invalid_schedule"
    message_key = "booking.error.invalid_schedule"



# --- wording (the catalogs' sms.* messages; dates by Babel) ------------------------------


def clock(at: dt.datetime) -> str:
    """"10.15": Norwegian writes the clock with a full stop."""
    return formatting.clock(at)


def format_when(at: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """"tirsdag 25. november kl. 10.15" (Oslo time)."""
    day = formatting.weekday_day_month(to_oslo(at).date(), lang)
    return f"{day} {t('time.at', lang)} {clock(at)}"


def slot_label(at: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """"Tirsdag 25. nov 10.15": the short form on a time button."""
    day = formatting.weekday_day_short_month(to_oslo(at).date(), lang)
    return f"{day.capitalize()} {clock(at)}"


def _day_words(start: dt.datetime, seen_on: dt.date, lang: str) -> str:
    day = to_oslo(start).date()
    if day == seen_on:
        return t("sms.day.today", lang)
    if day == seen_on + dt.timedelta(days=1):
        return t("sms.day.tomorrow", lang)
    return formatting.weekday_day_month(day, lang)


# Message bodies: plain words, no topic, no note, no place name, no health content, in the
# recipient's language (bokmål until a person can choose one). `where` is the message that
# says with whom or where: "hos helsesykepleier" for pupils; see sms_where().
NURSE_WORDS = "sms.where.nurse"


def _sms(key: str, where: str, lang: str, **values: object) -> str:
    text = t(key, lang, where=t(where, lang) if where else "", **values)
    return " ".join(text.split())  # no double space where `where` is empty


def sms_where(service: str, place_kind: str | None) -> str:
    """Where an SMS says the time is. Pupils and families: "hos helsesykepleier". A
    pregnancy consultation names only the kind of place ("på helsestasjonen", which serves
    children and families too), never "jordmor": others may read an SMS, and it must not
    tell that she is pregnant."""
    if service != Service.PREGNANCY:
        return NURSE_WORDS
    return "sms.where.health_station" if place_kind == PlaceKind.HEALTH_STATION else ""


def confirmation_text(start: dt.datetime, where: str = NURSE_WORDS,
                      lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.booked", where, lang, when=format_when(start, lang))


def moved_text(start: dt.datetime, where: str = NURSE_WORDS, lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.moved", where, lang, when=format_when(start, lang))


def reminder_text(start: dt.datetime, sent_on: dt.date, where: str = NURSE_WORDS,
                  lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.reminder", where, lang, day=_day_words(start, sent_on, lang),
                clock=clock(start))


def cancelled_text(start: dt.datetime, by_nurse: bool, where: str = NURSE_WORDS,
                   lang: str = DEFAULT_LANG) -> str:
    when = format_when(start, lang)
    if by_nurse:
        # The nurse's reason may say more than an SMS should; the pupil reads it in the app.
        key = "sms.cancelled.by_nurse" if where == NURSE_WORDS else "sms.cancelled.by_place"
        return _sms(key, where, lang, when=when)
    return _sms("sms.cancelled", where, lang, when=when)


# --- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeSlot:
    slot_id: int
    place_id: int
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    nurse_name: str

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def day(self) -> dt.date:
        """The Oslo date, for grouping by day."""
        return self.start_local.date()

    @property
    def label(self) -> str:
        return slot_label(self.start_at)


def group_by_day(slots: Iterable[FreeSlot]) -> list[tuple[dt.date, list[FreeSlot]]]:
    """Free slots grouped by Oslo date, days and times in order."""
    days: dict[dt.date, list[FreeSlot]] = {}
    for slot in sorted(slots, key=lambda x: x.start_at):
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


@dataclass(frozen=True)
class DropInWindow:
    """The next "åpen dør" at a place: information only, nothing to book."""

    place_id: int
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    label: str = ""

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def end_local(self) -> dt.datetime:
        return to_oslo(self.end_at)


@dataclass(frozen=True)
class PlaceInfo:
    place_id: int
    name: str
    kind: str
    address: str
    description: str
    service: str
    nurses: tuple[str, ...]
    next_drop_in: DropInWindow | None


@dataclass(frozen=True)
class Appointment:
    booking_id: int
    slot_id: int
    place_id: int
    place_name: str
    place_address: str
    nurse_name: str
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    status: str
    service: str
    topic: str | None
    note: str | None
    cancelled_by: str | None
    cancel_reason: str | None
    visibility_key: str  # "booking.visibility.youth": "Foreldrene dine kan ikke se denne timen"
    can_change: bool  # cancel or move still allowed for this viewer
    visit_key: str | None = None  # pregnancy: the recommended consultation, card.visit.<key>

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def label(self) -> str:
        return slot_label(self.start_at)


@dataclass(frozen=True)
class Appointments:
    upcoming: list[Appointment]
    past: list[Appointment]  # past and cancelled, newest first


@dataclass(frozen=True)
class BookingLine:
    booking_id: int
    pupil_pid: str
    pupil_name: str
    status: str
    service: str
    topic: str | None
    note: str | None
    visit_key: str | None = None  # pregnancy: the recommended consultation, card.visit.<key>


@dataclass(frozen=True)
class DayEntry:
    slot_id: int
    place_id: int
    place_name: str
    start_at: dt.datetime
    end_at: dt.datetime
    slot_status: str
    blocked_reason: str | None
    booking: BookingLine | None

    @property
    def label(self) -> str:
        return f"{clock(self.start_at)}–{clock(self.end_at)}"

    @property
    def is_free(self) -> bool:
        return self.booking is None and self.slot_status == SlotStatus.OPEN


@dataclass(frozen=True)
class DayView:
    day: dt.date
    entries: list[DayEntry]


# --- access -----------------------------------------------------------------------------

def _authorize(
    s: Session,
    actor: Actor,
    subject_pid: str | None,
    action: Action,
    *,
    place_id: int | None = None,
    service: Service = Service.YOUTH,
    object_id: int | None = None,
) -> str:
    """The one door to access control; returns the actor's relation to the subject
    ("self", "parent", "personnel", ...). Personnel must also serve the place."""
    if actor.is_personnel:
        _scheduler(s, actor, place_id)
    if subject_pid is None:
        if not actor.is_personnel:
            raise AccessDenied("personnel_only", "only personnel manage slots")
        return "personnel"
    decision = require(s, actor, subject_pid, service, action, object_type="appointment",
                       object_id=None if object_id is None else str(object_id))
    return str(decision.relation)


def record_booking_access(
    s: Session,
    actor: Actor,
    subject_pid: str,
    *,
    action: str,
    object_id: int | None,
    service: str,
) -> None:
    """Log an access in the caller's transaction. Youth-service and pregnancy rows are
    hidden from parents (the card and its consultations are hers, also as a minor)."""
    hidden = service in (Service.YOUTH, Service.PREGNANCY)
    record_access(s, actor, subject_pid, action=action, object_type="appointment",
                  object_id=None if object_id is None else str(object_id),
                  service=Service(service), hidden_from_parents=hidden)


def _scheduler(s: Session, actor: Actor, place_id: int | None = None) -> Personnel:
    """The acting nurse's or midwife's Personnel row; with place_id, she must serve that
    place. GPs and others keep no schedule here."""
    found = personnel_by_pid(s, actor.pid)
    if (found is None or found[1].role not in SCHEDULING_ROLES
            or actor.role not in SCHEDULING_ROLES):
        raise AccessDenied("role_not_permitted", "only nurses and midwives manage bookings")
    nurse = found[1]
    if place_id is not None and s.exec(select(StaffAssignment.id).where(
            StaffAssignment.personnel_id == nurse.id,
            StaffAssignment.place_id == place_id)).first() is None:
        raise AccessDenied("no_care_relation", "you do not serve this place")
    return nurse


def _booking_service(actor: Actor) -> Service:
    # A pupil booking for herself uses the youth service; a parent acting for a child
    # books in the basic service, which parents may see.
    return Service.BASIC if actor.on_behalf_of_pid else Service.YOUTH


def _check_place_for_person(s: Session, person: Person, place: Place) -> None:
    """Schools take their own pupils; youth clinics and health stations are open to all."""
    if place.kind in OPEN_TO_ALL:
        return
    if place.kind in SCHOOL_PLACES and s.exec(select(Enrollment.id).where(
            Enrollment.person_id == person.id, Enrollment.place_id == place.id)).first():
        return
    raise AccessDenied("not_your_place", "this place does not serve you",
                       "booking.error.not_your_place")


def _owner(s: Session, slot: Slot) -> Personnel:
    staff = s.get(Personnel, slot.personnel_id)
    assert staff is not None  # foreign key
    return staff


def _slot_service(s: Session, slot: Slot, actor: Actor) -> Service:
    """A midwife's time is a pregnancy consultation; a nurse's is youth or basic."""
    if _owner(s, slot).role == StaffRole.MIDWIFE:
        return Service.PREGNANCY
    return _booking_service(actor)


def _her_record(s: Session, person: Person, slot: Slot) -> PregnancyRecord:
    """Her active card, which must name the slot's midwife: only she has the care
    relation (and knows the card), so only her times are offered and booked."""
    record = s.exec(select(PregnancyRecord).where(
        PregnancyRecord.woman_id == person.id, PregnancyRecord.active,
        PregnancyRecord.midwife_id == slot.personnel_id)).first()
    if record is None:
        raise AccessDenied("not_her_midwife", "only the midwife on her card",
                           "booking.error.not_her_midwife")
    return record


def _visit_key(s: Session, record: PregnancyRecord, slot: Slot) -> str | None:
    """Which recommended consultation a time is for: the one whose window holds its day,
    else the next one not yet done (a time booked just after a window)."""
    if record.due_date is None:
        return None
    held = s.exec(select(Consultation.held_on).where(Consultation.record_id == record.id))
    schedule = dating.recommended_schedule(record.due_date, list(held))
    day = to_oslo(slot.start_at).date()
    item = next((i for i in schedule if i.window_start <= day <= i.window_end), None)
    if item is None or item.done:
        item = dating.next_consultation(schedule, day) or item
    return item.key if item is not None else None


# --- helpers ----------------------------------------------------------------------------


def _slot(s: Session, slot_id: int, *, lock: bool = False) -> Slot:
    query = select(Slot).where(Slot.id == slot_id)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
        query = query.with_for_update()
    slot = s.exec(query).first()
    if slot is None:
        raise SlotUnavailable()
    return slot


def _booking(s: Session, booking_id: int, *, lock: bool = False) -> tuple[Booking, Slot, Person]:
    query = select(Booking).where(Booking.id == booking_id)
    if lock:
        query = query.with_for_update()
    booking = s.exec(query).first()
    if booking is None:
        raise BookingNotFound()
    slot = s.get(Slot, booking.slot_id)
    person = s.get(Person, booking.person_id)
    assert slot is not None and person is not None  # foreign keys
    return booking, slot, person


def _pupil(s: Session, pid: str) -> Person:
    """The pupil's row, locked on PostgreSQL: two bookings of hers on different slots in
    parallel must not both pass the limit check (SQLite's BEGIN IMMEDIATE serialises)."""
    person = s.exec(select(Person).where(Person.nin == pid).with_for_update()).first()
    if person is None:
        raise AccessDenied("unknown_person", "no such person")
    return person


def _by_client_key(s: Session, client_key: str) -> Booking | None:
    return s.exec(select(Booking).where(Booking.client_key == client_key)).first()


def _check_input(client_key: str, topic: str | None, note: str | None) -> None:
    if not client_key or len(client_key) > 100:
        raise BookingError("client_key must be 1-100 characters", code="bad_request")
    if topic is not None and topic not in set(Topic):
        raise BookingError(f"unknown topic {topic!r}", code="bad_request")
    if note is not None and len(note) > 1000:
        raise BookingError("the note is too long", code="bad_request",
                           message_key="booking.error.note_too_long")


def _check_bookable(slot: Slot, now: dt.datetime, settings: BookingSettings,
                    *, by_nurse: bool = False) -> None:
    if slot.status != SlotStatus.OPEN:
        raise SlotUnavailable()
    if slot.start_at <= now:
        raise TooLate("past")
    if not by_nurse and slot.start_at < now + settings.min_notice:
        raise TooLate("min_notice")


def _check_limit(s: Session, person: Person, now: dt.datetime, settings: BookingSettings,
                 *, moving: int | None = None) -> None:
    query = (select(func.count()).select_from(Booking).join(Slot, Slot.id == Booking.slot_id)
             .where(Booking.person_id == person.id, Booking.status == BookingStatus.BOOKED,
                    Slot.start_at > now))
    if moving is not None:  # a move replaces a booking, it does not add one
        query = query.where(Booking.id != moving)
    if s.exec(query).one() >= settings.max_active_future_bookings:
        raise LimitReached(settings.max_active_future_bookings)


def _free_slot_rows(s: Session, place_id: int | None, start: dt.datetime, end: dt.datetime,
                    *, exclude: int | None = None,
                    personnel_id: int | None = None) -> list[FreeSlot]:
    """Free slots at a place (school nurses' only), or one midwife's (at a place, or at
    any of hers when place_id is None)."""
    taken = select(Booking.slot_id).where(Booking.status != BookingStatus.CANCELLED)
    query = (select(Slot, Person.given_name, Person.family_name)
             .join(Personnel, Personnel.id == Slot.personnel_id)
             .join(Person, Person.id == Personnel.person_id)
             .where(Slot.status == SlotStatus.OPEN,
                    Slot.start_at > start, Slot.start_at < end,
                    col(Slot.id).not_in(taken))
             .order_by(col(Slot.start_at), col(Slot.id)))
    if place_id is not None:
        query = query.where(Slot.place_id == place_id)
    if personnel_id is not None:
        query = query.where(Slot.personnel_id == personnel_id)
    else:
        query = query.where(col(Personnel.role).in_(list(NURSE_ROLES)))
    if exclude is not None:
        query = query.where(Slot.id != exclude)
    return [FreeSlot(slot.id, slot.place_id, slot.start_at, slot.end_at, f"{given} {family}")
            for slot, given, family in s.exec(query).all()]


def nearest_free(s: Session, slot: Slot, *, now: dt.datetime,
                 settings: BookingSettings = DEFAULT_SETTINGS) -> list[FreeSlot]:
    """The free slots at the same place nearest in time to `slot`, in time order; for a
    midwife's slot, only her own."""
    earliest = max(now + settings.min_notice, slot.start_at - settings.alternatives_window)
    midwife = slot.personnel_id if _owner(s, slot).role == StaffRole.MIDWIFE else None
    rows = _free_slot_rows(s, slot.place_id, earliest,
                           slot.start_at + settings.alternatives_window, exclude=slot.id,
                           personnel_id=midwife)
    rows.sort(key=lambda f: (abs(f.start_at - slot.start_at), f.start_at))
    return sorted(rows[:settings.alternatives], key=lambda f: f.start_at)


def _insert(s: Session, booking: Booking) -> bool:
    """Insert in a savepoint; False when the database refused it (the partial unique
    index on the slot, or the client key): the one race-proof test for a free slot."""
    try:
        with s.begin_nested():
            s.add(booking)
    except IntegrityError:
        return False
    return True


def _notify(s: Session, *, booking: Booking, person: Person, start: dt.datetime, kind: str,
            body: str, now: dt.datetime, settings: BookingSettings,
            reminder: bool = False, where: str = NURSE_WORDS) -> None:
    """Queue messages; a failure is logged and never undoes the booking. The keys name a
    booking that this transaction just wrote, so one savepoint for all of them is enough."""
    recipient = booking.booked_by_pid or person.nin
    try:
        with s.begin_nested():
            enqueue(s, recipient_pid=recipient, body=body, kind=kind,
                    dedupe_key=f"booking:{booking.id}:{kind}", now=now, guarded=False)
            send_at = start - settings.reminder_before
            if reminder and send_at > now:
                enqueue(s, recipient_pid=recipient, kind="reminder",
                        body=reminder_text(start, to_oslo(send_at).date(), where),
                        dedupe_key=_reminder_key(booking.id), send_at=send_at, now=now,
                        guarded=False)
    except Exception:
        log.exception("could not queue the message for booking %s", booking.id)


def _place_kind(s: Session, slot: Slot) -> str | None:
    place = s.get(Place, slot.place_id)
    return place.kind if place is not None else None


def _reminder_key(booking_id: int | None) -> str:
    return f"booking:{booking_id}:reminder"


def _cancel_row(s: Session, booking: Booking, *, now: dt.datetime, by: CancelledBy,
                reason: str | None) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = booking.updated_at = now
    booking.cancelled_by = by
    booking.cancel_reason = reason
    s.add(booking)
    s.flush()


# --- the pupil's side -------------------------------------------------------------------


def _next_drop_in(s: Session, place_id: int, now: dt.datetime,
                  days: int = 14) -> DropInWindow | None:
    rows = s.exec(select(DropInHours).where(DropInHours.place_id == place_id,
                                            DropInHours.active)).all()
    if not rows:
        return None
    today = to_oslo(now).date()
    closed = s.exec(select(ClosedDay).where(
        ClosedDay.active, ClosedDay.last_day >= today,
        ClosedDay.first_day <= today + dt.timedelta(days=days))).all()
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        windows = []
        for row in rows:
            if row.day is not None:
                applies = row.day == day
            else:
                applies = (row.weekday == day.weekday()
                           and (row.valid_from is None or row.valid_from <= day)
                           and (row.valid_to is None or day <= row.valid_to))
            if not applies or any(closes(c, day, row.personnel_id or -1, place_id)
                                  for c in closed):
                continue
            start = dt.datetime.combine(day, row.start_time, tzinfo=OSLO).astimezone(dt.UTC)
            end = dt.datetime.combine(day, row.end_time, tzinfo=OSLO).astimezone(dt.UTC)
            if end > now:
                windows.append(DropInWindow(place_id, start, end, row.label))
        if windows:
            return min(windows, key=lambda w: w.start_at)
    return None


def places_for_pupil(s: Session, pupil_pid: str, *,
                     now: dt.datetime | None = None) -> list[PlaceInfo]:
    """The pupil's school health service(s) first, then the youth clinics, each with its
    nurses and the next drop-in hours."""
    now = aware_utc(now)
    person = person_by_pid(s, pupil_pid)
    if person is None:
        return []
    schools = s.exec(select(Place).join(Enrollment, Enrollment.place_id == Place.id)
                     .where(Enrollment.person_id == person.id,
                            col(Place.kind).in_(list(SCHOOL_PLACES)))
                     .order_by(col(Place.name))).all()
    clinics_query = select(Place).where(Place.kind == PlaceKind.YOUTH_CLINIC)
    if person.municipality_id is not None:
        clinics_query = clinics_query.where(Place.municipality_id == person.municipality_id)
    clinics = s.exec(clinics_query.order_by(col(Place.name))).all()
    result = []
    for place in [*schools, *clinics]:
        nurses = s.exec(select(Person.given_name, Person.family_name)
                        .join(Personnel, Personnel.person_id == Person.id)
                        .join(StaffAssignment, StaffAssignment.personnel_id == Personnel.id)
                        .where(StaffAssignment.place_id == place.id,
                               col(Personnel.role).in_(list(NURSE_ROLES)))
                        .order_by(col(Person.given_name))).all()
        result.append(PlaceInfo(
            place.id, place.name, place.kind, place.address, place.description,
            Service.YOUTH, tuple(f"{g} {f}" for g, f in nurses),
            _next_drop_in(s, place.id, now),
        ))
    return result


def free_slots(
    s: Session,
    place_id: int,
    *,
    from_date: dt.date | None = None,
    days: int = 14,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> list[FreeSlot]:
    """Free slots at a place from `from_date` (Oslo) for `days` days, nearest first,
    never inside the minimum notice. Only school nurses' times: a midwife's are offered
    through midwife_free_slots(). Group them with group_by_day()."""
    now = aware_utc(now)
    from_date = from_date or to_oslo(now).date()
    start = dt.datetime.combine(from_date, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    end_day = from_date + dt.timedelta(days=days)
    end = dt.datetime.combine(end_day, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    earliest = max(start, now + settings.min_notice)
    # `> earliest` would drop a slot starting exactly at the window start; include it.
    return _free_slot_rows(s, place_id, earliest - dt.timedelta(microseconds=1), end)


def midwife_free_slots(
    s: Session,
    midwife_id: int,
    *,
    from_date: dt.date,
    days: int,
    place_id: int | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> list[FreeSlot]:
    """One midwife's free times (at one place of hers, or all), like free_slots(). Who may
    book them is checked by book(): the women whose card names her."""
    now = aware_utc(now)
    start, _ = _day_bounds(from_date)
    _, end = _day_bounds(from_date + dt.timedelta(days=days - 1))
    earliest = max(start, now + settings.min_notice)
    return _free_slot_rows(s, place_id, earliest - dt.timedelta(microseconds=1), end,
                           personnel_id=midwife_id)


def book(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    *,
    slot_id: int,
    client_key: str,
    topic: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> Booking:
    """Book a slot for the actor's subject (the pupil herself, or a parent's child in the
    basic service; or, on a midwife's slot, a pregnancy consultation for the woman whose
    active card names that midwife). The same client_key returns the same booking.

    Raises SlotTaken (with the nearest alternatives), SlotUnavailable, TooLate,
    LimitReached, ClientKeyReused, AccessDenied."""
    now = aware_utc(now)
    _check_input(client_key, topic, note)
    note = (note or "").strip() or None
    with transaction(s_or_engine) as s:
        if actor.is_personnel:
            raise AccessDenied("personnel_cannot_book", "pupils book their own appointments")
        slot = _slot(s, slot_id, lock=True)
        person = _pupil(s, actor.subject_pid)
        place = s.get(Place, slot.place_id)
        assert place is not None
        service = _slot_service(s, slot, actor)
        _authorize(s, actor, person.nin, Action.BOOK, place_id=place.id, service=service)
        visit_key = None
        if service == Service.PREGNANCY:
            visit_key = _visit_key(s, _her_record(s, person, slot), slot)
            topic = None  # the topics are the youth service's
        else:
            _check_place_for_person(s, person, place)

        existing = _by_client_key(s, client_key)
        if existing is not None:
            return _same_request(existing, slot_id=slot.id, person=person, moved_from=None)
        _check_bookable(slot, now, settings)
        _check_limit(s, person, now, settings)

        booking = Booking(
            slot_id=slot.id, person_id=person.id, service=service, topic=topic, note=note,
            visit_key=visit_key, client_key=client_key, created_at=now, updated_at=now,
            booked_by_pid=actor.pid if actor.pid != person.nin else None,
        )
        if not _insert(s, booking):
            return _after_refused_insert(s, client_key, slot, person, now, settings)
        record_booking_access(s, actor, person.nin, action="create", object_id=booking.id,
                              service=service)
        where = sms_where(service, place.kind)
        _notify(s, booking=booking, person=person, start=slot.start_at, kind="confirmed",
                body=confirmation_text(slot.start_at, where), now=now, settings=settings,
                reminder=True, where=where)
        return booking


def _same_request(existing: Booking, *, slot_id: int, person: Person,
                  moved_from: int | None) -> Booking:
    if (existing.slot_id, existing.person_id, existing.moved_from_booking_id) != (
            slot_id, person.id, moved_from):
        raise ClientKeyReused()
    return existing


def _after_refused_insert(s: Session, client_key: str, slot: Slot, person: Person,
                          now: dt.datetime, settings: BookingSettings,
                          moved_from: int | None = None) -> Booking:
    """The database refused the insert: the same request committed meanwhile (return
    it), the pupil already holds this slot (return that), or somebody else took it."""
    again = _by_client_key(s, client_key)
    if again is not None:
        return _same_request(again, slot_id=slot.id, person=person, moved_from=moved_from)
    holder = s.exec(select(Booking).where(Booking.slot_id == slot.id,
                                          Booking.status != BookingStatus.CANCELLED)).first()
    if holder is not None and holder.person_id == person.id and moved_from is None:
        return holder
    raise SlotTaken(nearest_free(s, slot, now=now, settings=settings))


def cancel(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    now: dt.datetime | None = None,
    reason: str | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> Booking:
    """Cancel a booking. Pupils (and parents in the basic service) until the cancel
    notice; nurses at any time, with a reason the pupil reads in the app."""
    now = aware_utc(now)
    reason = (reason or "").strip() or None
    with transaction(s_or_engine) as s:
        booking, slot, person = _booking(s, booking_id, lock=True)
        _authorize(s, actor, person.nin, Action.CANCEL, place_id=slot.place_id,
                   service=Service(booking.service), object_id=booking.id)
        if booking.status == BookingStatus.CANCELLED:
            return booking  # a repeated request
        if booking.status != BookingStatus.BOOKED:
            raise InvalidTransition()
        by_nurse = actor.is_personnel
        if by_nurse and reason is None:
            raise ReasonRequired()
        if not by_nurse and slot.start_at - settings.cancel_notice < now:
            raise TooLate("cancel_notice")
        _cancel_row(s, booking, now=now, by=CancelledBy.NURSE if by_nurse else CancelledBy.PUPIL,
                    reason=reason)
        drop_pending(s, [_reminder_key(booking.id)], now=now)
        record_booking_access(s, actor, person.nin, action="update", object_id=booking.id,
                service=booking.service)
        where = sms_where(booking.service, _place_kind(s, slot))
        _notify(s, booking=booking, person=person, start=slot.start_at, kind="cancelled",
                body=cancelled_text(slot.start_at, by_nurse, where), now=now,
                settings=settings)
        return booking


def move(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    new_slot_id: int,
    client_key: str,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> Booking:
    """Move a booking to another slot in one step: the old one is cancelled and the new
    one booked in one transaction. If the new slot is taken, nothing changes (SlotTaken)."""
    now = aware_utc(now)
    _check_input(client_key, None, None)
    with transaction(s_or_engine) as s:
        old, old_slot, person = _booking(s, booking_id, lock=True)
        person = _pupil(s, person.nin)
        service = Service(old.service)
        _authorize(s, actor, person.nin, Action.CANCEL, place_id=old_slot.place_id,
                   service=service, object_id=old.id)
        new_slot = _slot(s, new_slot_id, lock=True)
        _authorize(s, actor, person.nin, Action.BOOK, place_id=new_slot.place_id,
                   service=service)
        pregnancy = service == Service.PREGNANCY
        if pregnancy != (_owner(s, new_slot).role == StaffRole.MIDWIFE):
            raise SlotUnavailable()  # a pupil's time never moves to a midwife, nor back
        visit_key = old.visit_key
        if pregnancy:
            visit_key = _visit_key(s, _her_record(s, person, new_slot), new_slot)
        else:
            _check_place_for_person(s, person, s.get(Place, new_slot.place_id))

        existing = _by_client_key(s, client_key)
        if existing is not None:
            return _same_request(existing, slot_id=new_slot.id, person=person, moved_from=old.id)
        if old.status != BookingStatus.BOOKED:
            raise InvalidTransition()
        if new_slot.id == old_slot.id:
            return old
        by_nurse = actor.is_personnel
        if not by_nurse and old_slot.start_at - settings.cancel_notice < now:
            raise TooLate("cancel_notice")
        _check_bookable(new_slot, now, settings, by_nurse=by_nurse)
        _check_limit(s, person, now, settings, moving=old.id)

        new = Booking(
            slot_id=new_slot.id, person_id=person.id, service=old.service, topic=old.topic,
            note=old.note, visit_key=visit_key, client_key=client_key,
            guardian_reservation=old.guardian_reservation,
            booked_by_pid=old.booked_by_pid, moved_from_booking_id=old.id,
            created_at=now, updated_at=now,
        )
        by = CancelledBy.NURSE if by_nurse else CancelledBy.PUPIL
        try:
            with s.begin_nested():  # both rows or neither
                _cancel_row(s, old, now=now, by=by, reason="moved")
                s.add(new)
        except IntegrityError:
            s.refresh(old)
            return _after_refused_insert(s, client_key, new_slot, person, now, settings,
                                         moved_from=old.id)
        drop_pending(s, [_reminder_key(old.id)], now=now)
        record_booking_access(s, actor, person.nin, action="update", object_id=old.id,
                              service=old.service)
        record_booking_access(s, actor, person.nin, action="create", object_id=new.id,
                              service=new.service)
        where = sms_where(new.service, _place_kind(s, new_slot))
        _notify(s, booking=new, person=person, start=new_slot.start_at, kind="moved",
                body=moved_text(new_slot.start_at, where), now=now, settings=settings,
                reminder=True, where=where)
        return new


def appointments_for(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    person_pid: str,
    *,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> Appointments:
    """A person's upcoming and past appointments, as far as the actor may see them: each
    booking only when the actor may view that service's appointments (parents never see the
    youth service, the pregnancy consultations nor reserved bookings; a partner with
    fullmakt sees her pregnancy consultations, read only)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        person = person_by_pid(s, person_pid)
        if person is None:
            raise AccessDenied("unknown_person", "no such person")
        places = None
        if actor.is_personnel:
            # Personnel see the bookings at the places they serve.
            nurse = _scheduler(s, actor)
            places = set(s.exec(select(StaffAssignment.place_id)
                                .where(StaffAssignment.personnel_id == nurse.id)).all())
        decisions = _viewable(s, actor, person_pid)
        shared = shares_card(s, person, now)
        rows = s.exec(
            select(Booking, Slot, Place, Person.given_name, Person.family_name)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Place, Place.id == Slot.place_id)
            .join(Personnel, Personnel.id == Slot.personnel_id)
            .join(Person, Person.id == Personnel.person_id)
            .where(Booking.person_id == person.id)
            .order_by(col(Slot.start_at))
        ).all()
        upcoming, past = [], []
        for booking, slot, place, given, family in rows:
            if places is not None and slot.place_id not in places:
                continue
            decision = decisions.get(Service(booking.service))
            if decision is None or not _visible(decision.relation, booking):
                continue
            relation = decision.relation
            appointment = Appointment(
                booking.id, slot.id, place.id, place.name, place.address, f"{given} {family}",
                slot.start_at, slot.end_at, booking.status, booking.service, booking.topic,
                booking.note, booking.cancelled_by, booking.cancel_reason,
                _visibility_key(booking, shared, relation),
                can_change=booking.status == BookingStatus.BOOKED
                and decision.allows(Action.CANCEL) and (
                    actor.is_personnel or slot.start_at - settings.cancel_notice >= now),
                visit_key=booking.visit_key,
            )
            active = booking.status == BookingStatus.BOOKED and slot.end_at > now
            (upcoming if active else past).append(appointment)
            if relation != "self":
                record_booking_access(s, actor, person.nin, action="read", object_id=booking.id,
                        service=booking.service)
        past.reverse()
        return Appointments(upcoming, past)


def _viewable(s: Session, actor: Actor, person_pid: str) -> dict[Service, Any]:
    """The policy's decision for each service whose appointments the actor may view. When
    there is none, the refusal is logged and raised, as for any other refused call."""
    decisions = {service: decide(s, actor, person_pid, service) for service in Service}
    allowed = {service: d for service, d in decisions.items()
               if d.allows(Action.VIEW_APPOINTMENTS)}
    if not allowed:
        fallback = Service.YOUTH if actor.subject_pid == actor.pid else Service.BASIC
        require(s, actor, person_pid, fallback, Action.VIEW_APPOINTMENTS,
                object_type="appointment")  # raises AccessDenied, logged
    return allowed


def _visible(relation: str, booking: Booking) -> bool:
    """Parents see basic-service bookings without a reservation; others follow policy."""
    from digihelse.access.policy import ItemFacts, item_visible

    try:
        return item_visible(relation, ItemFacts(service=Service(booking.service),
                                                guardian_reservation=booking.guardian_reservation))
    except ValueError:  # a relation the policy does not know: show only one's own
        return relation == "self"


def pregnancy_visibility_key(shared: bool, relation: str = "self") -> str:
    """Who sees a pregnancy consultation, as the viewer should read it."""
    if relation == "fullmakt":
        return "booking.visibility.pregnancy_proxy"
    return "booking.visibility.pregnancy_shared" if shared else "booking.visibility.pregnancy"


def _visibility_key(booking: Booking, shared_pregnancy: bool = False,
                    relation: str = "self") -> str:
    if booking.service == Service.YOUTH:
        return "booking.visibility.youth"
    if booking.service == Service.PREGNANCY:
        return pregnancy_visibility_key(shared_pregnancy, relation)
    return "booking.visibility.reserved" if booking.guardian_reservation else (
        "booking.visibility.basic")


def calendar_file(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    now: dt.datetime | None = None,
) -> str:
    """An iCalendar file for one booking, made only when the pupil asks for it."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, slot, person = _booking(s, booking_id)
        relation = _authorize(s, actor, person.nin, Action.VIEW_APPOINTMENTS,
                              place_id=slot.place_id, service=Service(booking.service),
                              object_id=booking.id)
        if not _visible(relation, booking):
            raise BookingNotFound()
        place = s.get(Place, slot.place_id)
        assert place is not None
        if relation != "self":
            record_booking_access(s, actor, person.nin, action="read", object_id=booking.id,
                    service=booking.service)
        return ics.booking_event(
            uid=f"booking-{booking.id}", start_at=slot.start_at, end_at=slot.end_at,
            location=", ".join(part for part in (place.name, place.address) if part),
            description=f"{format_when(slot.start_at).capitalize()} (norsk tid).",
            stamp=now, cancelled=booking.status == BookingStatus.CANCELLED,
            # The file is hers, asked for by her: "jordmor" is no news to her calendar.
            summary="Time hos jordmor" if booking.service == Service.PREGNANCY
            else ics.SUMMARY,
        )


# --- the nurse's side -------------------------------------------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=OSLO)
    return start, end.astimezone(dt.UTC)


def _views(s: Session, actor: Actor, first: dt.date, days: int,
           place_id: int | None) -> list[DayView]:
    nurse = _authorize_schedule(s, actor, place_id)
    start, _ = _day_bounds(first)
    _, end = _day_bounds(first + dt.timedelta(days=days - 1))
    query = (select(Slot, Place.name).join(Place, Place.id == Slot.place_id)
             .where(Slot.personnel_id == nurse.id, Slot.start_at >= start, Slot.start_at < end)
             .order_by(col(Slot.start_at)))
    if place_id is not None:
        query = query.where(Slot.place_id == place_id)
    slots = s.exec(query).all()
    lines: dict[int, BookingLine] = {}
    if slots:
        rows = s.exec(select(Booking, Person)
                      .join(Person, Person.id == Booking.person_id)
                      .where(col(Booking.slot_id).in_([slot.id for slot, _ in slots]),
                             Booking.status != BookingStatus.CANCELLED)).all()
        for booking, pupil in rows:
            lines[booking.slot_id] = BookingLine(
                booking.id, pupil.nin, pupil.full_name, booking.status, booking.service,
                booking.topic, booking.note, booking.visit_key)
            record_booking_access(s, actor, pupil.nin, action="read", object_id=booking.id,
                    service=booking.service)
    by_day: dict[dt.date, list[DayEntry]] = {
        first + dt.timedelta(days=i): [] for i in range(days)}
    for slot, place_name in slots:
        line = lines.get(slot.id)
        if slot.status == SlotStatus.WITHDRAWN and line is None:
            continue
        by_day.setdefault(to_oslo(slot.start_at).date(), []).append(DayEntry(
            slot.id, slot.place_id, place_name, slot.start_at, slot.end_at, slot.status,
            slot.blocked_reason, line))
    return [DayView(day, entries) for day, entries in sorted(by_day.items())]


def day_view(s_or_engine: SessionOrEngine, actor: Actor, day: dt.date, *,
             place_id: int | None = None) -> DayView:
    """The nurse's own slots on one Oslo day: bookings with pupil and note, free and
    blocked slots. Every booking shown is logged as a read."""
    with transaction(s_or_engine) as s:
        return _views(s, actor, day, 1, place_id)[0]


def week_view(s_or_engine: SessionOrEngine, actor: Actor, week_start: dt.date, *,
              place_id: int | None = None) -> list[DayView]:
    """Seven DayViews from week_start (give a Monday for a calendar week)."""
    with transaction(s_or_engine) as s:
        return _views(s, actor, week_start, 7, place_id)


def _mark(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, status: BookingStatus,
          now: dt.datetime | None, settings: BookingSettings) -> Booking:
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, slot, person = _booking(s, booking_id, lock=True)
        if not actor.is_personnel:
            raise AccessDenied("personnel_only", "only the nurse marks attendance")
        _authorize(s, actor, person.nin, Action.MANAGE_SCHEDULE, place_id=slot.place_id,
                   service=Service(booking.service), object_id=booking.id)
        if booking.status == BookingStatus.CANCELLED:
            raise InvalidTransition()
        if slot.start_at - settings.mark_grace > now:
            raise InvalidTransition("the appointment has not started",
                                    code="not_started")
        if booking.status != status:  # attended <-> no_show may be corrected
            booking.status, booking.marked_at, booking.updated_at = status, now, now
            s.add(booking)
            s.flush()
            drop_pending(s, [_reminder_key(booking.id)], now=now)
            record_booking_access(s, actor, person.nin, action="update", object_id=booking.id,
                    service=booking.service)
        return booking


def mark_attended(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *,
                  now: dt.datetime | None = None,
                  settings: BookingSettings = DEFAULT_SETTINGS) -> Booking:
    """"Møtt"."""
    return _mark(s_or_engine, actor, booking_id, BookingStatus.ATTENDED, now, settings)


def mark_no_show(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *,
                 now: dt.datetime | None = None,
                 settings: BookingSettings = DEFAULT_SETTINGS) -> Booking:
    """"Ikke møtt"."""
    return _mark(s_or_engine, actor, booking_id, BookingStatus.NO_SHOW, now, settings)


def set_guardian_reservation(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int,
                             reserved: bool, *, now: dt.datetime | None = None) -> Booking:
    """Vergeinnsynsreservasjon: the nurse hides a basic-service booking from the parents
    (pasient- og brukerrettighetsloven § 3-4). Decided by personnel, never by the child."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, slot, person = _booking(s, booking_id, lock=True)
        if not actor.is_personnel:
            raise AccessDenied("personnel_only", "only health personnel decide this")
        _authorize(s, actor, person.nin, Action.MANAGE_SCHEDULE, place_id=slot.place_id,
                   service=Service(booking.service), object_id=booking.id)
        if booking.guardian_reservation != reserved:
            booking.guardian_reservation, booking.updated_at = reserved, now
            s.add(booking)
            s.flush()
            record_booking_access(s, actor, person.nin, action="update", object_id=booking.id,
                    service=booking.service)
        return booking


def _authorize_schedule(s: Session, actor: Actor, place_id: int | None) -> Personnel:
    _authorize(s, actor, None, Action.MANAGE_SCHEDULE, place_id=place_id)
    return _scheduler(s, actor, place_id)


def own_free_slots(s_or_engine: SessionOrEngine, actor: Actor, place_id: int, *,
                   days: int = 28, exclude: int | None = None,
                   now: dt.datetime | None = None) -> list[FreeSlot]:
    """The nurse's (or midwife's) own free times at a place from now on, for moving a
    booking there. No minimum notice: she may move a time she agrees on the phone."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        nurse = _authorize_schedule(s, actor, place_id)
        _, end = _day_bounds(to_oslo(now).date() + dt.timedelta(days=days))
        return _free_slot_rows(s, place_id, now, end, exclude=exclude, personnel_id=nurse.id)


def _own_slot(s: Session, actor: Actor, slot_id: int) -> Slot:
    slot = _slot(s, slot_id, lock=True)
    nurse = _authorize_schedule(s, actor, slot.place_id)
    if slot.personnel_id != nurse.id:
        raise AccessDenied("not_your_slot", "this is another nurse's slot")
    return slot


def block_slot(s_or_engine: SessionOrEngine, actor: Actor, slot_id: int, *,
               reason: str | None = None, now: dt.datetime | None = None) -> Slot:
    """Close one free slot by hand. A booked slot must be cancelled or moved first."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        slot = _own_slot(s, actor, slot_id)
        if slot.status == SlotStatus.WITHDRAWN:
            raise SlotUnavailable()
        if s.exec(select(Booking.id).where(Booking.slot_id == slot.id,
                                           Booking.status != BookingStatus.CANCELLED)).first():
            raise SlotBooked()
        slot.status, slot.blocked_reason, slot.updated_at = SlotStatus.BLOCKED, reason, now
        s.add(slot)
        s.flush()
        return slot


def unblock_slot(s_or_engine: SessionOrEngine, actor: Actor, slot_id: int, *,
                 now: dt.datetime | None = None) -> Slot:
    """Open a blocked slot again."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        slot = _own_slot(s, actor, slot_id)
        if slot.status == SlotStatus.BLOCKED:
            slot.status, slot.blocked_reason, slot.updated_at = SlotStatus.OPEN, None, now
            s.add(slot)
            s.flush()
        elif slot.status != SlotStatus.OPEN:
            raise SlotUnavailable()
        return slot


# --- the nurse's opening hours ----------------------------------------------------------


@dataclass(frozen=True)
class WeeklyHours:
    """"Tirsdag 09.00–14.00, 20 minutter, lunsj 11.30–12.00" at one place."""

    place_id: int
    weekday: int  # 0 = Monday
    start: dt.time
    end: dt.time
    slot_minutes: int = 20
    breaks: str | tuple[str, ...] = ""
    valid_from: dt.date | None = None  # None: from today
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class ExtraHours:
    """One-off hours: "Ekstra: fredag 28. nov 12–14"."""

    place_id: int
    day: dt.date
    start: dt.time
    end: dt.time
    slot_minutes: int = 20
    breaks: str | tuple[str, ...] = ""
    label: str = ""


@dataclass(frozen=True)
class Closure:
    """Closed days ("Høstferie"). Without place_id the nurse is away everywhere; with
    whole_place the place is closed for every nurse there."""

    first_day: dt.date
    last_day: dt.date
    label: str = ""
    place_id: int | None = None
    whole_place: bool = False


@dataclass(frozen=True)
class DropIn:
    """"Åpen dør": weekly (weekday) or on one date (day); information only."""

    place_id: int
    start: dt.time
    end: dt.time
    weekday: int | None = None
    day: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    label: str = ""


ScheduleEdit = WeeklyHours | ExtraHours | Closure | DropIn
_TABLES: dict[type, type] = {WeeklyHours: WeeklySchedule, ExtraHours: OneOffHours,
                             Closure: ClosedDay, DropIn: DropInHours}
_KINDS: dict[str, type] = {"weekly": WeeklySchedule, "one_off": OneOffHours,
                           "closed": ClosedDay, "drop_in": DropInHours}


@dataclass(frozen=True)
class SlotSummary:
    slot_id: int | None  # None for a slot that would be created
    place_id: int
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{slot_label(self.start_at)}–{clock(self.end_at)}"


@dataclass(frozen=True)
class SchedulePreview:
    """What a change would do to the future slots. Conflicts are booked slots the change
    would remove: they are kept, and the nurse decides about each booking."""

    create: list[SlotSummary]
    withdraw: list[SlotSummary]
    conflicts: list[Conflict]


@dataclass(frozen=True)
class ScheduleChange:
    kind: str  # "weekly", "one_off", "closed", "drop_in"
    item_id: int
    generation: GenerationResult


@dataclass(frozen=True)
class MySchedule:
    weekly: list[WeeklySchedule] = field(default_factory=list)
    one_offs: list[OneOffHours] = field(default_factory=list)
    closed: list[ClosedDay] = field(default_factory=list)
    drop_ins: list[DropInHours] = field(default_factory=list)


def _kind_of(table: type) -> str:
    return next(kind for kind, model in _KINDS.items() if model is table)


def _validate(edit: ScheduleEdit, today: dt.date) -> dict[str, Any]:
    """Check an edit and turn it into column values."""
    def bad(message: str) -> InvalidSchedule:
        return InvalidSchedule(message)

    if isinstance(edit, Closure):
        if edit.last_day < edit.first_day:
            raise bad("the last closed day is before the first")
        return {"first_day": edit.first_day, "last_day": edit.last_day, "label": edit.label}
    if edit.end <= edit.start:
        raise bad("the hours must end after they start")
    values: dict[str, Any] = {"place_id": edit.place_id, "start_time": edit.start,
                              "end_time": edit.end}
    if isinstance(edit, DropIn):
        if (edit.weekday is None) == (edit.day is None):
            raise bad("drop-in hours need either a weekday or a date")
        if edit.weekday is not None and not 0 <= edit.weekday <= 6:
            raise bad("weekday must be 0 (Monday) to 6 (Sunday)")
        values.update(weekday=edit.weekday, day=edit.day, valid_from=edit.valid_from,
                      valid_to=edit.valid_to, label=edit.label)
        return values
    if not 5 <= edit.slot_minutes <= 240:
        raise bad("a slot must be 5 to 240 minutes")
    try:
        breaks = parse_breaks(edit.breaks)
    except ValueError as exc:
        raise bad(str(exc)) from exc
    if any(b_start < edit.start or b_end > edit.end for b_start, b_end in breaks):
        raise bad("a break must lie inside the hours")
    values.update(slot_minutes=edit.slot_minutes, breaks=format_breaks(breaks))
    if isinstance(edit, ExtraHours):
        values.update(day=edit.day, label=edit.label)
        return values
    if not 0 <= edit.weekday <= 6:
        raise bad("weekday must be 0 (Monday) to 6 (Sunday)")
    valid_from = edit.valid_from or today
    if edit.valid_to is not None and edit.valid_to < valid_from:
        raise bad("valid_to is before valid_from")
    values.update(weekday=edit.weekday, valid_from=valid_from, valid_to=edit.valid_to)
    return values


def _affected(s: Session, nurse: Personnel, row: Any) -> set[int]:
    """Whose slots a change touches: a whole-place closure touches every nurse there."""
    if isinstance(row, ClosedDay) and row.personnel_id is None and row.place_id is not None:
        return set(s.exec(select(StaffAssignment.personnel_id)
                          .where(StaffAssignment.place_id == row.place_id)).all())
    return {nurse.id}


def _owned(s: Session, actor: Actor, table: type, item_id: int) -> tuple[Personnel, Any]:
    row = s.get(table, item_id)
    if row is None or not row.active:
        raise InvalidSchedule("no such entry", code="not_found")
    nurse = _authorize_schedule(s, actor, getattr(row, "place_id", None))
    if getattr(row, "personnel_id", None) not in (None, nurse.id):
        raise AccessDenied("not_your_schedule", "this is another nurse's schedule")
    return nurse, row


def _apply_edit(s: Session, actor: Actor, edit: ScheduleEdit | None, *, item_id: int | None,
                delete_kind: str | None, now: dt.datetime) -> tuple[Personnel, Any, set[int]]:
    """Write one change (not committed); returns the nurse, the row and whose slots move."""
    today = to_oslo(now).date()
    if delete_kind is not None:
        if item_id is None or delete_kind not in _KINDS:
            raise InvalidSchedule("what to delete?", code="bad_request")
        nurse, row = _owned(s, actor, _KINDS[delete_kind], item_id)
        affected = _affected(s, nurse, row)
        row.active = False
        s.add(row)
        s.flush()
        return nurse, row, affected
    if edit is None:
        raise InvalidSchedule("nothing to change", code="bad_request")
    values = _validate(edit, today)
    table = _TABLES[type(edit)]
    if isinstance(edit, Closure):
        place_id = edit.place_id
        nurse = _authorize_schedule(s, actor, place_id)
        values.update(place_id=place_id,
                      personnel_id=None if edit.whole_place and place_id else nurse.id)
    else:
        nurse = _authorize_schedule(s, actor, edit.place_id)
        if table is not DropInHours:
            values["personnel_id"] = nurse.id
    if item_id is None:
        row = table(**values, created_at=now)
        if isinstance(row, DropInHours):
            row.personnel_id = nurse.id
        before: set[int] = set()
    else:
        nurse, row = _owned(s, actor, table, item_id)
        before = _affected(s, nurse, row)
        for name, value in values.items():
            setattr(row, name, value)
        if hasattr(row, "updated_at"):
            row.updated_at = now
    s.add(row)
    s.flush()
    return nurse, row, before | _affected(s, nurse, row)


def save_schedule_item(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    edit: ScheduleEdit,
    *,
    item_id: int | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> ScheduleChange:
    """Create (item_id None) or update weekly hours, one-off hours, a closure or drop-in
    hours, and bring the future slots in line at once. Booked slots are never removed:
    they come back as conflicts in the result."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _, row, affected = _apply_edit(s, actor, edit, item_id=item_id, delete_kind=None,
                                       now=now)
        result = _regenerate(s, affected, row, now, settings)
        return ScheduleChange(_kind_of(type(row)), row.id, result)


def delete_schedule_item(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    kind: str,
    item_id: int,
    *,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> ScheduleChange:
    """Delete ("weekly", "one_off", "closed" or "drop_in"); kept as inactive for history."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _, row, affected = _apply_edit(s, actor, None, item_id=item_id, delete_kind=kind,
                                       now=now)
        result = _regenerate(s, affected, row, now, settings)
        return ScheduleChange(kind, row.id, result)


def _regenerate(s: Session, affected: set[int], row: Any, now: dt.datetime,
                settings: BookingSettings) -> GenerationResult:
    if isinstance(row, DropInHours) or not affected:
        return GenerationResult(0, 0, [])
    plan = plan_generation(s, today=to_oslo(now).date(), days_ahead=settings.horizon_days,
                           now=now, personnel_ids=affected)
    return apply_plan(s, plan, now=now)


def preview_schedule_change(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    edit: ScheduleEdit | None = None,
    *,
    item_id: int | None = None,
    delete_kind: str | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings = DEFAULT_SETTINGS,
) -> SchedulePreview:
    """Which future slots a change would create and withdraw, and which booked slots it
    would conflict with. The change is made in a savepoint and rolled back: the preview
    runs the very code the change will."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        savepoint = s.begin_nested()
        try:
            _, row, affected = _apply_edit(s, actor, edit, item_id=item_id,
                                           delete_kind=delete_kind, now=now)
            if isinstance(row, DropInHours) or not affected:
                return SchedulePreview([], [], [])
            plan = plan_generation(s, today=to_oslo(now).date(),
                                   days_ahead=settings.horizon_days, now=now,
                                   personnel_ids=affected)
            create = [SlotSummary(None, i.place_id, i.start_at, i.end_at)
                      for i in _with_reopened(plan.create, plan.reopen)]
            withdraw = [SlotSummary(slot.id, slot.place_id, slot.start_at, slot.end_at)
                        for slot in plan.withdraw]
            return SchedulePreview(create, withdraw, list(plan.conflicts))
        finally:
            savepoint.rollback()


def _with_reopened(create: list[SlotInterval], reopen: list[tuple[Slot, SlotInterval]]
                   ) -> list[SlotInterval]:
    return sorted([*create, *(i for _, i in reopen)], key=lambda i: i.start_at)


def my_schedule(s: Session, actor: Actor) -> MySchedule:
    """The nurse's active opening hours, closures and drop-in hours."""
    nurse = _authorize_schedule(s, actor, None)
    places = list(s.exec(select(StaffAssignment.place_id)
                         .where(StaffAssignment.personnel_id == nurse.id)).all())
    closed_here = or_(ClosedDay.personnel_id == nurse.id,
                      and_(col(ClosedDay.personnel_id).is_(None),
                           col(ClosedDay.place_id).in_(places)))
    return MySchedule(
        weekly=list(s.exec(
            select(WeeklySchedule)
            .where(WeeklySchedule.personnel_id == nurse.id, WeeklySchedule.active)
            .order_by(col(WeeklySchedule.weekday), col(WeeklySchedule.start_time))).all()),
        one_offs=list(s.exec(
            select(OneOffHours)
            .where(OneOffHours.personnel_id == nurse.id, OneOffHours.active)
            .order_by(col(OneOffHours.day))).all()),
        closed=list(s.exec(
            select(ClosedDay).where(ClosedDay.active, closed_here)
            .order_by(col(ClosedDay.first_day))).all()),
        drop_ins=list(s.exec(
            select(DropInHours)
            .where(col(DropInHours.place_id).in_(places), DropInHours.active)).all()),
    )


# --- reminders (the job's safety net) ---------------------------------------------------


def queue_reminders(s_or_engine: SessionOrEngine, *, now: dt.datetime | None = None,
                    settings: BookingSettings = DEFAULT_SETTINGS) -> int:
    """Queue the 24-hour reminder for bookings now inside that window which were booked
    before it. Booking already queues it; this catches any that were missed. The
    dedupe key makes it once per booking."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        rows = s.exec(
            select(Booking, Slot, Person, Place.kind).join(Slot, Slot.id == Booking.slot_id)
            .join(Person, Person.id == Booking.person_id)
            .join(Place, Place.id == Slot.place_id)
            .where(Booking.status == BookingStatus.BOOKED, Slot.start_at > now,
                   Slot.start_at <= now + settings.reminder_before)
        ).all()
        queued = 0
        for booking, slot, person, place_kind in rows:
            if booking.created_at > slot.start_at - settings.reminder_before:
                continue  # booked inside the window: the confirmation is enough
            where = sms_where(booking.service, place_kind)
            row = enqueue(s, recipient_pid=booking.booked_by_pid or person.nin,
                          body=reminder_text(slot.start_at, to_oslo(now).date(), where),
                          kind="reminder", dedupe_key=_reminder_key(booking.id), now=now)
            queued += row is not None
        return queued


__all__ = [
    "DEFAULT_SETTINGS",
    "Appointment",
    "Appointments",
    "BookingError",
    "BookingLine",
    "BookingNotFound",
    "BookingSettings",
    "ClientKeyReused",
    "Closure",
    "DayEntry",
    "DayView",
    "DropIn",
    "DropInWindow",
    "ExtraHours",
    "FreeSlot",
    "InvalidSchedule",
    "InvalidTransition",
    "LimitReached",
    "MySchedule",
    "PlaceInfo",
    "ReasonRequired",
    "ScheduleChange",
    "SchedulePreview",
    "SlotBooked",
    "SlotSummary",
    "SlotTaken",
    "SlotUnavailable",
    "TooLate",
    "WeeklyHours",
    "appointments_for",
    "block_slot",
    "book",
    "calendar_file",
    "cancel",
    "day_view",
    "delete_schedule_item",
    "free_slots",
    "group_by_day",
    "mark_attended",
    "mark_no_show",
    "midwife_free_slots",
    "move",
    "my_schedule",
    "nearest_free",
    "places_for_pupil",
    "pregnancy_visibility_key",
    "preview_schedule_change",
    "queue_reminders",
    "save_schedule_item",
    "set_guardian_reservation",
    "sms_where",
    "unblock_slot",
    "week_view",
]
