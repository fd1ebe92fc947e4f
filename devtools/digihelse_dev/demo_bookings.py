"""Demo schedules, drop-in hours and a few bookings, so `make run` has free times to book
(pupils their school nurse, Nora and Maja their midwife Lise) and the parent journeys have
something to show. Idempotent."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from digihelse.access.actors import Actor
from digihelse.booking.citizen import book
from digihelse.booking.models import Booking, DropInHours, Slot, WeeklySchedule
from digihelse.booking.rules import NURSE_ROLES
from digihelse.booking.schedule import generate_slots
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import utcnow
from digihelse.people.models import Person, Personnel, Place

# (nurse, place, weekdays, start, end, slot minutes, breaks)
SCHEDULES = [
    ("kari", "ungdomsskole", (1, 3), "09:00", "14:00", 20, "11:30-12:00"),
    ("anders", "hfu", (1, 3), "15:00", "18:00", 20, ""),
    ("anders", "helsestasjon", (4,), "09:00", "12:00", 30, ""),
    ("mona", "vgs", (0, 2), "09:00", "14:00", 20, "11:30-12:00"),
    # The midwife's pregnancy consultations at the health station (seed.py assigns her there).
    ("lise", "helsestasjon", (0, 2), "08:30", "15:00", 30, "11:30-12:00"),
]
# (place, weekday, start, end, label)
DROP_IN = [
    ("ungdomsskole", 2, "11:30", "12:30", "Åpen dør"),
    ("vgs", 4, "11:00", "12:00", "Åpen dør"),
    ("hfu", 3, "15:00", "17:00", "Drop-in"),
]


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def seed_schedules(s: Session, persons: dict[str, Person], places: dict[str, Place],
                   today: dt.date) -> None:
    staff = {key: s.exec(select(Personnel).where(Personnel.person_id == persons[key].id)).one()
             for key in {row[0] for row in SCHEDULES}}
    for nurse, place, weekdays, start, end, minutes, breaks in SCHEDULES:
        for weekday in weekdays:
            exists = s.exec(select(WeeklySchedule.id).where(
                WeeklySchedule.personnel_id == staff[nurse].id,
                WeeklySchedule.place_id == places[place].id,
                WeeklySchedule.weekday == weekday)).first()
            if exists is None:
                s.add(WeeklySchedule(
                    personnel_id=staff[nurse].id, place_id=places[place].id, weekday=weekday,
                    start_time=_time(start), end_time=_time(end), slot_minutes=minutes,
                    breaks=breaks, valid_from=today - dt.timedelta(days=today.weekday())))
    for place, weekday, start, end, label in DROP_IN:
        exists = s.exec(select(DropInHours.id).where(
            DropInHours.place_id == places[place].id, DropInHours.weekday == weekday)).first()
        if exists is None:
            s.add(DropInHours(place_id=places[place].id, weekday=weekday,
                              start_time=_time(start), end_time=_time(end), label=label))
    s.flush()
    generate_slots(s, today=today, days_ahead=28)
    s.commit()


def _first_free(s: Session, place: Place, after: dt.datetime) -> Slot | None:
    """A school nurse's first free time (the midwife's at the same place are not for Jonas)."""
    return s.exec(
        select(Slot).join(Personnel, Personnel.id == Slot.personnel_id)
        .where(Slot.place_id == place.id, Slot.status == "open",
               Personnel.role.in_(list(NURSE_ROLES)), Slot.start_at > after,
               ~Slot.id.in_(select(Booking.slot_id).where(Booking.status != "cancelled")))
        .order_by(Slot.start_at)).first()


def seed_bookings(s: Session, persons: dict[str, Person], places: dict[str, Place]) -> None:
    """Jonas (10) has a health-station appointment his parents booked; Sara (13) booked
    the school nurse herself, which her parents must never see."""
    now = utcnow()
    later = now + dt.timedelta(days=2)
    demo = [
        ("demo-jonas-helsestasjon", Actor(pid=persons["per"].nin, role="citizen",
                                          on_behalf_of_pid=persons["jonas"].nin),
         places["helsestasjon"]),
        ("demo-sara-ungdomsskole", Actor(pid=persons["sara"].nin, role="citizen"),
         places["ungdomsskole"]),
    ]
    for client_key, actor, place in demo:
        if s.exec(select(Booking.id).where(Booking.client_key == client_key)).first():
            continue
        slot = _first_free(s, place, later)
        if slot is None:
            continue
        book(s, actor, slot_id=slot.id, client_key=client_key, now=now,
             settings=get_settings().booking)
        s.commit()


