"""Holds under real concurrency: 50 threads, each with its own engine and connection,
race to hold one time (and, in a second race, half hold while half book). The database
decides; exactly one claim wins, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from digihelse.booking import citizen, errors, holds
from digihelse.booking.models import Booking
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY
from tests.integration.racing import THREADS, run_at_once

SETTINGS = BookingSettings()
pytestmark = pytest.mark.postgres  # FOR UPDATE, the partial unique indexes and triggers there


def _claims_on(engine, slot_id: int) -> int:
    with db.session(engine) as s:
        return s.exec(text(
            "SELECT (SELECT count(*) FROM booking WHERE slot_id = :slot AND status != "
            "'cancelled') + (SELECT count(*) FROM slot_hold WHERE slot_id = :slot AND "
            "status = 'active')").bindparams(slot=slot_id)).one()[0]


def test_fifty_pupils_race_to_hold_one_time(race):
    world, pupils, engines = race
    slot_id = world.slot_at(TUESDAY, 10)
    results = run_at_once([(lambda e=e, p=p: holds.hold(e, p, slot_id, now=NOW, settings=SETTINGS))
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
    results = run_at_once(calls)
    won = [r for r in results if isinstance(r, holds.Held | Booking)]
    assert len(won) == 1
    assert all(isinstance(r, errors.SlotTaken) for r in results if r not in won)
    assert _claims_on(world.engine, slot_id) == 1
