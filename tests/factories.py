"""The tests' one set of builders: clocks, actors (citizen, staff) and the booking World.

Plain functions and classes; the pytest fixtures that use them live in conftest.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.booking import opening_hours
from digihelse.booking.citizen import book as book_slot
from digihelse.booking.models import Booking, Slot
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO, today_oslo
from digihelse.healthcard.validation import ConsultationDraft, FetusDraft
from digihelse.notify.models import Outbox
from digihelse.people.models import Fullmakt, Person, Personnel, Place
from digihelse.people.registry import personnel_by_pid

SETTINGS = BookingSettings()  # the default booking limits

# --- clocks: passed as `now=` to code that asks for the time -----------------------------


class EpochClock:
    """Seconds since the epoch (time.time's shape), standing still until moved."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class WallClock:
    """An aware UTC datetime (datetime.now(UTC)'s shape), standing still until moved."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


# --- actors ------------------------------------------------------------------------------


def citizen(person: Person, for_person: Person | None = None) -> Actor:
    """The person logged in as a citizen, acting for `for_person` if given."""
    return Actor(person.nin, "citizen", person.full_name,
                 on_behalf_of_pid=for_person.nin if for_person else None)


def staff(engine, person: Person) -> Actor:
    """The person logged in as staff, with the role and HPR number of their personnel row."""
    with db.session(engine) as s:
        found = personnel_by_pid(s, person.nin)
    assert found is not None, f"{person.full_name} has no personnel row"
    _person, worker = found
    return Actor(person.nin, worker.role, person.full_name, worker.hpr_number,
                 worker.organisation)


def staff_as(person: Person, role: str, hpr_number: str = "9100004") -> Actor:
    """The person logged in as staff in `role`, without a database (for presenter tests)."""
    return Actor(pid=person.nin, role=role, name=person.full_name, hpr_number=hpr_number)


# --- the health card ---------------------------------------------------------------------


def visit(**changes) -> ConsultationDraft:
    """A midwife's check-up today with ordinary findings; `changes` override fields."""
    base = ConsultationDraft(held_on=today_oslo(), weight_kg=72.4, bp_systolic=118,
                             bp_diastolic=76, urine_protein="neg", oedema=0,
                             sf_height_cm=27.5, fetuses=(FetusDraft(1, 142, "cephalic", True),),
                             note="Alt vel.")
    return ConsultationDraft(**{**base.__dict__, **changes})


# --- the school-nurse booking world ------------------------------------------------------

# Monday 24 November 2025, 08:00 in Oslo. Kari works Tuesdays and Thursdays.
NOW = dt.datetime(2025, 11, 24, 8, 0, tzinfo=OSLO).astimezone(dt.UTC)
TUESDAY = dt.date(2025, 11, 25)
SCHOOL = "Fjordvik ungdomsskole"


def oslo(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That wall-clock time in Oslo, as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(dt.UTC)


@dataclass
class World:
    """The seeded school with Kari's weekly hours: pupils, nurses, slots, messages."""

    engine: object
    school_id: int
    clinic_id: int
    kari: Actor
    kari_personnel_id: int
    persons: dict[str, Person]

    def pupil(self, key: str) -> Actor:
        p = self.persons[key]
        return Actor(pid=p.nin, role="citizen", name=p.full_name)

    def nurse(self, key: str) -> Actor:
        p = self.persons[key]
        return Actor(pid=p.nin, role="school_nurse", name=p.full_name)

    def slot_at(self, day: dt.date, hour: int, minute: int = 0) -> int:
        with db.session(self.engine) as s:
            slot = s.exec(select(Slot).where(Slot.personnel_id == self.kari_personnel_id,
                                             Slot.start_at == oslo(day, hour, minute))).one()
            return slot.id

    def outbox(self) -> list[Outbox]:
        with db.session(self.engine) as s:
            return list(s.exec(select(Outbox).order_by(Outbox.id)).all())

    def booking(self, booking_id: int) -> Booking:
        with db.session(self.engine) as s:
            return s.get(Booking, booking_id)


def make_world(engine, persons: dict[str, Person], now: dt.datetime = NOW) -> World:
    """Kari's week at the school: Tue and Thu 09.00–14.00, 20 minutes, lunch 11.30–12.00."""
    with db.session(engine) as s:
        school = s.exec(select(Place).where(Place.name == SCHOOL)).one()
        clinic = s.exec(select(Place).where(Place.kind == "youth_clinic")).one()
        kari_staff = s.exec(select(Personnel).where(
            Personnel.person_id == persons["kari"].id)).one()
        ids = (school.id, clinic.id, kari_staff.id)
    kari = Actor(pid=persons["kari"].nin, role="school_nurse", name="Kari Lund",
                 hpr_number="9100001")
    for weekday in (1, 3):
        opening_hours.save_schedule_item(engine, kari, opening_hours.WeeklyHours(
            place_id=ids[0], weekday=weekday, start=dt.time(9), end=dt.time(14),
            slot_minutes=20, breaks="11:30-12:00", valid_from=now.date()), now=now,
            settings=SETTINGS)
    return World(engine, ids[0], ids[1], kari, ids[2], persons)


# --- the health-station (pregnancy) booking world ------------------------------------


@dataclass
class StationWorld:
    """The seeded health station with Lise the midwife's weekly hours."""

    engine: object
    persons: dict[str, Person]
    station_id: int
    lise_id: int
    now: dt.datetime

    def citizen(self, key: str, for_key: str | None = None) -> Actor:
        p = self.persons[key]
        other = self.persons[for_key].nin if for_key else None
        return Actor(pid=p.nin, role="citizen", name=p.full_name, on_behalf_of_pid=other)

    def staff(self, key: str) -> Actor:
        p = self.persons[key]
        with db.session(self.engine) as s:
            row = s.exec(select(Personnel).where(Personnel.person_id == p.id)).one()
        return Actor(pid=p.nin, role=row.role, name=p.full_name, hpr_number=row.hpr_number,
                     organisation=row.organisation)

    def slot_at(self, day: dt.date, hour: int, minute: int = 0,
                personnel_id: int | None = None) -> int:
        with db.session(self.engine) as s:
            return s.exec(select(Slot.id).where(
                Slot.personnel_id == (personnel_id or self.lise_id),
                Slot.start_at == oslo(day, hour, minute))).one()

    def book(self, who: str, slot_id: int, **kw) -> Booking:
        return book_slot(self.engine, self.citizen(who, kw.pop("for_key", None)),
                        slot_id=slot_id, client_key=kw.pop("key", f"{who}-{slot_id}"),
                        now=kw.pop("now", self.now),
                            settings=kw.pop("settings", SETTINGS), **kw)


STATION = "Fjordvik helsestasjon"


def make_station_world(engine, today: dt.date, now: dt.datetime) -> StationWorld:
    """The demo data seeded relative to `today`; Lise keeps Monday and Wednesday hours,
    08.30-15.00, 30 minutes, lunch 11.30-12.00."""
    from digihelse_dev.seed import seed

    with db.session(engine) as s:
        persons = seed(s, today=today)
        station = s.exec(select(Place).where(Place.name == STATION)).one()
        lise = s.exec(select(Personnel).where(Personnel.person_id == persons["lise"].id)).one()
        ids = (station.id, lise.id)
    w = StationWorld(engine, persons, *ids, now=now)
    for weekday in (0, 2):
        opening_hours.save_schedule_item(engine, w.staff("lise"), opening_hours.WeeklyHours(
            place_id=w.station_id, weekday=weekday, start=dt.time(8, 30), end=dt.time(15),
            slot_minutes=30, breaks="11:30-12:00", valid_from=today), now=now,
            settings=SETTINGS)
    return w


def give_fullmakt(engine, giver: Person, receiver: Person, scope: str = "pregnancy", *,
                  valid_from: dt.date | None = None, valid_to: dt.date | None = None) -> None:
    """A fullmakt from `giver` to `receiver` in the register, from today unless told."""
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=giver.id, receiver_id=receiver.id, scope=scope,
                       valid_from=valid_from or today_oslo(), valid_to=valid_to))
