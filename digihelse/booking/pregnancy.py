"""What the pregnancy card needs to book the next recommended consultation: its week
window as dates, the woman's own midwife and her free times, or the time already booked.

Booking itself goes through booking.citizen.book(), which checks that the woman's active
card names the slot's midwife. Plain Python, no UI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor, Service
from digihelse.access.enforcement import require
from digihelse.access.fullmakt import shares_card
from digihelse.booking.access import pregnancy_visibility_key, record_booking_access
from digihelse.booking.citizen import midwife_free_slots
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.store import booking_with_place_and_nurse
from digihelse.booking.views import FreeSlot
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard import dating
from digihelse.healthcard.card import held_days
from digihelse.healthcard.dating import ScheduleItem
from digihelse.healthcard.lookup import active_record
from digihelse.healthcard.models import PregnancyRecord
from digihelse.healthcard.service import CardNotFound
from digihelse.people.models import Person, Personnel, Place, StaffAssignment
from digihelse.people.registry import person_by_pid

AFTER_WINDOW_DAYS = 14  # how far past the window to look when the window has no free time
AFTER_WINDOW_MAX = 6  # and how many of those times to offer


@dataclass(frozen=True)
class CarerPlace:
    place_id: int
    name: str
    address: str


@dataclass(frozen=True)
class BookedConsultation:
    """Her next booked pregnancy consultation ("Du har time tirsdag 8. desember kl. 10.00")."""

    booking_id: int
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    place_id: int
    place_name: str
    midwife_name: str
    visit_key: str | None  # card.visit.<key>


@dataclass(frozen=True)
class PregnancyBookingOptions:
    visit: ScheduleItem | None  # the next recommended consultation, None when none is left
    midwife_id: int | None  # None: the card has a GP only ("Avtal time med fastlegen din")
    midwife_name: str
    has_gp: bool
    places: tuple[CarerPlace, ...]  # where the offered times are (or where she works)
    slots: tuple[FreeSlot, ...]  # her free times in the window, or the nearest after it
    in_window: bool  # the times lie inside the recommended window
    booked: BookedConsultation | None
    can_book: bool  # the viewer may book (the woman herself; a partner only looks)
    visibility_key: str = "booking.visibility.pregnancy"  # who sees her consultations

    @property
    def state(self) -> str:
        """What the card shows: booked, book, no_times, no_midwife or no_visit."""
        if self.booked is not None:
            return "booked"
        if self.visit is None:
            return "no_visit"
        if self.midwife_id is None:
            return "no_midwife"
        return "book" if self.slots else "no_times"


def _record_of(s: Session, woman: Person) -> PregnancyRecord:
    record = active_record(s, woman)
    if record is None:
        raise CardNotFound()
    return record


def _next_visit(s: Session, record: PregnancyRecord, today: dt.date) -> ScheduleItem | None:
    if record.due_date is None:
        return None
    return dating.next_consultation(
        dating.recommended_schedule(record.due_date, held_days(s, record.id)), today)


def _booked(s: Session, woman: Person, now: dt.datetime) -> BookedConsultation | None:
    row = s.exec(
        booking_with_place_and_nurse()
        .where(Booking.person_id == woman.id, Booking.service == Service.PREGNANCY,
               Booking.status == BookingStatus.BOOKED, Slot.end_at > now)
        .order_by(col(Slot.start_at))).first()
    if row is None:
        return None
    booking, slot, place, given, family = row
    return BookedConsultation(booking.id, slot.start_at, slot.end_at, place.id, place.name,
                              f"{given} {family}", booking.visit_key)


def _midwife(s: Session, personnel_id: int) -> tuple[str, list[CarerPlace]]:
    name = s.exec(select(Person.given_name, Person.family_name)
                  .join(Personnel, Personnel.person_id == Person.id)
                  .where(Personnel.id == personnel_id)).first()
    places = s.exec(select(Place).join(StaffAssignment, StaffAssignment.place_id == Place.id)
                    .where(StaffAssignment.personnel_id == personnel_id)
                    .order_by(col(Place.name))).all()
    return (f"{name[0]} {name[1]}" if name else "",
            [CarerPlace(p.id, p.name, p.address) for p in places])


def offered_slots(s: Session, midwife_id: int, visit: ScheduleItem, now: dt.datetime,
                  settings: BookingSettings
                  ) -> tuple[list[FreeSlot], bool]:
    """Her free times inside the visit's window (from today on); when there are none,
    the nearest few after it. The bool says whether they lie inside the window."""
    today = to_oslo(now).date()
    first = max(visit.window_start, today)
    if first <= visit.window_end:
        inside = midwife_free_slots(s, midwife_id, from_date=first,
                                    days=(visit.window_end - first).days + 1, now=now,
                                    settings=settings)
        if inside:
            return inside, True
    after = max(visit.window_end + dt.timedelta(days=1), today)
    later = midwife_free_slots(s, midwife_id, from_date=after, days=AFTER_WINDOW_DAYS,
                               now=now, settings=settings)
    return later[:AFTER_WINDOW_MAX], False


def pregnancy_booking_options(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    woman_pid: str,
    now: dt.datetime | None = None,
    *,
    settings: BookingSettings,
) -> PregnancyBookingOptions:
    """What the card offers for booking the next recommended consultation.

    Needs VIEW_APPOINTMENTS in the pregnancy service (the woman, her midwife or GP, a
    partner with fullmakt); refusals are logged and raised (AccessDenied), a woman without
    an active card gets CardNotFound. Only the card's own midwife's times are offered: she
    has the care relation. A booking shown to someone other than the woman is logged."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Service.PREGNANCY, Action.VIEW_APPOINTMENTS,
                           object_type="appointment")
        woman = person_by_pid(s, woman_pid)
        if woman is None:
            raise CardNotFound()
        record = _record_of(s, woman)
        if record.ended_on is not None:
            # The pregnancy ended: nothing to book and nothing booked (healthcard/ending.py).
            return PregnancyBookingOptions(
                visit=None, midwife_id=record.midwife_id, midwife_name="",
                has_gp=record.gp_id is not None, places=(), slots=(), in_window=False,
                booked=None, can_book=False)
        visit = _next_visit(s, record, to_oslo(now).date())
        booked = _booked(s, woman, now)
        if booked is not None and decision.relation != "self":
            record_booking_access(s, actor, woman.nin, action="read", object_id=booked.booking_id,
                    service=Service.PREGNANCY)
        name, places = ("", [])
        slots: list[FreeSlot] = []
        in_window = False
        if record.midwife_id is not None:
            name, places = _midwife(s, record.midwife_id)
            if visit is not None and booked is None:
                slots, in_window = offered_slots(s, record.midwife_id, visit, now, settings)
        used = {slot.place_id for slot in slots}
        if used:
            places = [p for p in places if p.place_id in used]
        return PregnancyBookingOptions(
            visit=visit, midwife_id=record.midwife_id, midwife_name=name,
            has_gp=record.gp_id is not None, places=tuple(places), slots=tuple(slots),
            in_window=in_window, booked=booked, can_book=decision.allows(Action.BOOK),
            visibility_key=pregnancy_visibility_key(shares_card(s, woman, now),
                                                    decision.relation))


__all__ = ["BookedConsultation", "CarerPlace", "PregnancyBookingOptions", "offered_slots",
           "pregnancy_booking_options"]
