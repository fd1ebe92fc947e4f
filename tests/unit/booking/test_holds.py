"""Holds: a time she chose is kept for her while she confirms; others see it as not free;
it ends on confirm, on going back or choosing another, and on time-out; and the database
allows at most one active hold or booking per slot."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from digihelse.booking import citizen, errors, holds
from digihelse.booking.offer_models import HoldStatus, SlotHold
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY, World, make_world, oslo

SETTINGS = BookingSettings()


def _free_ids(world: World, now: dt.datetime = NOW) -> set[int]:
    with db.session(world.engine) as s:
        return {f.slot_id for f in citizen.free_slots(s, world.school_id, from_date=TUESDAY,
                                                      days=1, now=now, settings=SETTINGS)}


def _hold(world: World, who: str, slot_id: int, now: dt.datetime = NOW) -> holds.Held:
    return holds.hold(world.engine, world.pupil(who), slot_id, now=now, settings=SETTINGS)


def _book(world: World, who: str, slot_id: int, now: dt.datetime = NOW, key: str = ""):
    return citizen.book(world.engine, world.pupil(who), slot_id=slot_id,
                        client_key=key or f"{who}-{slot_id}-{now.timestamp()}", now=now,
                        settings=SETTINGS)


def _statuses(world: World) -> list[tuple[int, str]]:
    with db.session(world.engine) as s:
        return [(h.slot_id, h.status) for h in s.exec(select(SlotHold).order_by(SlotHold.id))]


def test_a_held_time_is_not_free_for_others_and_cannot_be_booked_by_them(world):
    slot_id = world.slot_at(TUESDAY, 10)
    held = _hold(world, "ida", slot_id)
    assert held.expires_at == NOW + SETTINGS.hold_for
    assert slot_id not in _free_ids(world)
    with pytest.raises(errors.SlotTaken) as taken:
        _book(world, "emil", slot_id)
    assert slot_id not in {a.slot_id for a in taken.value.alternatives}
    with pytest.raises(errors.SlotTaken):
        _hold(world, "emil", slot_id)


def test_confirming_uses_up_her_own_hold(world):
    slot_id = world.slot_at(TUESDAY, 10)
    _hold(world, "ida", slot_id)
    booking = _book(world, "ida", slot_id)
    assert booking.slot_id == slot_id
    assert _statuses(world) == [(slot_id, HoldStatus.CONFIRMED)]


def test_choosing_another_time_or_going_back_lets_the_first_go(world):
    first, second = world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 10, 20)
    _hold(world, "ida", first)
    _hold(world, "ida", second)
    assert first in _free_ids(world) and second not in _free_ids(world)
    assert holds.release(world.engine, world.pupil("ida"), now=NOW) == 1
    assert {first, second} <= _free_ids(world)
    assert [status for _, status in _statuses(world)] == [HoldStatus.RELEASED] * 2


def test_a_hold_times_out(world):
    slot_id = world.slot_at(TUESDAY, 10)
    _hold(world, "ida", slot_id)
    later = NOW + SETTINGS.hold_for
    assert slot_id in _free_ids(world, later)
    booking = _book(world, "emil", slot_id, later)  # the timed-out hold ends, Emil books
    assert booking.person_id == world.persons["emil"].id
    assert _statuses(world) == [(slot_id, HoldStatus.EXPIRED)]


def test_choosing_the_same_time_again_renews_the_hold(world):
    slot_id = world.slot_at(TUESDAY, 10)
    _hold(world, "ida", slot_id)
    again = _hold(world, "ida", slot_id, NOW + dt.timedelta(minutes=4))
    assert again.expires_at == NOW + dt.timedelta(minutes=4) + SETTINGS.hold_for


def test_a_booked_time_cannot_be_held(world):
    slot_id = world.slot_at(TUESDAY, 10)
    _book(world, "ida", slot_id)
    with pytest.raises(errors.SlotTaken):
        _hold(world, "emil", slot_id)


def test_holds_obey_the_booking_rules(world):
    with pytest.raises(errors.TooLate):  # inside the minimum notice
        _hold(world, "ida", world.slot_at(TUESDAY, 9), _tuesday_at(8))
    with pytest.raises(Exception):  # noqa: B017 - a nurse never holds a pupil's time
        holds.hold(world.engine, world.kari, world.slot_at(TUESDAY, 9), now=NOW,
                   settings=SETTINGS)


def _tuesday_at(hour: int) -> dt.datetime:
    return oslo(TUESDAY, hour)


@pytest.mark.postgres
def test_the_database_refuses_a_second_hold_and_a_hold_beside_a_booking(engine, seeded):
    """Below the service: rows written straight into the tables."""
    world = make_world(engine, seeded)
    slot_id, other = world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 11)
    ida, emil = world.persons["ida"].id, world.persons["emil"].id
    later = NOW + dt.timedelta(hours=1)

    def insert_hold(person_id: int, slot: int) -> None:
        with db.write_session(engine) as s:
            s.add(SlotHold(slot_id=slot, person_id=person_id, expires_at=later))

    insert_hold(ida, slot_id)
    with pytest.raises(IntegrityError):
        insert_hold(emil, slot_id)
    with pytest.raises(IntegrityError), db.write_session(engine) as s:  # booking a held slot
        s.exec(text("INSERT INTO booking (slot_id, person_id, service, status, "
                    "client_key, guardian_reservation, created_at, updated_at) VALUES "
                    "(:slot, :person, 'youth', 'booked', 'raw', false, :now, :now)")
               .bindparams(slot=slot_id, person=emil, now=NOW))
    _book(world, "emil", other)
    with pytest.raises(IntegrityError):  # a hold on a booked slot
        insert_hold(ida, other)


# --- a property: whatever they do, one claim per slot, and held or booked is not free ----

_ops = st.lists(st.tuples(st.sampled_from(["hold", "book", "release", "cancel", "wait"]),
                          st.sampled_from(["ida", "emil", "mia"]), st.integers(0, 2),
                          st.integers(0, 4)), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=_ops)
def test_at_most_one_active_hold_or_booking_per_slot(world, ops):
    with db.write_session(world.engine) as s:  # each example starts with no claims
        for statement in ("DELETE FROM earlier_offer", "DELETE FROM earlier_wish",
                          "DELETE FROM slot_hold", "DELETE FROM booking"):
            s.exec(text(statement))
    slots = [world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 10, 20),
             world.slot_at(TUESDAY, 10, 40)]
    now = NOW
    for op, who, index, minutes in ops:
        slot_id = slots[index]
        try:
            if op == "hold":
                _hold(world, who, slot_id, now)
            elif op == "book":
                _book(world, who, slot_id, now)
            elif op == "release":
                holds.release(world.engine, world.pupil(who), now=now)
            elif op == "cancel":
                with db.session(world.engine) as s:
                    ids = s.exec(text("SELECT id FROM booking WHERE slot_id = :s AND "
                                      "status = 'booked'").bindparams(s=slot_id)).all()
                for (booking_id,) in ids:
                    citizen.cancel(world.engine, world.pupil(who), booking_id, now=now,
                                   settings=SETTINGS)
            else:
                now += dt.timedelta(minutes=minutes * 2)
        except (errors.BookingError, PermissionError, LookupError):
            pass
        except Exception as exc:  # AccessDenied: cancelling another pupil's booking
            if type(exc).__name__ != "AccessDenied":
                raise
        with db.session(world.engine) as s:
            claims = s.exec(text(
                "SELECT slot_id, count(*) FROM (SELECT slot_id FROM booking WHERE status != "
                "'cancelled' UNION ALL SELECT slot_id FROM slot_hold WHERE status = "
                "'active') AS claims GROUP BY slot_id HAVING count(*) > 1")).all()
            live = {row[0] for row in s.exec(text(
                "SELECT slot_id FROM booking WHERE status != 'cancelled'")).all()}
        live |= {h.slot_id for h in _live_holds(world, now)}
        assert claims == []
        assert not (live & _free_ids(world, now))


def _live_holds(world: World, now: dt.datetime) -> list[SlotHold]:
    with db.session(world.engine) as s:
        return [h for h in s.exec(select(SlotHold).where(SlotHold.status == HoldStatus.ACTIVE))
                if h.expires_at > now]


def test_the_free_week_cache_never_shows_a_held_time_and_shows_it_again_when_it_times_out(
        world):
    slot_id = world.slot_at(TUESDAY, 10)
    assert slot_id in _free_ids(world)  # the week is cached now
    _hold(world, "ida", slot_id)
    assert slot_id not in _free_ids(world)
    later = NOW + SETTINGS.hold_for + dt.timedelta(seconds=1)  # timed out, no write
    assert slot_id in _free_ids(world, later)


def test_the_lean_path_counts_the_request_and_tells_the_slot_and_days_keys(world, monkeypatch):
    from digihelse.booking import slot_events

    counted, told = [], []
    monkeypatch.setattr(citizen, "count_request", lambda actor, settings: counted.append(1))
    monkeypatch.setattr(slot_events.broadcast, "publish",
                        lambda channel, message: told.append(message))
    slot_id = world.slot_at(TUESDAY, 10)
    _book(world, "ida", slot_id)
    assert counted == [1]
    assert {"slots": [slot_id], "days": []} in told
