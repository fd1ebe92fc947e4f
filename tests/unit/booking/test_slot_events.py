"""Committed changes to bookings and slots are told on the `slots` broadcast channel
(what keeps open day views live on every worker): a booking names its slot, a move both
slots, a block its slot; a refused or rolled-back change tells nothing."""

from __future__ import annotations

import asyncio

import pytest

from digihelse.booking import citizen, errors, slot_events, staff
from digihelse.core import broadcast
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY, World

SETTINGS = BookingSettings()


@pytest.fixture
def told(monkeypatch) -> list[set[int]]:
    messages: list[set[int]] = []

    def publish(channel, message):
        assert channel == slot_events.CHANNEL
        messages.append(set(message["slots"]))

    monkeypatch.setattr(broadcast, "publish", publish)
    return messages


def _book(world: World, who: str, slot_id: int):
    return citizen.book(world.engine, world.pupil(who), slot_id=slot_id,
                        client_key=f"{who}-{slot_id}", now=NOW, settings=SETTINGS)


def test_a_booking_tells_its_slot_once_committed(world, told):
    slot_id = world.slot_at(TUESDAY, 10)
    told.clear()  # what setting up the world told
    _book(world, "ida", slot_id)
    assert told and set().union(*told) == {slot_id}


def test_a_move_tells_the_old_slot_and_the_new(world, told):
    old, new = world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 13)
    booking = _book(world, "ida", old)
    told.clear()
    citizen.move(world.engine, world.pupil("ida"), booking.id, new_slot_id=new,
                 client_key="move-1", now=NOW, settings=SETTINGS)
    assert {old, new} <= set().union(*told)


def test_blocking_a_slot_tells_it(world, told):
    slot_id = world.slot_at(TUESDAY, 9)
    told.clear()
    staff.block_slot(world.engine, world.kari, slot_id, now=NOW)
    assert slot_id in set().union(*told)


def test_a_refused_booking_tells_nothing(world, told):
    slot_id = world.slot_at(TUESDAY, 10)
    _book(world, "ida", slot_id)
    told.clear()
    with pytest.raises(errors.SlotTaken):
        _book(world, "mia", slot_id)
    assert told == []


async def test_without_redis_a_message_reaches_this_processs_listeners():
    heard: list[dict] = []

    async def listener(message):
        heard.append(message)

    broadcast.listen("test-channel", listener)
    try:
        async with broadcast.follow():
            broadcast.publish("test-channel", {"slots": [1, 2]})
            for _ in range(50):
                if heard:
                    break
                await asyncio.sleep(0.01)
    finally:
        broadcast._listeners.pop("test-channel", None)
    assert heard == [{"slots": [1, 2]}]
