"""Which schools a school holiday closes, for the slot planner: a school's own holiday
closes it, a municipality's closes every school in it and none of its other places (the
health station and the youth clinic are open in the school holidays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from digihelse.booking.models import SchoolHoliday
from digihelse.booking.rules import SCHOOL_PLACES
from digihelse.people.models import Place


@dataclass(frozen=True)
class HolidayClosure:
    """A school holiday as the slot planner's closed day at one school (schedule.closes)."""

    place_id: int
    first_day: dt.date
    last_day: dt.date
    personnel_id: int | None = None
    active: bool = True


def closures(s: Session, first: dt.date, end: dt.date) -> list[HolidayClosure]:
    """The school holidays from `first` to before `end`, one closure per school they close:
    a municipality's holiday closes every school in it, never its other places."""
    holidays = s.exec(select(SchoolHoliday).where(
        SchoolHoliday.first_day < end, SchoolHoliday.last_day >= first)).all()
    if not holidays:
        return []
    schools = s.exec(select(Place).where(col(Place.kind).in_(SCHOOL_PLACES))).all()
    result = []
    for holiday in holidays:
        for school in schools:
            if holiday.place_id == school.id or (
                    holiday.place_id is None
                    and holiday.municipality_id == school.municipality_id):
                result.append(HolidayClosure(school.id, holiday.first_day, holiday.last_day))
    return result
