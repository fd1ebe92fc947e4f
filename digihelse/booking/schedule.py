"""Slot generation: opening hours on the Europe/Oslo wall clock become UTC slots,
idempotently, and a slot somebody has booked is never removed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from digihelse.booking.models import (
    Booking,
    BookingStatus,
    ClosedDay,
    OneOffHours,
    Slot,
    SlotStatus,
    WeeklySchedule,
)
from digihelse.booking.school_calendar import closures
from digihelse.core.holidays import is_public_holiday
from digihelse.core.timeutil import OSLO, utcnow

Break = tuple[dt.time, dt.time]

_BREAK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_breaks(text: str | Sequence[str] | None) -> tuple[Break, ...]:
    """"11:30-12:00, 13:00-13:10" (or a list of such) -> sorted (start, end) pairs."""
    if not text:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    result = []
    for part in parts:
        if not part.strip():
            continue
        match = _BREAK.match(part)
        if match is None:
            raise ValueError(f"a break must look like 11:30-12:00, not {part!r}")
        h1, m1, h2, m2 = map(int, match.groups())
        start, end = dt.time(h1, m1), dt.time(h2, m2)
        if end <= start:
            raise ValueError(f"a break must end after it starts: {part!r}")
        result.append((start, end))
    return tuple(sorted(result))


def format_breaks(breaks: Iterable[Break]) -> str:
    return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in breaks)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> dt.time:
    return dt.time(*divmod(minutes, 60))


def local_to_utc(day: dt.date, minutes: int) -> dt.datetime | None:
    """The UTC instant of a wall-clock time in Oslo; None when that time does not exist
    (the spring gap 02:00–03:00). A repeated time (autumn) means its first occurrence."""
    local = dt.datetime.combine(day, _time(minutes), tzinfo=OSLO)  # fold=0: first occurrence
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(OSLO).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def _end_to_utc(day: dt.date, minutes: int) -> dt.datetime:
    # An end of 02:00 on the spring day does not exist on the wall clock, but the instant
    # is clear (01:00 UTC); fold=0 gives exactly that.
    return dt.datetime.combine(day, _time(minutes), tzinfo=OSLO).astimezone(dt.UTC)


@dataclass(frozen=True)
class DayHours:
    """One nurse's working window on one date, before it is cut into slots."""

    personnel_id: int
    place_id: int
    day: dt.date
    start: dt.time
    end: dt.time
    slot_minutes: int
    breaks: tuple[Break, ...] = ()
    source: str = "manual"
    schedule_id: int | None = None
    one_off_id: int | None = None


class SlotInterval(NamedTuple):
    """A slot the schedule asks for (not yet, or already, in the database)."""

    personnel_id: int
    start_at: dt.datetime  # aware UTC
    end_at: dt.datetime
    place_id: int
    source: str
    schedule_id: int | None = None
    one_off_id: int | None = None

    @property
    def key(self) -> tuple[int, dt.datetime]:
        return (self.personnel_id, self.start_at)


def _segments(start: int, end: int, breaks: Iterable[Break]) -> list[tuple[int, int]]:
    """The working window minus the breaks, as (start, end) minute ranges."""
    segments = [(start, end)]
    for b_start, b_end in breaks:
        bs, be = _minutes(b_start), _minutes(b_end)
        cut = []
        for s, e in segments:
            if be <= s or bs >= e:
                cut.append((s, e))
                continue
            if s < bs:
                cut.append((s, bs))
            if be < e:
                cut.append((be, e))
        segments = cut
    return segments


def slots_for_day(hours: DayHours) -> list[SlotInterval]:
    """Cut a day's window into slots. Slots restart after each break (lunch 11.30–12.00
    gives a 12.00 slot), and are laid out on the wall clock so 09.00 stays 09.00 local.

    Across daylight saving: a slot is kept only if its start exists on the wall clock and
    it really lasts slot_minutes. That skips slots in or across the spring gap, and in the
    repeated autumn hour takes the first occurrence only, so nothing is duplicated."""
    length = hours.slot_minutes
    if length <= 0:
        raise ValueError("slot_minutes must be positive")
    result = []
    for seg_start, seg_end in _segments(_minutes(hours.start), _minutes(hours.end), hours.breaks):
        at = seg_start
        while at + length <= seg_end:
            start_utc = local_to_utc(hours.day, at)
            if start_utc is not None:
                end_utc = _end_to_utc(hours.day, at + length)
                if end_utc - start_utc == dt.timedelta(minutes=length):
                    result.append(SlotInterval(
                        hours.personnel_id, start_utc, end_utc, hours.place_id, hours.source,
                        hours.schedule_id, hours.one_off_id,
                    ))
            at += length
    return result


class _Weekly(Protocol):
    id: int | None
    personnel_id: int
    place_id: int
    weekday: int
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    breaks: str
    valid_from: dt.date
    valid_to: dt.date | None
    active: bool


class _OneOff(Protocol):
    id: int | None
    personnel_id: int
    place_id: int
    day: dt.date
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    breaks: str
    active: bool


class _Closed(Protocol):
    place_id: int | None
    personnel_id: int | None
    first_day: dt.date
    last_day: dt.date
    active: bool


def closes(closed: _Closed, day: dt.date, personnel_id: int, place_id: int) -> bool:
    """Whether a closed-day entry removes this nurse's hours at this place on this day."""
    if not closed.active or not closed.first_day <= day <= closed.last_day:
        return False
    if closed.place_id is not None and closed.place_id != place_id:
        return False
    return closed.personnel_id is None or closed.personnel_id == personnel_id


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day < end:
        yield day
        day += dt.timedelta(days=1)


def plan_slots(
    weekly: Iterable[_Weekly],
    one_offs: Iterable[_OneOff],
    closed: Iterable[_Closed],
    start_date: dt.date,
    end_date: dt.date,
) -> list[SlotInterval]:
    """Weekly hours (not on public holidays) + one-off hours − closed days − breaks, for
    start_date ≤ day <
    end_date, sorted by nurse and time. Where hours overlap for one nurse, the earlier
    slot wins (weekly before one-off at the same start), so a nurse is never in two
    slots at once."""
    weekly, one_offs, closed = list(weekly), list(one_offs), list(closed)
    hours: list[DayHours] = []
    for day in _days(start_date, end_date):
        for w in weekly:
            # Weekly hours pause on public holidays; one-off hours a nurse adds on such a
            # day are hers to give.
            if (w.active and w.weekday == day.weekday() and w.valid_from <= day
                    and (w.valid_to is None or day <= w.valid_to)
                    and not is_public_holiday(day)):
                hours.append(DayHours(w.personnel_id, w.place_id, day, w.start_time, w.end_time,
                                      w.slot_minutes, parse_breaks(w.breaks),
                                      f"weekly:{w.id}", schedule_id=w.id))
    for o in one_offs:
        if o.active and start_date <= o.day < end_date:
            hours.append(DayHours(o.personnel_id, o.place_id, o.day, o.start_time, o.end_time,
                                  o.slot_minutes, parse_breaks(o.breaks),
                                  f"oneoff:{o.id}", one_off_id=o.id))
    intervals = [
        interval
        for h in hours
        if not any(closes(c, h.day, h.personnel_id, h.place_id) for c in closed)
        for interval in slots_for_day(h)
    ]
    intervals.sort(key=lambda i: (i.personnel_id, i.start_at, i.one_off_id is not None))
    result: list[SlotInterval] = []
    busy_until: dict[int, dt.datetime] = {}
    for interval in intervals:
        until = busy_until.get(interval.personnel_id)
        if until is not None and interval.start_at < until:
            continue
        result.append(interval)
        busy_until[interval.personnel_id] = interval.end_at
    return result


# --- the database side ------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A booked slot the schedule no longer wants (or wants different). It is kept as it
    is; the nurse decides what to do with the booking."""

    slot_id: int
    booking_id: int
    person_id: int
    personnel_id: int
    place_id: int
    start_at: dt.datetime
    end_at: dt.datetime
    reason: str  # "removed" (not in the schedule any more) or "changed" (other place/length)


@dataclass
class SlotPlan:
    """What generate_slots would do; nothing is written until apply_plan."""

    create: list[SlotInterval]
    reopen: list[tuple[Slot, SlotInterval]]  # withdrawn slots the schedule wants again
    update: list[tuple[Slot, SlotInterval]]  # unbooked slots whose place or length changed
    withdraw: list[Slot]
    conflicts: list[Conflict]


class GenerationResult(NamedTuple):
    created: int  # new slots, and withdrawn ones opened again
    withdrawn: int
    conflicts: list[Conflict]


def window_utc(today: dt.date, days_ahead: int) -> tuple[dt.datetime, dt.datetime]:
    """Oslo midnight of `today` to Oslo midnight `days_ahead` days later, in UTC."""
    start = dt.datetime.combine(today, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    end_day = today + dt.timedelta(days=days_ahead)
    end = dt.datetime.combine(end_day, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    return start, end


def _same(slot: Slot, interval: SlotInterval | None) -> bool:
    return interval is not None and (slot.place_id, slot.end_at) == (
        interval.place_id, interval.end_at)


def _overlaps(interval: SlotInterval, busy: list[tuple[int, dt.datetime, dt.datetime]]) -> bool:
    return any(pid == interval.personnel_id and interval.start_at < end and start < interval.end_at
               for pid, start, end in busy)


def plan_generation(
    s: Session,
    *,
    today: dt.date,
    days_ahead: int = 28,
    now: dt.datetime | None = None,
    personnel_ids: Iterable[int] | None = None,
) -> SlotPlan:
    """Compare what the schedules ask for with the slots in the database (read only).
    Only slots starting after `now` are touched: the past is never rewritten."""
    now = now or utcnow()
    end_date = today + dt.timedelta(days=days_ahead)
    start_utc, end_utc = window_utc(today, days_ahead)
    lower = max(start_utc, now)
    ids = None if personnel_ids is None else sorted(set(personnel_ids))

    def only(model: type) -> Select:
        query = select(model)
        if ids is not None:
            query = query.where(col(model.personnel_id).in_(ids))
        return query

    weekly = s.exec(only(WeeklySchedule).where(
        WeeklySchedule.active, WeeklySchedule.valid_from < end_date,
        or_(col(WeeklySchedule.valid_to).is_(None), col(WeeklySchedule.valid_to) >= today),
    )).all()
    one_offs = s.exec(only(OneOffHours).where(
        OneOffHours.active, OneOffHours.day >= today, OneOffHours.day < end_date,
    )).all()
    closed = [*s.exec(select(ClosedDay).where(
        ClosedDay.active, ClosedDay.first_day < end_date, ClosedDay.last_day >= today,
    )).all(), *closures(s, today, end_date)]  # school holidays close the schools
    desired = {
        interval.key: interval
        for interval in plan_slots(weekly, one_offs, closed, today, end_date)
        if interval.start_at > now
    }
    existing_rows = s.exec(only(Slot).where(
        Slot.start_at > lower, Slot.start_at < end_utc,
    )).all()
    existing = {(row.personnel_id, row.start_at): row for row in existing_rows}
    active = {}
    if existing_rows:
        active = {
            b.slot_id: b
            for b in s.exec(select(Booking).where(
                col(Booking.slot_id).in_([row.id for row in existing_rows]),
                Booking.status != BookingStatus.CANCELLED,
            )).all()
        }

    plan = SlotPlan([], [], [], [], [])
    # A slot already under way is left alone, but nothing new may overlap it either.
    ongoing = s.exec(only(Slot).where(Slot.start_at <= now, Slot.end_at > now,
                                      Slot.status != SlotStatus.WITHDRAWN)).all()
    busy = [(slot.personnel_id, slot.start_at, slot.end_at) for slot in ongoing]
    kept: set[tuple[int, dt.datetime]] = set()
    for key, slot in existing.items():
        interval = desired.get(key)
        booking = active.get(slot.id)
        if booking is not None and not _same(slot, interval):
            plan.conflicts.append(Conflict(
                slot.id, booking.id, booking.person_id, slot.personnel_id, slot.place_id,
                slot.start_at, slot.end_at, "removed" if interval is None else "changed",
            ))
            busy.append((slot.personnel_id, slot.start_at, slot.end_at))
            kept.add(key)
    # A booked slot that stays keeps the nurse busy: nothing the schedule asks for may
    # overlap it, and an old unbooked slot in the way is withdrawn like any other.
    desired = {key: interval for key, interval in desired.items()
               if key not in kept and not _overlaps(interval, busy)}
    for key, slot in existing.items():
        if key in kept:
            continue
        interval = desired.get(key)
        if interval is None:
            if slot.status != SlotStatus.WITHDRAWN:
                plan.withdraw.append(slot)
        elif slot.status == SlotStatus.WITHDRAWN:
            plan.reopen.append((slot, interval))
        elif not _same(slot, interval):
            plan.update.append((slot, interval))
    plan.create = [interval for key, interval in desired.items() if key not in existing]
    plan.create.sort(key=lambda i: (i.start_at, i.personnel_id))
    plan.withdraw.sort(key=lambda slot: (slot.start_at, slot.personnel_id))
    plan.conflicts.sort(key=lambda c: (c.start_at, c.personnel_id))
    return plan


def apply_plan(s: Session, plan: SlotPlan, *, now: dt.datetime | None = None) -> GenerationResult:
    """Write a plan in the session's transaction (the caller commits)."""
    now = now or utcnow()
    for interval in plan.create:
        s.add(Slot(place_id=interval.place_id, personnel_id=interval.personnel_id,
                   start_at=interval.start_at, end_at=interval.end_at, source=interval.source,
                   schedule_id=interval.schedule_id, one_off_id=interval.one_off_id,
                   created_at=now, updated_at=now))
    for slot, interval in [*plan.reopen, *plan.update]:
        if slot.status == SlotStatus.WITHDRAWN:
            slot.status = SlotStatus.OPEN
            slot.blocked_reason = None
        slot.place_id, slot.end_at = interval.place_id, interval.end_at
        slot.source = interval.source
        slot.schedule_id, slot.one_off_id = interval.schedule_id, interval.one_off_id
        slot.updated_at = now
        s.add(slot)
    for slot in plan.withdraw:
        # Blocked slots go too: they are unbooked, and the schedule no longer has them.
        slot.status = SlotStatus.WITHDRAWN
        slot.updated_at = now
        s.add(slot)
    s.flush()
    return GenerationResult(len(plan.create) + len(plan.reopen), len(plan.withdraw),
                            list(plan.conflicts))


def generate_slots(
    s: Session,
    *,
    today: dt.date,
    days_ahead: int = 28,
    now: dt.datetime | None = None,
    personnel_ids: Iterable[int] | None = None,
) -> GenerationResult:
    """Bring the slots from `today` (Oslo) and `days_ahead` days on in line with the
    schedules. Idempotent; booked slots the schedule dropped are kept and reported as
    conflicts. Run it in a write transaction (db.write_session); the caller commits."""
    now = now or utcnow()
    plan = plan_generation(s, today=today, days_ahead=days_ahead, now=now,
                           personnel_ids=personnel_ids)
    return apply_plan(s, plan, now=now)
