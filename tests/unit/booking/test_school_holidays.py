"""School holidays: entered by the school's nurse with checked dates, they remove the
school nurse's times at that school on those days, and give them back when removed."""

from __future__ import annotations

import datetime as dt

import pytest

from digihelse.booking import school_holidays, staff
from digihelse.booking.school_holidays import SchoolHolidayError
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY, World

SETTINGS = BookingSettings()


def _school_id(world: World) -> int:
    return world.school_id


def _add(world: World, first: dt.date, last: dt.date, name: str = "Juleferie", **kw):
    return school_holidays.add_school_holiday(
        world.engine, world.kari, place_id=_school_id(world), first_day=first,
        last_day=last, name=name, now=NOW, settings=SETTINGS, **kw)


def test_a_holiday_removes_the_days_times_and_removing_it_gives_them_back(world):
    assert staff.day_view(world.engine, world.kari, TUESDAY).entries
    holiday, result = _add(world, TUESDAY, TUESDAY, whole_municipality=True)
    assert result.withdrawn > 0
    assert not [e for e in staff.day_view(world.engine, world.kari, TUESDAY).entries
                if e.slot_status == "open"]
    lines = school_holidays.list_school_holidays(world.engine, world.kari, now=NOW)
    assert (lines[0].name, lines[0].place_id, lines[0].first_day) == ("Juleferie", None, TUESDAY)
    school_holidays.remove_school_holiday(world.engine, world.kari, holiday.id, now=NOW,
                                          settings=SETTINGS)
    assert [e for e in staff.day_view(world.engine, world.kari, TUESDAY).entries
            if e.slot_status == "open"]


@pytest.mark.parametrize(("first", "last", "name", "code"), [
    (TUESDAY, TUESDAY - dt.timedelta(days=1), "Høstferie", "last_before_first"),
    (TUESDAY, TUESDAY + dt.timedelta(days=90), "Høstferie", "too_long"),
    (TUESDAY - dt.timedelta(days=30), TUESDAY - dt.timedelta(days=20), "Høstferie",
     "out_of_range"),
    (TUESDAY + dt.timedelta(days=1000), TUESDAY + dt.timedelta(days=1001), "Høstferie",
     "out_of_range"),
    (TUESDAY, TUESDAY, "  ", "name_required"),
    (TUESDAY, TUESDAY, "x" * 61, "name_too_long"),
])
def test_bad_holidays_say_why(world, first, last, name, code):
    with pytest.raises(SchoolHolidayError) as caught:
        _add(world, first, last, name)
    assert caught.value.code == code


def test_overlapping_holidays_are_refused(world):
    _add(world, TUESDAY, TUESDAY + dt.timedelta(days=3))
    with pytest.raises(SchoolHolidayError) as caught:
        _add(world, TUESDAY + dt.timedelta(days=2), TUESDAY + dt.timedelta(days=5),
             "Vinterferie", whole_municipality=True)
    assert caught.value.code == "overlap"


def test_a_pupil_cannot_enter_holidays(world):
    from digihelse.access.actors import AccessDenied
    with pytest.raises(AccessDenied):
        school_holidays.add_school_holiday(
            world.engine, world.pupil("ida"), place_id=_school_id(world), first_day=TUESDAY,
            last_day=TUESDAY, name="Fri", now=NOW, settings=SETTINGS)
