"""Holds under real concurrency: 50 threads, each with its own engine and connection,
race to hold one time (and, in a second race, half hold while half book). The database
decides; exactly one claim wins, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.booking import citizen, errors, holds
from digihelse.booking.models import Booking
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.people.models import Enrollment, Person, Place
from digihelse.people.nin import synthetic_nin
from tests.factories import NOW, SCHOOL, TUESDAY, make_world

SETTINGS = BookingSettings()
THREADS = 50
pytestmark = pytest.mark.postgres  # FOR UPDATE, the partial unique indexes and triggers there


@pytest.fixture
def race(engine, seeded):
    """Kari's slots, 50 pupils at her school, and an engine per thread."""
    world = make_world(engine, seeded)
    pupils = []
    with db.write_session(engine) as s:
        school = s.exec(select(Place).where(Place.name == SCHOOL)).one()
        for i in range(THREADS):
            birth = dt.date(2011, 1, 1) + dt.timedelta(days=i * 7)
            person = Person(nin=synthetic_nin(birth, seed=i), given_name=f"Elev{i}",
                            family_name="Test", birth_date=birth)
            s.add(person)
            s.flush()
            s.add(Enrollment(person_id=person.id, place_id=school.id))
            pupils.append(Actor(pid=person.nin, role="citizen", name=f"Elev{i} Test"))
    url = str(engine.url)
    engines = [db.make_engine(url) for _ in range(THREADS)]
    yield world, pupils, engines
    for e in engines:
        e.dispose()


def _run_all(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # collected and checked by the test
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _claims_on(engine, slot_id: int) -> int:
    with db.session(engine) as s:
        return s.exec(text(
            "SELECT (SELECT count(*) FROM booking WHERE slot_id = :slot AND status != "
            "'cancelled') + (SELECT count(*) FROM slot_hold WHERE slot_id = :slot AND "
            "status = 'active')").bindparams(slot=slot_id)).one()[0]


def test_fifty_pupils_race_to_hold_one_time(race):
    world, pupils, engines = race
    slot_id = world.slot_at(TUESDAY, 10)
    results = _run_all([(lambda e=e, p=p: holds.hold(e, p, slot_id, now=NOW, settings=SETTINGS))
                        for e, p in zip(engines, pupils, strict=True)])
    won = [r for r in results if isinstance(r, holds.Held)]
    taken = [r for r in results if isinstance(r, errors.SlotTaken)]
    assert [r for r in results if not isinstance(r, holds.Held | errors.SlotTaken)] == []
    assert len(won) == 1 and len(taken) == THREADS - 1
    assert all(slot_id not in {a.slot_id for a in t.alternatives} for t in taken)
    assert _claims_on(world.engine, slot_id) == 1


def test_half_hold_and_half_book_one_time_and_one_wins(race):
    world, pupils, engines = race
    slot_id = world.slot_at(TUESDAY, 10)
    calls = [
        (lambda e=e, p=p: holds.hold(e, p, slot_id, now=NOW, settings=SETTINGS)) if i % 2 else
        (lambda e=e, p=p, i=i: citizen.book(e, p, slot_id=slot_id, client_key=f"r-{i}",
                                            now=NOW, settings=SETTINGS))
        for i, (e, p) in enumerate(zip(engines, pupils, strict=True))]
    results = _run_all(calls)
    won = [r for r in results if isinstance(r, holds.Held | Booking)]
    assert len(won) == 1
    assert all(isinstance(r, errors.SlotTaken) for r in results if r not in won)
    assert _claims_on(world.engine, slot_id) == 1
