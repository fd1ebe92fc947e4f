"""When a place is open, for the out-of-office reply and the inbox's waiting times: its
nurses' weekly and one-off hours, less its closed days, school holidays (at a school) and
public holidays. Plain functions over the booking tables."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from digihelse.booking.models import ClosedDay, OneOffHours, WeeklySchedule
from digihelse.booking.schedule import closes
from digihelse.booking.school_calendar import closures
from digihelse.core.holidays import is_public_holiday
from digihelse.core.timeutil import OSLO, to_oslo

LOOK_AHEAD_DAYS = 45  # a summer holiday is longer, but then we say nothing rather than guess


def _windows(s: Session, place_id: int, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    if is_public_holiday(day):
        return []
    weekly = s.exec(select(WeeklySchedule).where(
        WeeklySchedule.place_id == place_id, WeeklySchedule.active,
        WeeklySchedule.weekday == day.weekday(), WeeklySchedule.valid_from <= day)).all()
    weekly = [w for w in weekly if w.valid_to is None or day <= w.valid_to]
    one_off = s.exec(select(OneOffHours).where(OneOffHours.place_id == place_id,
                                               OneOffHours.active,
                                               OneOffHours.day == day)).all()
    closed = [*s.exec(select(ClosedDay).where(
        ClosedDay.active, ClosedDay.first_day <= day, ClosedDay.last_day >= day)).all(),
        *closures(s, day, day + dt.timedelta(days=1))]
    out = []
    for row in [*weekly, *one_off]:
        if any(closes(c, day, row.personnel_id, place_id) for c in closed):
            continue
        out.append((dt.datetime.combine(day, row.start_time, tzinfo=OSLO),
                    dt.datetime.combine(day, row.end_time, tzinfo=OSLO)))
    return out


def is_open(s: Session, place_id: int, now: dt.datetime) -> bool:
    """Whether someone is at work at the place at this moment."""
    local = to_oslo(now)
    return any(start <= local < end for start, end in _windows(s, place_id, local.date()))


def next_working_day(s: Session, place_id: int, now: dt.datetime) -> dt.date | None:
    """The next day (today, if its hours are still ahead) someone is at work there; None
    when the place publishes no hours in the weeks ahead."""
    local = to_oslo(now)
    for offset in range(LOOK_AHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        if any(start > local for start, _end in _windows(s, place_id, day)):
            return day
    return None


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Weekdays that are not public holidays after `first`, up to and including `last`:
    how many working days a message has waited."""
    days, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and not is_public_holiday(day):
            days += 1
    return days


def places_with_hours(s: Session, place_ids: list[int]) -> set[int]:
    """The places of these that publish any weekly hours at all."""
    return set(s.exec(select(WeeklySchedule.place_id).where(
        col(WeeklySchedule.place_id).in_(place_ids), WeeklySchedule.active)).all())
