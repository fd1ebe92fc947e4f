"""The nurse's opening hours: weekly hours, one-off extra hours, closed days and drop-in
hours ("åpen dør"), checked, saved and previewed; a change brings her future slots in
line at once (booking/schedule.py plans which slots that means)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.booking import offers
from digihelse.booking.access import authorize_schedule
from digihelse.booking.errors import InvalidSchedule
from digihelse.booking.models import (
    ClosedDay,
    DropInHours,
    OneOffHours,
    Slot,
    WeeklySchedule,
)
from digihelse.booking.notices import clock, slot_label
from digihelse.booking.rules import (
    breaks_inside,
    periods_overlap,
    slot_length_ok,
    times_overlap,
    weekday_ok,
)
from digihelse.booking.schedule import (
    Conflict,
    GenerationResult,
    SlotInterval,
    apply_plan,
    closes,
    format_breaks,
    parse_breaks,
    plan_generation,
)
from digihelse.booking.views import DropInWindow
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO, aware_utc, to_oslo
from digihelse.people.models import Personnel, StaffAssignment


@dataclass(frozen=True)
class ClashingHours:
    """Hours she already has that new hours would overlap (for the message)."""

    weekday: int
    start_time: dt.time
    end_time: dt.time
    place_id: int
    valid_from: dt.date | None
    valid_to: dt.date | None


class HoursClash(InvalidSchedule):
    """The hours overlap hours she already has; `clashes` names them."""

    code = "hours_clash"
    message_key = "sched.err.clash"

    def __init__(self, clashes: list[ClashingHours]) -> None:
        described = ", ".join(f"{row.weekday}:{row.start_time:%H.%M}-{row.end_time:%H.%M}"
                              f"@{row.place_id}" for row in clashes)
        super().__init__(f"the hours overlap hours you already have: {described}")
        self.clashes = list(clashes)


@dataclass(frozen=True)
class WeeklyHours:
    """"Tirsdag 09.00–14.00, 20 minutter, lunsj 11.30–12.00" at one place."""

    place_id: int
    weekday: int  # 0 = Monday
    start: dt.time
    end: dt.time
    slot_minutes: int = 20
    breaks: str | tuple[str, ...] = ""
    valid_from: dt.date | None = None  # None: from today
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class ExtraHours:
    """One-off hours: "Ekstra: fredag 28. nov 12–14"."""

    place_id: int
    day: dt.date
    start: dt.time
    end: dt.time
    slot_minutes: int = 20
    breaks: str | tuple[str, ...] = ""
    label: str = ""


@dataclass(frozen=True)
class Closure:
    """Closed days ("Høstferie"). Without place_id the nurse is away everywhere; with
    whole_place the place is closed for every nurse there."""

    first_day: dt.date
    last_day: dt.date
    label: str = ""
    place_id: int | None = None
    whole_place: bool = False


@dataclass(frozen=True)
class DropIn:
    """"Åpen dør": weekly (weekday) or on one date (day); information only."""

    place_id: int
    start: dt.time
    end: dt.time
    weekday: int | None = None
    day: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    label: str = ""


ScheduleEdit = WeeklyHours | ExtraHours | Closure | DropIn
_TABLES: dict[type, type] = {WeeklyHours: WeeklySchedule, ExtraHours: OneOffHours,
                             Closure: ClosedDay, DropIn: DropInHours}
_KINDS: dict[str, type] = {"weekly": WeeklySchedule, "one_off": OneOffHours,
                           "closed": ClosedDay, "drop_in": DropInHours}


@dataclass(frozen=True)
class SlotSummary:
    slot_id: int | None  # None for a slot that would be created
    place_id: int
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{slot_label(self.start_at)}–{clock(self.end_at)}"


@dataclass(frozen=True)
class SchedulePreview:
    """What a change would do to the future slots. Conflicts are booked slots the change
    would remove: they are kept, and the nurse decides about each booking."""

    create: list[SlotSummary]
    withdraw: list[SlotSummary]
    conflicts: list[Conflict]


@dataclass(frozen=True)
class ScheduleChange:
    kind: str  # "weekly", "one_off", "closed", "drop_in"
    item_id: int
    generation: GenerationResult


@dataclass(frozen=True)
class MySchedule:
    weekly: list[WeeklySchedule] = field(default_factory=list)
    one_offs: list[OneOffHours] = field(default_factory=list)
    closed: list[ClosedDay] = field(default_factory=list)
    drop_ins: list[DropInHours] = field(default_factory=list)


def _kind_of(table: type) -> str:
    return next(kind for kind, model in _KINDS.items() if model is table)


def _validate(edit: ScheduleEdit, today: dt.date) -> dict[str, Any]:
    """Check an edit and turn it into column values."""
    def bad(message: str) -> InvalidSchedule:
        return InvalidSchedule(message)

    if isinstance(edit, Closure):
        if edit.last_day < edit.first_day:
            raise bad("the last closed day is before the first")
        return {"first_day": edit.first_day, "last_day": edit.last_day, "label": edit.label}
    if edit.end <= edit.start:
        raise bad("the hours must end after they start")
    values: dict[str, Any] = {"place_id": edit.place_id, "start_time": edit.start,
                              "end_time": edit.end}
    if isinstance(edit, DropIn):
        if (edit.weekday is None) == (edit.day is None):
            raise bad("drop-in hours need either a weekday or a date")
        if edit.weekday is not None and not weekday_ok(edit.weekday):
            raise bad("weekday must be 0 (Monday) to 6 (Sunday)")
        values.update(weekday=edit.weekday, day=edit.day, valid_from=edit.valid_from,
                      valid_to=edit.valid_to, label=edit.label)
        return values
    if not slot_length_ok(edit.slot_minutes):
        raise InvalidSchedule("a slot must be 5 to 240 minutes, in steps of 5",
                              code="bad_slot_length", message_key="sched.err.slot")
    try:
        breaks = parse_breaks(edit.breaks)
    except ValueError as exc:
        raise bad(str(exc)) from exc
    if not breaks_inside(breaks, edit.start, edit.end):
        raise bad("a break must lie inside the hours")
    values.update(slot_minutes=edit.slot_minutes, breaks=format_breaks(breaks))
    if isinstance(edit, ExtraHours):
        values.update(day=edit.day, label=edit.label)
        return values
    if not weekday_ok(edit.weekday):
        raise bad("weekday must be 0 (Monday) to 6 (Sunday)")
    valid_from = edit.valid_from or today
    if edit.valid_to is not None and edit.valid_to < valid_from:
        raise bad("valid_to is before valid_from")
    values.update(weekday=edit.weekday, valid_from=valid_from, valid_to=edit.valid_to)
    return values


def _affected(s: Session, nurse: Personnel, row: Any) -> set[int]:
    """Whose slots a change touches: a whole-place closure touches every nurse there."""
    if isinstance(row, ClosedDay) and row.personnel_id is None and row.place_id is not None:
        return set(s.exec(select(StaffAssignment.personnel_id)
                          .where(StaffAssignment.place_id == row.place_id)).all())
    return {nurse.id}


def _owned(s: Session, actor: Actor, table: type, item_id: int) -> tuple[Personnel, Any]:
    row = s.get(table, item_id)
    if row is None or not row.active:
        raise InvalidSchedule("no such entry", code="not_found")
    nurse = authorize_schedule(s, actor, getattr(row, "place_id", None))
    if getattr(row, "personnel_id", None) not in (None, nurse.id):
        raise AccessDenied("not_your_schedule", "this is another nurse's schedule")
    return nurse, row


def _refuse_clash(s: Session, actor: Actor, values: dict[str, Any], item_id: int | None) -> None:
    """Weekly hours may not overlap hours she already has on that weekday in an overlapping
    validity period, at this place or another: she cannot be in two places at once."""
    nurse = authorize_schedule(s, actor, values["place_id"])
    rows = s.exec(select(WeeklySchedule).where(
        WeeklySchedule.personnel_id == nurse.id, WeeklySchedule.active,
        WeeklySchedule.weekday == values["weekday"])).all()
    clashes = [row for row in rows if row.id != item_id
               and times_overlap(values["start_time"], values["end_time"],
                                 row.start_time, row.end_time)
               and periods_overlap(values["valid_from"], values["valid_to"],
                                   row.valid_from, row.valid_to)]
    if clashes:
        raise HoursClash([ClashingHours(row.weekday, row.start_time, row.end_time,
                                        row.place_id, row.valid_from, row.valid_to)
                          for row in clashes])


def _apply_edit(s: Session, actor: Actor, edit: ScheduleEdit | None, *, item_id: int | None,
                delete_kind: str | None, now: dt.datetime) -> tuple[Personnel, Any, set[int]]:
    """Write one change (not committed); returns the nurse, the row and whose slots move."""
    today = to_oslo(now).date()
    if delete_kind is not None:
        if item_id is None or delete_kind not in _KINDS:
            raise InvalidSchedule("what to delete?", code="bad_request")
        nurse, row = _owned(s, actor, _KINDS[delete_kind], item_id)
        affected = _affected(s, nurse, row)
        row.active = False
        s.add(row)
        s.flush()
        return nurse, row, affected
    if edit is None:
        raise InvalidSchedule("nothing to change", code="bad_request")
    values = _validate(edit, today)
    table = _TABLES[type(edit)]
    if isinstance(edit, WeeklyHours):
        _refuse_clash(s, actor, values, item_id)
    if isinstance(edit, Closure):
        place_id = edit.place_id
        nurse = authorize_schedule(s, actor, place_id)
        values.update(place_id=place_id,
                      personnel_id=None if edit.whole_place and place_id else nurse.id)
    else:
        nurse = authorize_schedule(s, actor, edit.place_id)
        if table is not DropInHours:
            values["personnel_id"] = nurse.id
    if item_id is None:
        row = table(**values, created_at=now)
        if isinstance(row, DropInHours):
            row.personnel_id = nurse.id
        before: set[int] = set()
    else:
        nurse, row = _owned(s, actor, table, item_id)
        before = _affected(s, nurse, row)
        for name, value in values.items():
            setattr(row, name, value)
        if hasattr(row, "updated_at"):
            row.updated_at = now
    s.add(row)
    s.flush()
    return nurse, row, before | _affected(s, nurse, row)


def save_schedule_item(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    edit: ScheduleEdit,
    *,
    item_id: int | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> ScheduleChange:
    """Create (item_id None) or update weekly hours, one-off hours, a closure or drop-in
    hours, and bring the future slots in line at once. Booked slots are never removed:
    they come back as conflicts in the result."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _, row, affected = _apply_edit(s, actor, edit, item_id=item_id, delete_kind=None,
                                       now=now)
        result = _regenerate(s, affected, row, now, settings)
        return ScheduleChange(_kind_of(type(row)), row.id, result)


def delete_schedule_item(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    kind: str,
    item_id: int,
    *,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> ScheduleChange:
    """Delete ("weekly", "one_off", "closed" or "drop_in"); kept as inactive for history."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        _, row, affected = _apply_edit(s, actor, None, item_id=item_id, delete_kind=kind,
                                       now=now)
        result = _regenerate(s, affected, row, now, settings)
        return ScheduleChange(kind, row.id, result)


def _regenerate(s: Session, affected: set[int], row: Any, now: dt.datetime,
                settings: BookingSettings) -> GenerationResult:
    if isinstance(row, DropInHours) or not affected:
        return GenerationResult(0, 0, [])
    plan = plan_generation(s, today=to_oslo(now).date(), days_ahead=settings.horizon_days,
                           now=now, personnel_ids=affected)
    result = apply_plan(s, plan, now=now)
    if result.created:  # new hours: offered at once to those waiting for an earlier time
        offers.offer_free_times(s, now=now, settings=settings)
    return result


def preview_schedule_change(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    edit: ScheduleEdit | None = None,
    *,
    item_id: int | None = None,
    delete_kind: str | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> SchedulePreview:
    """Which future slots a change would create and withdraw, and which booked slots it
    would conflict with. The change is made in a savepoint and rolled back: the preview
    runs the very code the change will."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        savepoint = s.begin_nested()
        try:
            _, row, affected = _apply_edit(s, actor, edit, item_id=item_id,
                                           delete_kind=delete_kind, now=now)
            if isinstance(row, DropInHours) or not affected:
                return SchedulePreview([], [], [])
            plan = plan_generation(s, today=to_oslo(now).date(),
                                   days_ahead=settings.horizon_days, now=now,
                                   personnel_ids=affected)
            create = [SlotSummary(None, i.place_id, i.start_at, i.end_at)
                      for i in _with_reopened(plan.create, plan.reopen)]
            withdraw = [SlotSummary(slot.id, slot.place_id, slot.start_at, slot.end_at)
                        for slot in plan.withdraw]
            return SchedulePreview(create, withdraw, list(plan.conflicts))
        finally:
            savepoint.rollback()


def _with_reopened(create: list[SlotInterval], reopen: list[tuple[Slot, SlotInterval]]
                   ) -> list[SlotInterval]:
    return sorted([*create, *(i for _, i in reopen)], key=lambda i: i.start_at)


def my_schedule(s: Session, actor: Actor) -> MySchedule:
    """The nurse's active opening hours, closures and drop-in hours."""
    nurse = authorize_schedule(s, actor, None)
    places = list(s.exec(select(StaffAssignment.place_id)
                         .where(StaffAssignment.personnel_id == nurse.id)).all())
    closed_here = or_(ClosedDay.personnel_id == nurse.id,
                      and_(col(ClosedDay.personnel_id).is_(None),
                           col(ClosedDay.place_id).in_(places)))
    return MySchedule(
        weekly=list(s.exec(
            select(WeeklySchedule)
            .where(WeeklySchedule.personnel_id == nurse.id, WeeklySchedule.active)
            .order_by(col(WeeklySchedule.weekday), col(WeeklySchedule.start_time))).all()),
        one_offs=list(s.exec(
            select(OneOffHours)
            .where(OneOffHours.personnel_id == nurse.id, OneOffHours.active)
            .order_by(col(OneOffHours.day))).all()),
        closed=list(s.exec(
            select(ClosedDay).where(ClosedDay.active, closed_here)
            .order_by(col(ClosedDay.first_day))).all()),
        drop_ins=list(s.exec(
            select(DropInHours)
            .where(col(DropInHours.place_id).in_(places), DropInHours.active)).all()),
    )


def next_drop_in(s: Session, place_id: int, now: dt.datetime,
                  days: int = 14) -> DropInWindow | None:
    rows = s.exec(select(DropInHours).where(DropInHours.place_id == place_id,
                                            DropInHours.active)).all()
    if not rows:
        return None
    today = to_oslo(now).date()
    closed = s.exec(select(ClosedDay).where(
        ClosedDay.active, ClosedDay.last_day >= today,
        ClosedDay.first_day <= today + dt.timedelta(days=days))).all()
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        windows = []
        for row in rows:
            if row.day is not None:
                applies = row.day == day
            else:
                applies = (row.weekday == day.weekday()
                           and (row.valid_from is None or row.valid_from <= day)
                           and (row.valid_to is None or day <= row.valid_to))
            if not applies or any(closes(c, day, row.personnel_id or -1, place_id)
                                  for c in closed):
                continue
            start = dt.datetime.combine(day, row.start_time, tzinfo=OSLO).astimezone(dt.UTC)
            end = dt.datetime.combine(day, row.end_time, tzinfo=OSLO).astimezone(dt.UTC)
            if end > now:
                windows.append(DropInWindow(place_id, start, end, row.label))
        if windows:
            return min(windows, key=lambda w: w.start_at)
    return None
