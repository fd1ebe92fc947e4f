"""The free-week cache (booking/free_weeks.py) answers what the database says, also when
another worker (another engine) books, cancels or blocks, and when a nurse's name
changes: the place's version in the database (migration 0015's triggers) decides."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from digihelse.booking import citizen, free_weeks, staff
from digihelse.booking.store import day_bounds, free_slot_rows
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY, World

SETTINGS = BookingSettings()


def _week(world: World, engine=None) -> list[int]:
    with db.session(engine or world.engine) as s:
        return [f.slot_id for f in citizen.free_slots(s, world.school_id, from_date=TUESDAY,
                                                      days=7, now=NOW, settings=SETTINGS)]


@pytest.fixture
def other_worker(world):
    """A second engine on the same database, as another worker process has."""
    engine = db.make_engine(str(world.engine.url))
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_a_booking_by_another_worker_is_seen_at_once(world, other_worker):
    free_weeks.clear()
    first = _week(world)
    assert first and _week(world) == first  # the second read is the cached one
    citizen.book(other_worker, world.pupil("ida"), slot_id=first[0], client_key="k",
                 now=NOW, settings=SETTINGS)
    assert _week(world) == first[1:]


@pytest.mark.postgres
def test_cancel_block_and_rename_are_seen_at_once(world, other_worker):
    free_weeks.clear()
    first = _week(world)
    booking = citizen.book(world.engine, world.pupil("ida"), slot_id=first[0],
                           client_key="k", now=NOW, settings=SETTINGS)
    assert first[0] not in _week(world)
    citizen.cancel(other_worker, world.pupil("ida"), booking.id, now=NOW, settings=SETTINGS)
    assert _week(world) == first
    staff.block_slot(other_worker, world.kari, first[1], now=NOW)
    assert first[1] not in _week(world)
    with other_worker.begin() as conn:
        conn.execute(text("UPDATE person SET given_name = 'Karianne' WHERE id = "
                          "(SELECT person_id FROM personnel WHERE id = :id)"),
                     {"id": world.kari_personnel_id})
    with db.session(world.engine) as s:
        names = {f.nurse_name for f in citizen.free_slots(
            s, world.school_id, from_date=TUESDAY, days=7, now=NOW, settings=SETTINGS)}
    assert names == {"Karianne Lund"}


def test_the_cache_answers_what_the_query_answers_as_time_goes_on(world):
    free_weeks.clear()
    _week(world)
    start, _ = day_bounds(TUESDAY)
    end, _ = day_bounds(TUESDAY + dt.timedelta(days=7))
    for hours in (0, 1, 3, 30, 50):  # the notice moves with the clock; the cache must too
        later = NOW + dt.timedelta(hours=hours)
        with db.session(world.engine) as s:
            cached = citizen.free_slots(s, world.school_id, from_date=TUESDAY, days=7,
                                        now=later, settings=SETTINGS)
            earliest = max(start, later + SETTINGS.min_notice)
            fresh = free_slot_rows(s, world.school_id,
                                   earliest - dt.timedelta(microseconds=1), end)
        assert [f.slot_id for f in cached] == [f.slot_id for f in fresh]
