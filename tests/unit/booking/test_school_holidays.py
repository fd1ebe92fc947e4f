"""School holidays: entered by the school's nurse with checked dates, they remove the
school nurse's times at that school on those days, and give them back when removed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _open_school_days(world: World) -> set[dt.date]:
    """The days with an open school nurse's time at the school."""
    from sqlmodel import select

    from digihelse.booking.models import Slot, SlotStatus
    from digihelse.core import db
    from digihelse.core.timeutil import to_oslo

    with db.session(world.engine) as s:
        starts = s.exec(select(Slot.start_at).where(Slot.place_id == world.school_id,
                                                    Slot.status == SlotStatus.OPEN)).all()
    return {to_oslo(start).date() for start in starts}


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 24), length=st.integers(1, 12), whole=st.booleans())
def test_no_school_time_is_open_on_a_school_or_public_holiday(world, start, length, whole):
    """Whatever holiday is entered, no open school time falls on one of its days or on a
    public holiday; removing it gives back exactly the days there were."""
    from digihelse.core.holidays import is_public_holiday

    before = _open_school_days(world)
    first = TUESDAY + dt.timedelta(days=start)
    last = first + dt.timedelta(days=length - 1)
    holiday, _ = _add(world, first, last, whole_municipality=whole)
    during = _open_school_days(world)
    assert not {d for d in during if first <= d <= last}
    assert not {d for d in during if is_public_holiday(d)}
    assert during == {d for d in before if not first <= d <= last}
    school_holidays.remove_school_holiday(world.engine, world.kari, holiday.id, now=NOW,
                                          settings=SETTINGS)
    assert _open_school_days(world) == before
