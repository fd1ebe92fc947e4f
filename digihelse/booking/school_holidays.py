"""School holidays (høstferie, juleferie, vinterferie, påske): a calendar per school year,
entered once for a whole municipality or for one school by a school nurse there. On those
days the school nurse's times at the school are not published (weekly or extra hours);
the health station and the youth clinic stay open, so their times are untouched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.booking.access import authorize_schedule
from digihelse.booking.errors import InvalidSchedule
from digihelse.booking.models import SchoolHoliday
from digihelse.booking.rules import SCHOOL_PLACES
from digihelse.booking.schedule import GenerationResult, apply_plan, plan_generation
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.i18n.families import keyed
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.people.models import Place, StaffAssignment

MAX_NAME = 60
MAX_DAYS = 60  # the summer holiday is not entered: schools have no term then
YEARS_AHEAD = 2  # a school year or two ahead is planning; further is a typing mistake


class SchoolHolidayError(InvalidSchedule):
    """A school holiday that cannot be saved; `code` says which field and why."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code, code=code,
                         message_key=keyed("school_holiday.error", code))


@dataclass(frozen=True)
class HolidayLine:
    """One school holiday as the nurse's page lists it."""

    holiday_id: int
    name: str
    first_day: dt.date
    last_day: dt.date
    place_id: int | None  # None: the whole municipality
    place_name: str  # the school's name, or "" for the whole municipality


def _her_schools(s: Session, actor: Actor) -> list[Place]:
    nurse = authorize_schedule(s, actor, None)
    return list(s.exec(select(Place)
                       .join(StaffAssignment, StaffAssignment.place_id == Place.id)
                       .where(StaffAssignment.personnel_id == nurse.id,
                              col(Place.kind).in_(SCHOOL_PLACES))
                       .order_by(col(Place.name))).all())


def school_choices(s_or_engine: SessionOrEngine, actor: Actor) -> list[tuple[int, str]]:
    """The schools (id, name) where she may enter school holidays; none for a nurse
    who works only at a health station or youth clinic."""
    with transaction(s_or_engine) as s:
        return [(p.id, p.name) for p in _her_schools(s, actor)]


def _covers(holiday: SchoolHoliday, schools: list[Place]) -> bool:
    return any(holiday.place_id == p.id or (
        holiday.place_id is None and holiday.municipality_id == p.municipality_id)
        for p in schools)


def _school(s: Session, actor: Actor, place_id: int) -> Place:
    """One of the acting school nurse's schools, or a refusal that reveals nothing."""
    for school in _her_schools(s, actor):
        if school.id == place_id:
            return school
    raise AccessDenied("not_your_school", "school holidays are entered at one's own school")


def list_school_holidays(s_or_engine: SessionOrEngine, actor: Actor, *,
                         now: dt.datetime | None = None) -> list[HolidayLine]:
    """The school holidays not yet over at her schools (the school's own and the
    municipality's), first first."""
    today = to_oslo(aware_utc(now)).date()
    with transaction(s_or_engine) as s:
        schools = _her_schools(s, actor)
        names = {p.id: p.name for p in schools}
        rows = s.exec(select(SchoolHoliday).where(SchoolHoliday.last_day >= today)
                      .order_by(col(SchoolHoliday.first_day))).all()
        return [HolidayLine(h.id, h.name, h.first_day, h.last_day, h.place_id,
                            names.get(h.place_id, "") if h.place_id else "")
                for h in rows if _covers(h, schools)]


def _validate(name: str, first_day: dt.date | None, last_day: dt.date | None,
              today: dt.date) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SchoolHolidayError("name_required")
    if len(name) > MAX_NAME:
        raise SchoolHolidayError("name_too_long")
    if first_day is None or last_day is None:
        raise SchoolHolidayError("dates_required")
    if last_day < first_day:
        raise SchoolHolidayError("last_before_first")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise SchoolHolidayError("too_long")
    if last_day < today or first_day > today + dt.timedelta(days=366 * YEARS_AHEAD):
        raise SchoolHolidayError("out_of_range")
    return name


def _overlapping(s: Session, school: Place, first_day: dt.date,
                 last_day: dt.date) -> SchoolHoliday | None:
    """A holiday of the same school or its municipality that shares a day with these."""
    return s.exec(select(SchoolHoliday).where(
        SchoolHoliday.first_day <= last_day, SchoolHoliday.last_day >= first_day,
        or_(SchoolHoliday.place_id == school.id,
            (col(SchoolHoliday.place_id).is_(None))
            & (SchoolHoliday.municipality_id == school.municipality_id)))).first()


def _regenerate(s: Session, now: dt.datetime, settings: BookingSettings) -> GenerationResult:
    """Bring every school nurse's future slots in line: a holiday's booked slots stay,
    reported as conflicts, for the nurse to move or cancel."""
    nurses = set(s.exec(select(StaffAssignment.personnel_id)
                        .join(Place, Place.id == StaffAssignment.place_id)
                        .where(col(Place.kind).in_(SCHOOL_PLACES))).all())
    plan = plan_generation(s, today=to_oslo(now).date(), days_ahead=settings.horizon_days,
                           now=now, personnel_ids=nurses)
    return apply_plan(s, plan, now=now)


def add_school_holiday(s_or_engine: SessionOrEngine, actor: Actor, *, place_id: int,
                       first_day: dt.date | None, last_day: dt.date | None, name: str,
                       whole_municipality: bool = False, now: dt.datetime | None = None,
                       settings: BookingSettings) -> tuple[SchoolHoliday, GenerationResult]:
    """Enter a school holiday for one of her schools, or for every school in its
    municipality; the times on those days go at once (booked ones are kept and
    returned as conflicts)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        school = _school(s, actor, place_id)
        clean = _validate(name, first_day, last_day, to_oslo(now).date())
        assert first_day is not None and last_day is not None
        clash = _overlapping(s, school, first_day, last_day)
        if clash is not None:
            raise SchoolHolidayError("overlap", f"overlaps {clash.name}")
        holiday = SchoolHoliday(
            municipality_id=school.municipality_id,
            place_id=None if whole_municipality else school.id,
            first_day=first_day, last_day=last_day, name=clean, created_at=now)
        s.add(holiday)
        s.flush()
        return holiday, _regenerate(s, now, settings)


def remove_school_holiday(s_or_engine: SessionOrEngine, actor: Actor, holiday_id: int, *,
                          now: dt.datetime | None = None,
                          settings: BookingSettings) -> GenerationResult:
    """Remove a school holiday at her schools; its days get their times back."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        holiday = s.get(SchoolHoliday, holiday_id)
        if holiday is None or not _covers(holiday, _her_schools(s, actor)):
            raise SchoolHolidayError("not_found")
        s.delete(holiday)
        s.flush()
        return _regenerate(s, now, settings)
