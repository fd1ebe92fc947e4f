"""Real concurrency against a file SQLite database: 50 threads, each with its own engine
and connection, race for one slot. The database decides; exactly one wins."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from digihelse.booking import citizen, errors
from digihelse.booking.models import Booking
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY
from tests.integration.racing import THREADS, run_at_once

SETTINGS = BookingSettings()  # the default booking limits

pytestmark = pytest.mark.postgres  # FOR UPDATE and the partial unique index there


def _active_on(engine, slot_id: int) -> int:
    with db.session(engine) as s:
        return s.exec(text("SELECT count(*) FROM booking WHERE slot_id = :slot "
                           "AND status != 'cancelled'").bindparams(slot=slot_id)).one()[0]


def test_fifty_pupils_race_for_one_slot(race):
    world, pupils, engines = race
    slot_id = world.slot_at(TUESDAY, 10)
    calls = [
        (lambda e=e, p=p, i=i: citizen.book(e, p, slot_id=slot_id, client_key=f"race-{i}", now=NOW,
                                            settings=SETTINGS))
        for i, (e, p) in enumerate(zip(engines, pupils, strict=True))
    ]
    results = run_at_once(calls)
    won = [r for r in results if isinstance(r, Booking)]
    taken = [r for r in results if isinstance(r, errors.SlotTaken)]
    others = [r for r in results if not isinstance(r, Booking | errors.SlotTaken)]
    assert others == []
    assert len(won) == 1 and len(taken) == THREADS - 1
    assert all(len(t.alternatives) == 3 and slot_id not in {a.slot_id for a in t.alternatives}
               for t in taken)
    assert _active_on(world.engine, slot_id) == 1
    with db.session(world.engine) as s:
        assert len(s.exec(select(Booking)).all()) == 1


def test_fifty_identical_requests_make_one_booking(race):
    world, _pupils, engines = race
    slot_id = world.slot_at(TUESDAY, 10)
    ida = world.pupil("ida")
    calls = [(lambda e=e: citizen.book(e, ida, slot_id=slot_id, client_key="same-tap", now=NOW,
                                       settings=SETTINGS))
             for e in engines]
    results = run_at_once(calls)
    assert all(isinstance(r, Booking) for r in results), [r for r in results
                                                         if not isinstance(r, Booking)]
    assert len({r.id for r in results}) == 1
    assert _active_on(world.engine, slot_id) == 1
    with db.session(world.engine) as s:
        assert len(s.exec(select(Booking)).all()) == 1
        confirmations = s.exec(text("SELECT count(*) FROM outbox WHERE kind = 'confirmed'")).one()
    assert confirmations[0] == 1


def test_fifty_moves_into_one_slot_leave_everyone_else_untouched(race):
    world, pupils, engines = race
    target = world.slot_at(TUESDAY, 13)
    # Each pupil first holds a slot of her own (Tuesday and Thursday, four weeks).
    with db.session(world.engine) as s:
        free = citizen.free_slots(s, world.school_id, now=NOW, days=28, settings=SETTINGS)
    own = [f.slot_id for f in free if f.slot_id != target][:THREADS]
    held = [citizen.book(world.engine, p, slot_id=slot, client_key=f"own-{i}", now=NOW,
                         settings=SETTINGS)
            for i, (p, slot) in enumerate(zip(pupils, own, strict=True))]
    calls = [
        (lambda e=e, p=p, b=b, i=i: citizen.move(e, p, b.id, new_slot_id=target,
                                             client_key=f"mv-{i}", now=NOW, settings=SETTINGS))
        for i, (e, p, b) in enumerate(zip(engines, pupils, held, strict=True))
    ]
    results = run_at_once(calls)
    moved = [r for r in results if isinstance(r, Booking)]
    assert len(moved) == 1
    assert all(isinstance(r, errors.SlotTaken) for r in results if not isinstance(r, Booking))
    assert _active_on(world.engine, target) == 1
    with db.session(world.engine) as s:
        still = s.exec(select(Booking).where(Booking.client_key.startswith("own-"),
                                             Booking.status == "booked")).all()
    assert len(still) == THREADS - 1  # the losers kept their old booking
