"""The "Min timeplan" form as the nurse fills it in: what she typed becomes the service's
opening-hours edits, or one plain error per field, and the form and the service agree on
the rules (slot length, breaks, weekdays)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digihelse.booking.opening_hours import Closure, DropIn, ExtraHours, WeeklyHours
from digihelse.booking.rules import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES, slot_length_ok
from digihelse.ui.presenters.nurse_schedule import ALL_PLACES, effect_text, parse_edits

TODAY = dt.date(2025, 11, 24)  # a Monday
PLACES = [7, 9]


def weekly(**form: str) -> dict[str, str]:
    return {"place": "7", "wd1": "on", "start": "09.00", "end": "14:00", "slot": "20",
            "breaks": "11:30-12:00"} | form


def test_weekly_hours_become_one_edit_per_weekday_ticked():
    edits, errors = parse_edits("weekly", weekly(wd3="on"), PLACES, TODAY)
    assert errors == {}
    assert edits == [
        WeeklyHours(7, day, dt.time(9), dt.time(14), slot_minutes=20, breaks="11:30-12:00",
                    valid_from=TODAY)
        for day in (1, 3)]


@pytest.mark.parametrize(("form", "field", "key"), [
    ({"place": "8"}, "place", "sched.err.place"),  # a place she does not serve
    ({"start": "25.00"}, "start", "sched.err.start"),
    ({"end": "08.00"}, "end", "sched.err.end_before"),
    ({"slot": "abc"}, "slot", "sched.err.slot"),
    ({"slot": "240", "end": "12:00", "breaks": ""}, "slot", "sched.err.slot_long"),
    ({"breaks": "8:00-9:30"}, "breaks", "sched.err.break_inside"),
    ({"breaks": "lunsj"}, "breaks", "sched.err.breaks"),
    ({"wd1": ""}, "weekdays", "sched.err.weekday"),
])
def test_each_mistake_gets_its_own_sentence_and_nothing_is_saved(form, field, key):
    edits, errors = parse_edits("weekly", weekly(**form), PLACES, TODAY)
    assert edits == []
    assert errors[field] == key


@given(st.integers(min_value=0, max_value=600))
def test_the_form_accepts_exactly_the_slot_lengths_the_service_does(minutes):
    form = weekly(start="00:00", end="23:59", breaks="", slot=str(minutes))
    _, errors = parse_edits("weekly", form, PLACES, TODAY)
    assert ("slot" not in errors) == slot_length_ok(minutes)
    assert slot_length_ok(minutes) == (MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES
                                      and minutes % 5 == 0)


def test_one_off_hours_closed_days_and_drop_in():
    friday = dt.date(2025, 11, 28)
    edits, _ = parse_edits("one_off", {"place": "9", "day": friday.isoformat(),
                                       "start": "12.00", "end": "14.00", "slot": "30"},
                           PLACES, TODAY)
    assert edits == [ExtraHours(9, friday, dt.time(12), dt.time(14), slot_minutes=30)]
    edits, _ = parse_edits("closed", {"place": ALL_PLACES, "first_day": "2025-12-22",
                                      "label": "Juleferie"}, PLACES, TODAY)
    assert edits == [Closure(dt.date(2025, 12, 22), dt.date(2025, 12, 22),
                             label="Juleferie", place_id=None)]
    edits, errors = parse_edits("drop_in", {"place": "7", "weekday": "7", "start": "12.00",
                                            "end": "13.00"}, PLACES, TODAY)
    assert (edits, errors) == ([], {"weekday": "sched.err.weekday"})
    edits, _ = parse_edits("drop_in", {"place": "7", "weekday": "2", "start": "12.00",
                                       "end": "13.00"}, PLACES, TODAY)
    assert edits == [DropIn(7, dt.time(12), dt.time(13), weekday=2)]


def test_a_past_day_is_refused():
    _, errors = parse_edits("one_off", {"place": "7", "day": "2025-11-21", "start": "12.00",
                                        "end": "14.00", "slot": "20"}, PLACES, TODAY)
    assert errors == {"day": "sched.err.past"}


def test_the_preview_says_how_many_free_times_come_and_go():
    both = effect_text(15, 3, "en")
    assert "15" in both and "3" in both
    assert effect_text(0, 0, "en") != both
