"""State for "Min timeplan": the nurse's weekly hours, extra hours, closed days and
drop-in hours per place, with forms to add them and Delete.

A change that removes free times is shown before it is saved ("Dette lager 15 nye ledige
tider og fjerner 3"). A booked time is never removed: the service keeps it and reports
it as a conflict, and the page tells the nurse to cancel or move the booking."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import reflex as rx
from babel.dates import format_date
from sqlmodel import col, select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.booking import service as booking
from digihelse.booking.schedule import Conflict, parse_breaks
from digihelse.core.db import get_engine
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import normalise_lang, t, tn
from digihelse.core.i18n.formatting import clock, day_month, weekday_day_month
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.people.models import Place, StaffAssignment
from digihelse.people.registry import personnel_by_pid
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.nurse import day_href, message_for, not_a_nurse
from digihelse.ui.state.session import SessionState

KINDS = ("weekly", "one_off", "closed", "drop_in")
ALL_PLACES = "all"  # a closure for every place the nurse serves
WEEKDAY_FIELDS = tuple(f"wd{i}" for i in range(7))
FIELDS = ("place", "weekdays", "weekday", "start", "end", "slot", "breaks", "valid_from",
          "day", "first_day", "last_day", "label")
# The id of the input each field's error points at (the error summary links to it).
FIELD_IDS = {name: f"f-{name}" for name in FIELDS} | {"weekdays": "f-wd0"}
NO_ERRORS = {name: "" for name in FIELDS}
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def default_draft(today: dt.date, place: str = "") -> dict[str, str]:
    """What a fresh form shows."""
    return {"place": place, "weekday": "0", "start": "", "end": "", "slot": "20",
            "breaks": "", "valid_from": today.isoformat(), "day": "", "first_day": "",
            "last_day": "", "label": ""} | {name: "" for name in WEEKDAY_FIELDS}


def weekday_name(index: int, lang: str) -> str:
    """'mandag' … 'søndag' (or 'Monday' …), from CLDR like the other dates."""
    lang = normalise_lang(lang)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=index)  # a Monday
    return format_date(day, "EEEE", locale="en_GB" if lang == "en" else lang)


def hm(value: dt.time) -> str:
    return f"{value:%H.%M}"


def breaks_text(text: str) -> str:
    return ", ".join(f"{hm(a)}–{hm(b)}" for a, b in parse_breaks(text))


def effect_text(created: int, withdrawn: int, lang: str) -> str:
    """'Dette lager 15 nye ledige tider og fjerner 3 ledige tider.'"""
    new, gone = tn("sched.n_new", created, lang), tn("sched.n_free", withdrawn, lang)
    if created and withdrawn:
        return t("sched.effect.both", lang, new=new, gone=gone)
    if created:
        return t("sched.effect.new", lang, new=new)
    if withdrawn:
        return t("sched.effect.gone", lang, gone=gone)
    return t("sched.effect.none", lang)


def done_text(created: int, withdrawn: int, lang: str, first: str = "sched.done",
              role: str = "") -> str:
    """'Lagret. Elevene kan nå bestille 2 nye ledige tider.' (in the role's words)"""
    parts = [t(first, lang)]
    if created:
        parts.append(t("sched.done.new", lang, role=role, new=tn("sched.n_new", created, lang)))
    if withdrawn:
        parts.append(t("sched.done.gone", lang, gone=tn("sched.n_free", withdrawn, lang)))
    return " ".join(parts)


# --- reading the form --------------------------------------------------------------------


def _time(text: str) -> dt.time | None:
    match = _TIME.match(text or "")
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def parse_edits(kind: str, form: dict[str, str], place_ids: list[int],
                today: dt.date) -> tuple[list[booking.ScheduleEdit], dict[str, str]]:
    """The service edits a submitted form asks for, or the error text keys per field.
    Every check a nurse can fail gets its own plain sentence; the service checks again."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    place_text = text("place") or (str(place_ids[0]) if len(place_ids) == 1 else "")
    place_id: int | None = None
    if place_text == ALL_PLACES and kind == "closed":
        place_id = None
    elif place_text.isdigit() and int(place_text) in place_ids:
        place_id = int(place_text)
    else:
        errors["place"] = "sched.err.place"

    start = end = None
    if kind in ("weekly", "one_off", "drop_in"):
        start, end = _time(text("start")), _time(text("end"))
        if start is None:
            errors["start"] = "sched.err.start"
        if end is None:
            errors["end"] = "sched.err.end"
        elif start is not None and end <= start:
            errors["end"] = "sched.err.end_before"

    slot = 0
    breaks = ""
    if kind in ("weekly", "one_off"):
        slot_text = text("slot")
        slot = int(slot_text) if slot_text.isdigit() else 0
        if not 5 <= slot <= 240:
            errors["slot"] = "sched.err.slot"
        elif start and end and end > start and _minutes(end) - _minutes(start) < slot:
            errors["slot"] = "sched.err.slot_long"
        breaks = text("breaks")
        try:
            parsed = parse_breaks(breaks)
        except ValueError:
            errors["breaks"] = "sched.err.breaks"
        else:
            if start and end and any(a < start or b > end for a, b in parsed):
                errors["breaks"] = "sched.err.break_inside"

    edits: list[booking.ScheduleEdit] = []
    if kind == "weekly":
        weekdays = [i for i, name in enumerate(WEEKDAY_FIELDS) if text(name)]
        if not weekdays:
            errors["weekdays"] = "sched.err.weekday"
        valid_from = _date(text("valid_from"), errors, "valid_from", required=False) or today
        if not errors:
            edits = [booking.WeeklyHours(place_id, day, start, end, slot_minutes=slot,
                                         breaks=breaks, valid_from=valid_from)
                     for day in weekdays]
    elif kind == "one_off":
        day = _date(text("day"), errors, "day", required=True)
        if day is not None and day < today:
            errors["day"] = "sched.err.past"
        if not errors:
            edits = [booking.ExtraHours(place_id, day, start, end, slot_minutes=slot)]
    elif kind == "closed":
        first = _date(text("first_day"), errors, "first_day", required=True)
        last = _date(text("last_day"), errors, "last_day", required=False) or first
        if first is not None and last is not None:
            if last < first:
                errors["last_day"] = "sched.err.last_before"
            elif last < today:
                errors["first_day"] = "sched.err.past"
        if not errors:
            edits = [booking.Closure(first, last, label=text("label")[:100],
                                     place_id=place_id)]
    elif kind == "drop_in":
        weekday = int(text("weekday")) if text("weekday").isdigit() else -1
        if not 0 <= weekday <= 6:
            errors["weekday"] = "sched.err.weekday"
        if not errors:
            edits = [booking.DropIn(place_id, start, end, weekday=weekday,
                                    label=text("label")[:100])]
    return edits, errors


def _date(text: str, errors: dict[str, str], name: str, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            errors[name] = "sched.err.date"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "sched.err.date"
        return None


# --- what the page shows -----------------------------------------------------------------


@dataclass
class ScheduleItem:
    key: str  # "weekly:3"
    title: str
    detail: str
    can_delete: bool
    delete_label: str


@dataclass
class PlaceBlock:
    place_id: int
    name: str
    weekly: list[ScheduleItem]
    one_offs: list[ScheduleItem]
    closed: list[ScheduleItem]
    drop_ins: list[ScheduleItem]


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class ConflictRow:
    label: str  # "Torsdag 27. november kl. 09.00"
    href: str  # that day under I dag, where the nurse cancels or moves it


@dataclass
class FieldError:
    href: str
    text: str


@dataclass
class Loaded:
    places: list[tuple[int, str]]
    blocks: list[PlaceBlock]
    shared: list[ScheduleItem]


def _item(kind: str, item_id: int, title: str, details: list[str], can_delete: bool,
          lang: str) -> ScheduleItem:
    return ScheduleItem(f"{kind}:{item_id}", title, " · ".join(d for d in details if d),
                        can_delete, t("sched.delete_label", lang, what=title))


def _range(first: dt.date, last: dt.date, lang: str) -> str:
    if first == last:
        return weekday_day_month(first, lang)
    return f"{day_month(first, lang)} – {day_month(last, lang)}"


def _build(mine: booking.MySchedule, places: list[tuple[int, str]], nurse_id: int,
           lang: str, today: dt.date) -> Loaded:
    blocks = {pid: PlaceBlock(pid, name, [], [], [], []) for pid, name in places}
    shared: list[ScheduleItem] = []
    for row in mine.weekly:
        details = [t("sched.item.minutes", lang, n=row.slot_minutes),
                   t("sched.item.breaks", lang, breaks=breaks_text(row.breaks))
                   if row.breaks else "",
                   t("sched.item.from", lang, date=day_month(row.valid_from, lang))
                   if row.valid_from > today else "",
                   t("sched.item.to", lang, date=day_month(row.valid_to, lang))
                   if row.valid_to else ""]
        title = (f"{weekday_name(row.weekday, lang).capitalize()} "
                 f"{hm(row.start_time)}–{hm(row.end_time)}")
        if row.place_id in blocks:
            blocks[row.place_id].weekly.append(_item("weekly", row.id, title, details, True,
                                                     lang))
    for row in mine.one_offs:
        if row.day < today or row.place_id not in blocks:
            continue
        when = f"{weekday_day_month(row.day, lang)} {hm(row.start_time)}–{hm(row.end_time)}"
        details = [t("sched.item.minutes", lang, n=row.slot_minutes),
                   t("sched.item.breaks", lang, breaks=breaks_text(row.breaks))
                   if row.breaks else "", row.label]
        blocks[row.place_id].one_offs.append(_item(
            "one_off", row.id, t("sched.item.extra", lang, when=when), details, True, lang))
    for row in mine.closed:
        if row.last_day < today:
            continue
        title = f"{row.label or t('sched.item.closed', lang)}: " \
                f"{_range(row.first_day, row.last_day, lang)}"
        details = [t("sched.item.whole_place", lang) if row.personnel_id is None else ""]
        item = _item("closed", row.id, title, details, True, lang)
        if row.place_id is None:
            shared.append(item)
        elif row.place_id in blocks:
            blocks[row.place_id].closed.append(item)
    for row in mine.drop_ins:
        if row.day is not None:
            if row.day < today:
                continue
            when = weekday_day_month(row.day, lang).capitalize()
        else:
            when = weekday_name(row.weekday or 0, lang).capitalize()
        title = f"{when} {hm(row.start_time)}–{hm(row.end_time)}"
        if row.place_id in blocks:
            blocks[row.place_id].drop_ins.append(_item(
                "drop_in", row.id, title, [row.label],
                row.personnel_id in (None, nurse_id), lang))
    return Loaded(places, list(blocks.values()), shared)


def _load(actor: Actor, lang: str, today: dt.date) -> Loaded:
    with db_session() as s:
        found = personnel_by_pid(s, actor.pid)
        if found is None:
            raise AccessDenied("role_not_permitted", "not personnel")
        nurse_id = found[1].id
        mine = booking.my_schedule(s, actor)
        places = [(pid, name) for pid, name in s.exec(
            select(Place.id, Place.name).join(StaffAssignment,
                                               StaffAssignment.place_id == Place.id)
            .where(StaffAssignment.personnel_id == nurse_id).order_by(col(Place.name))).all()]
        return _build(mine, places, nurse_id, lang, today)


def _unique(conflicts: list[Conflict]) -> list[Conflict]:
    seen: dict[int, Conflict] = {}
    for conflict in conflicts:
        seen.setdefault(conflict.slot_id, conflict)
    return sorted(seen.values(), key=lambda c: c.start_at)


def _preview(actor: Actor, edits: list[booking.ScheduleEdit]) -> tuple[int, int, list[Conflict]]:
    created = withdrawn = 0
    conflicts: list[Conflict] = []
    now = utcnow()
    for edit in edits:
        preview = booking.preview_schedule_change(get_engine(), actor, edit, now=now)
        created, withdrawn = created + len(preview.create), withdrawn + len(preview.withdraw)
        conflicts += preview.conflicts
    return created, withdrawn, _unique(conflicts)


def _save(actor: Actor, edits: list[booking.ScheduleEdit]) -> tuple[int, int, list[Conflict]]:
    created = withdrawn = 0
    conflicts: list[Conflict] = []
    for edit in edits:
        change = booking.save_schedule_item(get_engine(), actor, edit, now=utcnow())
        created += change.generation.created
        withdrawn += change.generation.withdrawn
        conflicts += change.generation.conflicts
    return created, withdrawn, _unique(conflicts)


def _preview_delete(actor: Actor, kind: str, item_id: int) -> tuple[int, int, list[Conflict]]:
    preview = booking.preview_schedule_change(get_engine(), actor, item_id=item_id,
                                              delete_kind=kind, now=utcnow())
    return len(preview.create), len(preview.withdraw), _unique(preview.conflicts)


def _delete(actor: Actor, kind: str, item_id: int) -> tuple[int, int, list[Conflict]]:
    change = booking.delete_schedule_item(get_engine(), actor, kind, item_id, now=utcnow())
    generation = change.generation
    return generation.created, generation.withdrawn, _unique(generation.conflicts)


@audience(PERSONNEL)
class NurseScheduleState(SessionState):
    blocks: list[PlaceBlock] = []
    shared_closed: list[ScheduleItem] = []
    place_choices: list[Choice] = []
    weekday_names: list[str] = []
    kind: str = "weekly"
    draft: dict[str, str] = default_draft(dt.date(2000, 1, 1))
    errors: dict[str, str] = dict(NO_ERRORS)
    error_list: list[FieldError] = []
    form_version: int = 0
    previewing: bool = False
    preview_text: str = ""
    preview_conflicts: list[ConflictRow] = []
    deleting_key: str = ""
    delete_text: str = ""
    delete_conflicts: list[ConflictRow] = []
    message: str = ""
    result_conflicts: list[ConflictRow] = []
    error: str = ""
    not_nurse: str = ""
    busy: bool = False
    loaded: bool = False
    _place_ids: list[int] = []
    _place_names: dict[int, str] = {}
    _pending: dict[str, str] = {}

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self._reset_messages()
        self.deleting_key, self.previewing = "", False
        self.errors, self.error_list = dict(NO_ERRORS), []
        if not (session.logged_in and session.is_personnel):
            self.loaded = False
            return
        lang = session.lang
        self.weekday_names = [weekday_name(i, lang).capitalize() for i in range(7)]
        await self._refresh(session)
        first = str(self._place_ids[0]) if self._place_ids else ""
        self.draft = default_draft(today_oslo(), first)
        self.form_version += 1
        self.loaded = True

    def _reset_messages(self) -> None:
        self.message, self.error, self.result_conflicts = "", "", []

    async def _refresh(self, session: SessionState) -> None:
        try:
            loaded = await asyncio.to_thread(_load, session._actor(), session.lang, today_oslo())
        except ServiceError as exc:
            self.blocks, self.shared_closed, self.place_choices = [], [], []
            self._place_ids = []
            if not_a_nurse(exc):
                self.not_nurse = message_for(exc, session.lang)
            else:
                self.error = message_for(exc, session.lang)
            return
        self.not_nurse = ""
        self.blocks, self.shared_closed = loaded.blocks, loaded.shared
        self._place_ids = [pid for pid, _ in loaded.places]
        self._place_names = dict(loaded.places)
        self.place_choices = [Choice(str(pid), name) for pid, name in loaded.places]

    def _conflict_rows(self, conflicts: list[Conflict], lang: str) -> list[ConflictRow]:
        rows = []
        for conflict in conflicts:
            day = to_oslo(conflict.start_at).date()
            label = (f"{weekday_day_month(day, lang).capitalize()} {t('time.at', lang)} "
                     f"{clock(conflict.start_at)}")
            if len(self._place_ids) > 1:
                label += f", {self._place_names.get(conflict.place_id, '')}"
            rows.append(ConflictRow(label, day_href(day)))
        return rows

    @rx.event
    def choose_kind(self, kind: str):
        if kind in KINDS:
            self.kind, self.previewing = kind, False
            self.errors, self.error_list = dict(NO_ERRORS), []

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the form; save at once when nothing is removed, else show the preview."""
        if self.busy:
            return
        session = await self.get_state(SessionState)
        lang = session.lang
        form = {name: str(value) for name, value in (form_data or {}).items()}
        self._reset_messages()
        self.draft = default_draft(today_oslo(), self.draft.get("place", "")) | form
        edits, errors = parse_edits(self.kind, form, self._place_ids, today_oslo())
        errors = {name: errors[name] for name in FIELDS if name in errors}  # form order
        self.errors = NO_ERRORS | {name: t(key, lang) for name, key in errors.items()}
        self.error_list = [FieldError(f"#{FIELD_IDS[name]}", t(key, lang))
                           for name, key in errors.items()]
        self.previewing = False
        if errors:
            return
        self.busy = True
        yield
        try:
            actor = session._actor()
            try:
                created, withdrawn, conflicts = await asyncio.to_thread(_preview, actor, edits)
            except ServiceError as exc:
                self.error = message_for(exc, lang)
                return
            if withdrawn or conflicts:
                self.previewing, self._pending = True, form
                self.preview_text = effect_text(created, withdrawn, lang)
                self.preview_conflicts = self._conflict_rows(conflicts, lang)
                return
            await self._save_edits(session, edits)
        finally:
            self.busy = False

    async def _save_edits(self, session: SessionState,
                          edits: list[booking.ScheduleEdit]) -> None:
        lang = session.lang
        try:
            created, withdrawn, conflicts = await asyncio.to_thread(
                _save, session._actor(), edits)
        except ServiceError as exc:
            self.error = message_for(exc, lang)
            return
        self.message = done_text(created, withdrawn, lang, role=session.role)
        self.result_conflicts = self._conflict_rows(conflicts, lang)
        self.previewing, self._pending = False, {}
        self.draft = default_draft(today_oslo(), self.draft.get("place", ""))
        self.form_version += 1
        await self._refresh(session)

    @rx.event
    async def confirm_save(self):
        if self.busy or not self.previewing:
            return
        session = await self.get_state(SessionState)
        edits, errors = parse_edits(self.kind, self._pending, self._place_ids, today_oslo())
        if errors:
            self.previewing = False
            return
        self.busy = True
        yield
        try:
            await self._save_edits(session, edits)
        finally:
            self.busy = False

    @rx.event
    def cancel_preview(self):
        self.previewing, self._pending = False, {}

    @rx.event
    async def ask_delete(self, key: str):
        kind, _, item = key.partition(":")
        if kind not in KINDS or not item.isdigit() or self.busy:
            return
        session = await self.get_state(SessionState)
        self._reset_messages()
        self.deleting_key, self.delete_text, self.delete_conflicts = key, "", []
        try:
            created, withdrawn, conflicts = await asyncio.to_thread(
                _preview_delete, session._actor(), kind, int(item))
        except ServiceError as exc:
            self.deleting_key, self.error = "", message_for(exc, session.lang)
            return
        self.delete_text = effect_text(created, withdrawn, session.lang)
        self.delete_conflicts = self._conflict_rows(conflicts, session.lang)

    @rx.event
    def keep_item(self):
        self.deleting_key, self.delete_text, self.delete_conflicts = "", "", []

    @rx.event
    async def confirm_delete(self):
        kind, _, item = self.deleting_key.partition(":")
        if kind not in KINDS or not item.isdigit() or self.busy:
            return
        session = await self.get_state(SessionState)
        lang = session.lang
        self.busy = True
        yield
        try:
            created, withdrawn, conflicts = await asyncio.to_thread(
                _delete, session._actor(), kind, int(item))
        except ServiceError as exc:
            self.error = message_for(exc, lang)
        else:
            self.message = done_text(created, withdrawn, lang, first="sched.deleted",
                                     role=session.role)
            self.result_conflicts = self._conflict_rows(conflicts, lang)
        finally:
            self.busy = False
            self.deleting_key, self.delete_text, self.delete_conflicts = "", "", []
        await self._refresh(session)

    @rx.event
    def dismiss(self):
        self.message, self.error = "", ""
