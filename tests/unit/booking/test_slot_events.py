"""Committed changes to bookings and slots are told on the `slots` broadcast channel
(what keeps open day views live on every worker): a booking names its slot, a move both
slots, a block its slot; a refused or rolled-back change tells nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from digihelse.booking import citizen, errors, opening_hours, slot_events, staff
from digihelse.core import broadcast
from digihelse.core.settings import BookingSettings
from digihelse.ui.state import live_day
from tests.factories import NOW, TUESDAY, World

SETTINGS = BookingSettings()


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    messages: list[dict] = []

    def publish(channel, message):
        assert channel == slot_events.CHANNEL
        messages.append(message)

    monkeypatch.setattr(broadcast, "publish", publish)
    return messages


def slots_in(messages: list[dict]) -> set[int]:
    return {i for m in messages for i in m["slots"]}


def _book(world: World, who: str, slot_id: int):
    return citizen.book(world.engine, world.pupil(who), slot_id=slot_id,
                        client_key=f"{who}-{slot_id}", now=NOW, settings=SETTINGS)


def test_a_booking_tells_its_slot_once_committed(world, published):
    slot_id = world.slot_at(TUESDAY, 10)
    published.clear()  # what setting up the world told
    _book(world, "ida", slot_id)
    assert published and slots_in(published) == {slot_id}


def test_a_move_tells_the_old_slot_and_the_new(world, published):
    old, new = world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 13)
    booking = _book(world, "ida", old)
    published.clear()
    citizen.move(world.engine, world.pupil("ida"), booking.id, new_slot_id=new,
                 client_key="move-1", now=NOW, settings=SETTINGS)
    assert {old, new} <= slots_in(published)


def test_blocking_a_slot_tells_it(world, published):
    slot_id = world.slot_at(TUESDAY, 9)
    published.clear()
    staff.block_slot(world.engine, world.kari, slot_id, now=NOW)
    assert slot_id in slots_in(published)


def test_a_refused_booking_tells_nothing(world, published):
    slot_id = world.slot_at(TUESDAY, 10)
    _book(world, "ida", slot_id)
    published.clear()
    with pytest.raises(errors.SlotTaken):
        _book(world, "mia", slot_id)
    assert published == []


def test_new_hours_on_a_day_without_slots_tell_that_day(world, published):
    friday = dt.date(2025, 11, 28)  # Kari has no hours on Fridays
    published.clear()
    opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.ExtraHours(
        place_id=world.school_id, day=friday, start=dt.time(12), end=dt.time(13)),
        now=NOW, settings=SETTINGS)
    assert any(friday.isoformat() in m["days"] for m in published)


def test_a_day_view_watches_its_slots_and_its_day():
    live_day.watch("tab-a", {1, 2}, day="2025-11-28")
    live_day.watch("tab-b", set(), day="2025-11-29")  # an empty day still listens
    try:
        assert live_day.watchers({2}) == ["tab-a"]
        assert live_day.watchers(set(), {"2025-11-29"}) == ["tab-b"]
        assert live_day.watchers({9}, {"2025-11-30"}) == []
        live_day.watch("tab-a", {3}, day="2025-11-30")  # navigated: the old day is let go
        assert live_day.watchers({1}, {"2025-11-28"}) == []
    finally:
        live_day.unwatch("tab-a")
        live_day.unwatch("tab-b")


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
