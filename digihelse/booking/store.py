"""Reading and writing booking rows, shared by the citizen's and the staff's calls: load
(and lock) a slot, a booking or a person, the free slots, one insert that the database
guards, one cancellation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied
from digihelse.booking.errors import BookingNotFound, SlotUnavailable
from digihelse.booking.models import Booking, BookingStatus, CancelledBy, Slot, SlotStatus
from digihelse.booking.offer_models import held_slot_ids
from digihelse.booking.rules import NURSE_ROLES
from digihelse.booking.views import FreeSlot
from digihelse.core.settings import BookingSettings
from digihelse.core.text import optional_text
from digihelse.core.timeutil import OSLO, utcnow
from digihelse.people.kinds import StaffRole
from digihelse.people.models import Person, Personnel, Place


def load_slot(s: Session, slot_id: int, *, lock: bool = False) -> Slot:
    query = select(Slot).where(Slot.id == slot_id)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
        query = query.with_for_update()
    slot = s.exec(query).first()
    if slot is None:
        raise SlotUnavailable()
    return slot


def booking_with_place_and_nurse():
    """A query of bookings with their slot, place and the nurse's given and family name;
    callers add what to filter on."""
    return (select(Booking, Slot, Place, Person.given_name, Person.family_name)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Place, Place.id == Slot.place_id)
            .join(Personnel, Personnel.id == Slot.personnel_id)
            .join(Person, Person.id == Personnel.person_id))


def load_booking(s: Session, booking_id: int, *,
                 lock: bool = False) -> tuple[Booking, Slot, Person]:
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


def lock_person(s: Session, pid: str) -> Person:
    """The pupil's row, locked on PostgreSQL: two bookings of hers on different slots in
    parallel must not both pass the limit check (SQLite's BEGIN IMMEDIATE serialises)."""
    person = s.exec(select(Person).where(Person.nin == pid).with_for_update()).first()
    if person is None:
        raise AccessDenied("unknown_person", "no such person")
    return person


def by_client_key(s: Session, client_key: str) -> Booking | None:
    return s.exec(select(Booking).where(Booking.client_key == client_key)).first()



def free_slot_rows(s: Session, place_id: int | None, start: dt.datetime, end: dt.datetime,
                   *, exclude: int | None = None,
                   personnel_id: int | None = None,
                   now: dt.datetime | None = None,
                   skip_held: bool = True) -> list[FreeSlot]:
    """Free slots at a place (school nurses' only), or one midwife's (at a place, or at
    any of hers when place_id is None); a slot somebody holds at `now` is not free
    (skip_held=False keeps them: the free-week cache filters holds after it)."""
    taken = select(Booking.slot_id).where(Booking.status != BookingStatus.CANCELLED)
    query = (select(Slot, Person.given_name, Person.family_name)
             .join(Personnel, Personnel.id == Slot.personnel_id)
             .join(Person, Person.id == Personnel.person_id)
             .where(Slot.status == SlotStatus.OPEN,
                    Slot.start_at > start, Slot.start_at < end,
                    col(Slot.id).not_in(taken))
             .order_by(col(Slot.start_at), col(Slot.id)))
    if skip_held:
        query = query.where(col(Slot.id).not_in(held_slot_ids(now or utcnow())))
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
                 settings: BookingSettings) -> list[FreeSlot]:
    """The free slots at the same place nearest in time to `slot`, in time order; for a
    midwife's slot, only her own."""
    earliest = max(now + settings.min_notice, slot.start_at - settings.alternatives_window)
    midwife = slot.personnel_id if owner(s, slot).role == StaffRole.MIDWIFE else None
    rows = free_slot_rows(s, slot.place_id, earliest,
                          slot.start_at + settings.alternatives_window, exclude=slot.id,
                          personnel_id=midwife, now=now)
    rows.sort(key=lambda f: (abs(f.start_at - slot.start_at), f.start_at))
    return sorted(rows[:settings.alternatives], key=lambda f: f.start_at)


def insert_booking(s: Session, booking: Booking) -> bool:
    """Insert in a savepoint; False when the database refused it (the partial unique
    index on the slot, or the client key): the one race-proof test for a free slot."""
    try:
        with s.begin_nested():
            s.add(booking)
    except IntegrityError:
        return False
    return True



def place_kind_of(s: Session, slot: Slot) -> str | None:
    place = s.get(Place, slot.place_id)
    return place.kind if place is not None else None




def cancel_row(s: Session, booking: Booking, *, now: dt.datetime, by: CancelledBy,
               reason: str | None) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = booking.updated_at = now
    booking.cancelled_by = by
    booking.cancel_reason = optional_text(reason)
    s.add(booking)
    s.flush()


def owner(s: Session, slot: Slot) -> Personnel:
    """The nurse or midwife whose time this is."""
    staff = s.get(Personnel, slot.personnel_id)
    assert staff is not None  # foreign key
    return staff


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """One Oslo day as a UTC interval [start, end)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=OSLO)
    return start, end.astimezone(dt.UTC)
