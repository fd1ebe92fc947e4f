"""A person who books, moves or cancels too often in a short while is stopped with a
plain sentence and a time to wait; others, and personnel, go on as before."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from digihelse.booking import citizen, errors
from digihelse.booking.models import Booking
from digihelse.core import db
from digihelse.core.i18n import t
from digihelse.core.ratelimit import shared_limiter
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY

CAPPED = dataclasses.replace(BookingSettings(), rate_per_person="3/minute",
                             max_active_future_bookings=10)


@pytest.fixture(autouse=True)
def fresh_counters():
    shared_limiter().storage.reset()
    yield
    shared_limiter().storage.reset()


def _book(world, who: str, hour: int, minute: int = 0):
    return citizen.book(world.engine, world.pupil(who), slot_id=world.slot_at(TUESDAY, hour,
                        minute), client_key=f"{who}-{hour}-{minute}", now=NOW, settings=CAPPED)


def test_past_the_cap_the_request_is_refused_and_nothing_is_booked(world):
    first = _book(world, "ida", 9)
    citizen.cancel(world.engine, world.pupil("ida"), first.id, now=NOW, settings=CAPPED)
    _book(world, "ida", 9, 20)  # book, cancel, book: three requests
    with pytest.raises(errors.TooManyRequests) as caught:
        _book(world, "ida", 9, 40)
    assert 1 <= caught.value.retry_after <= 60
    with db.session(world.engine) as s:
        assert len(s.exec(select(Booking)).all()) == 2  # the refused one left no row
    assert "Vent litt" in t(caught.value.message_key, "nb")


def test_moves_count_too(world):
    booking = _book(world, "ida", 9)
    for key, (hour, minute) in enumerate(((9, 20), (9, 40))):
        booking = citizen.move(world.engine, world.pupil("ida"), booking.id,
                               new_slot_id=world.slot_at(TUESDAY, hour, minute),
                               client_key=f"move-{key}", now=NOW, settings=CAPPED)
    with pytest.raises(errors.TooManyRequests):
        citizen.move(world.engine, world.pupil("ida"), booking.id,
                     new_slot_id=world.slot_at(TUESDAY, 10), client_key="move-3", now=NOW,
                     settings=CAPPED)


def test_the_cap_is_per_person(world):
    for minute in (0, 20, 40):
        _book(world, "ida", 9, minute)
    with pytest.raises(errors.TooManyRequests):
        _book(world, "ida", 10)
    assert _book(world, "emil", 10).status == "booked"


def test_personnel_are_not_capped(world):
    bookings = [_book(world, "ida", 9, minute) for minute in (0, 20, 40)]
    for booking in bookings:
        citizen.cancel(world.engine, world.kari, booking.id, now=NOW, reason="Syk",
                       settings=CAPPED)
    with db.session(world.engine) as s:
        assert all(b.status == "cancelled" for b in s.exec(select(Booking)).all())


def test_without_a_cap_in_the_settings_nothing_is_counted(world):
    uncapped = dataclasses.replace(CAPPED, rate_per_person=None)
    for minute in (0, 20, 40):
        booking = citizen.book(world.engine, world.pupil("ida"),
                               slot_id=world.slot_at(TUESDAY, 9, minute),
                               client_key=f"u-{minute}", now=NOW, settings=uncapped)
        citizen.cancel(world.engine, world.pupil("ida"), booking.id, now=NOW,
                       settings=uncapped)
