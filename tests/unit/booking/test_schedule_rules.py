"""Bad schedule input is refused in the service (issue #13, bug 8): weekly hours that
overlap hours the nurse already has, and slot lengths that are not whole 5-minute steps."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.booking import errors, opening_hours, rules
from digihelse.booking.models import WeeklySchedule
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW

SETTINGS = BookingSettings()


def _weekly(world, start, end, *, weekday=1, minutes=20, valid_from=None, valid_to=None):
    return opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
        place_id=world.school_id, weekday=weekday, start=dt.time(*start), end=dt.time(*end),
        slot_minutes=minutes, valid_from=valid_from or NOW.date(), valid_to=valid_to),
        now=NOW, settings=SETTINGS)


def test_the_same_weekly_hours_twice_are_refused_naming_the_hours_they_clash_with(world):
    # Kari already works Tuesdays 09.00-14.00 (the factory's week).
    with pytest.raises(opening_hours.HoursClash) as caught:
        _weekly(world, (9,), (14,))
    assert caught.value.message_key == "sched.err.clash"
    assert [(c.weekday, c.start_time, c.end_time) for c in caught.value.clashes] == [
        (1, dt.time(9), dt.time(14))]
    with pytest.raises(opening_hours.HoursClash):
        _weekly(world, (13,), (15,))  # a partial overlap too


def test_hours_that_only_touch_or_fall_on_other_days_or_periods_are_saved(world):
    _weekly(world, (14,), (16,))  # ends of 09-14 and 14-16 touch
    _weekly(world, (9,), (14,), weekday=2)  # Wednesday is free
    far = NOW.date() + dt.timedelta(days=400)
    # Ending her Tuesdays first makes room for new ones after that.
    with db.session(world.engine) as s:
        tuesday = s.exec(select(WeeklySchedule).where(WeeklySchedule.weekday == 1,
                                                      WeeklySchedule.start_time == dt.time(9))
                         ).one()
    opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
        place_id=world.school_id, weekday=1, start=dt.time(9), end=dt.time(14),
        valid_from=NOW.date(), valid_to=far), item_id=tuesday.id, now=NOW, settings=SETTINGS)
    _weekly(world, (10,), (12,), valid_from=far + dt.timedelta(days=1))


def test_changing_hours_does_not_clash_with_themselves(world):
    with db.session(world.engine) as s:
        tuesday = s.exec(select(WeeklySchedule).where(WeeklySchedule.weekday == 1)).one()
    opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
        place_id=world.school_id, weekday=1, start=dt.time(9), end=dt.time(15)),
        item_id=tuesday.id, now=NOW, settings=SETTINGS)


@pytest.mark.parametrize("minutes", [7, 4, 245, 22])
def test_slot_lengths_that_are_not_whole_5_minute_steps_are_refused(world, minutes):
    assert not rules.slot_length_ok(minutes)
    with pytest.raises(errors.InvalidSchedule) as caught:
        _weekly(world, (9,), (14,), weekday=4, minutes=minutes)
    assert caught.value.message_key == "sched.err.slot"


def test_5_minute_steps_from_min_to_max_are_allowed():
    allowed = [m for m in range(0, 300) if rules.slot_length_ok(m)]
    assert allowed == list(range(rules.MIN_SLOT_MINUTES, rules.MAX_SLOT_MINUTES + 1, 5))


_hours = st.tuples(st.integers(0, 4), st.integers(7, 16), st.integers(1, 4))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_hours, min_size=1, max_size=6))
def test_no_two_active_weekly_hours_of_one_nurse_overlap(world, entries):
    # The examples add to one world: whatever was saved before, no two hours overlap.
    for weekday, hour, length in entries:
        with contextlib.suppress(opening_hours.HoursClash):
            _weekly(world, (hour,), (min(hour + length, 23),), weekday=weekday)
    with db.session(world.engine) as s:
        rows = s.exec(select(WeeklySchedule).where(WeeklySchedule.active)).all()
    for a in rows:
        for b in rows:
            if a.id < b.id and a.personnel_id == b.personnel_id and a.weekday == b.weekday:
                assert not (rules.times_overlap(a.start_time, a.end_time, b.start_time,
                                                b.end_time)
                            and rules.periods_overlap(a.valid_from, a.valid_to,
                                                      b.valid_from, b.valid_to)), (a, b)
