"""The nurse's (or midwife's) side of booking: her day and week with the bookings, marking
attendance and no-shows, the guardian reservation, and blocking her own free slots.
Opening hours are in opening_hours.py; cancelling and moving are the same calls as the
pupil's (citizen.py)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.booking.access import authorize, authorize_schedule, record_booking_access
from digihelse.booking.errors import InvalidTransition, SlotBooked, SlotUnavailable
from digihelse.booking.models import Booking, BookingStatus, Slot, SlotStatus
from digihelse.booking.reminders import reminder_key
from digihelse.booking.rules import too_early_to_mark
from digihelse.booking.store import (
    day_bounds,
    free_slot_rows,
    load_booking,
    load_slot,
)
from digihelse.booking.views import BookingLine, DayEntry, DayView, FreeSlot
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.notify.outbox import drop_pending
from digihelse.people.models import Enrollment, Person, Place
from digihelse.people.nin import age_on


def _classes(s: Session, person_ids: set[int]) -> dict[tuple[int, int], str]:
    """Each pupil's class at each school she attends, by (person, place)."""
    if not person_ids:
        return {}
    rows = s.exec(select(Enrollment).where(col(Enrollment.person_id).in_(person_ids))).all()
    return {(e.person_id, e.place_id): e.school_class for e in rows if e.school_class}


def _views(s: Session, actor: Actor, first: dt.date, days: int,
           place_id: int | None) -> list[DayView]:
    nurse = authorize_schedule(s, actor, place_id)
    start, _ = day_bounds(first)
    _, end = day_bounds(first + dt.timedelta(days=days - 1))
    query = (select(Slot, Place.name).join(Place, Place.id == Slot.place_id)
             .where(Slot.personnel_id == nurse.id, Slot.start_at >= start, Slot.start_at < end)
             .order_by(col(Slot.start_at)))
    if place_id is not None:
        query = query.where(Slot.place_id == place_id)
    slots = s.exec(query).all()
    lines: dict[int, BookingLine] = {}
    if slots:
        by_id = {slot.id: slot for slot, _ in slots}
        rows = s.exec(select(Booking, Person)
                      .join(Person, Person.id == Booking.person_id)
                      .where(col(Booking.slot_id).in_(list(by_id)),
                             Booking.status != BookingStatus.CANCELLED)).all()
        classes = _classes(s, {pupil.id for _, pupil in rows})
        for booking, pupil in rows:
            slot = by_id[booking.slot_id]
            lines[booking.slot_id] = BookingLine(
                booking.id, pupil.nin, pupil.full_name, booking.status, booking.service,
                booking.topic, booking.note, booking.visit_key,
                pupil_age=age_on(pupil.birth_date, to_oslo(slot.start_at).date()),
                pupil_class=classes.get((pupil.id, slot.place_id), ""))
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


def _booking_to_manage(s: Session, actor: Actor, booking_id: int
                       ) -> tuple[Booking, Slot, Person]:
    """The booking, locked, when the actor is health personnel who manage its place's
    schedule; AccessDenied (logged) otherwise."""
    booking, slot, person = load_booking(s, booking_id, lock=True)
    if not actor.is_personnel:
        raise AccessDenied("personnel_only", "only health personnel manage bookings")
    authorize(s, actor, person.nin, Action.MANAGE_SCHEDULE, place_id=slot.place_id,
              service=Service(booking.service), object_id=booking.id)
    return booking, slot, person


def _mark(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, status: BookingStatus,
          now: dt.datetime | None, settings: BookingSettings) -> Booking:
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, slot, person = _booking_to_manage(s, actor, booking_id)
        if booking.status == BookingStatus.CANCELLED:
            raise InvalidTransition()
        if too_early_to_mark(slot.start_at, now, settings,
                             attended=status == BookingStatus.ATTENDED):
            raise InvalidTransition("the appointment has not started",
                                    code="not_started")
        if booking.status != status:  # attended <-> no_show may be corrected
            booking.status, booking.marked_at, booking.updated_at = status, now, now
            s.add(booking)
            s.flush()
            drop_pending(s, [reminder_key(booking.id)], now=now)
            record_booking_access(s, actor, person.nin, action="update",
                                  object_id=booking.id, service=booking.service)
        return booking


def mark_attended(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *,
                  now: dt.datetime | None = None,
                  settings: BookingSettings) -> Booking:
    """"Møtt"."""
    return _mark(s_or_engine, actor, booking_id, BookingStatus.ATTENDED, now, settings)


def mark_no_show(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *,
                 now: dt.datetime | None = None,
                 settings: BookingSettings) -> Booking:
    """"Ikke møtt"."""
    return _mark(s_or_engine, actor, booking_id, BookingStatus.NO_SHOW, now, settings)


def set_guardian_reservation(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int,
                             reserved: bool, *, now: dt.datetime | None = None) -> Booking:
    """Vergeinnsynsreservasjon: the nurse hides a basic-service booking from the parents
    (pasient- og brukerrettighetsloven § 3-4). Decided by personnel, never by the child."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, _slot, person = _booking_to_manage(s, actor, booking_id)
        if booking.guardian_reservation != reserved:
            booking.guardian_reservation, booking.updated_at = reserved, now
            s.add(booking)
            s.flush()
            record_booking_access(s, actor, person.nin, action="update",
                                  object_id=booking.id, service=booking.service)
        return booking


def own_free_slots(s_or_engine: SessionOrEngine, actor: Actor, place_id: int, *,
                   days: int = 28, exclude: int | None = None,
                   now: dt.datetime | None = None) -> list[FreeSlot]:
    """The nurse's (or midwife's) own free times at a place from now on, for moving a
    booking there. No minimum notice: she may move a time she agrees on the phone."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        nurse = authorize_schedule(s, actor, place_id)
        _, end = day_bounds(to_oslo(now).date() + dt.timedelta(days=days))
        return free_slot_rows(s, place_id, now, end, exclude=exclude, personnel_id=nurse.id,
                              now=now)


def _own_slot(s: Session, actor: Actor, slot_id: int) -> Slot:
    slot = load_slot(s, slot_id, lock=True)
    nurse = authorize_schedule(s, actor, slot.place_id)
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
