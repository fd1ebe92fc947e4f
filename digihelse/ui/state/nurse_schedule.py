"""State for "Min timeplan": the nurse's weekly hours, extra hours, closed days and
drop-in hours per place, with forms to add them and Delete.

The form is read and the hours are worded by ui/presenters/nurse_schedule.py. A change
that removes free times is shown before it is saved ("Dette lager 15 nye ledige
tider og fjerner 3"). A booked time is never removed: the service keeps it and reports
it as a conflict, and the page tells the nurse to cancel or move the booking."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import reflex as rx
from sqlmodel import col, select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.booking.opening_hours import (
    HoursClash,
    ScheduleEdit,
    delete_schedule_item,
    my_schedule,
    preview_schedule_change,
    save_schedule_item,
)
from digihelse.booking.schedule import Conflict
from digihelse.core.db import get_engine
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import clock, weekday_day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.people.models import Place, StaffAssignment
from digihelse.people.registry import personnel_by_pid
from digihelse.ui.presenters.nurse_schedule import (
    FIELD_IDS,
    FIELDS,
    KINDS,
    NO_ERRORS,
    Choice,
    ConflictRow,
    FieldError,
    Loaded,
    PlaceBlock,
    ScheduleItem,
    build,
    clash_text,
    default_draft,
    done_text,
    effect_text,
    error_text,
    parse_edits,
    unique,
    weekday_name,
)
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.nurse import day_href, message_for, not_a_nurse
from digihelse.ui.state.session import SessionState


def _load(actor: Actor, lang: str, today: dt.date) -> Loaded:
    with db_session() as s:
        found = personnel_by_pid(s, actor.pid)
        if found is None:
            raise AccessDenied("role_not_permitted", "not personnel")
        nurse_id = found[1].id
        mine = my_schedule(s, actor)
        places = [(pid, name) for pid, name in s.exec(
            select(Place.id, Place.name).join(StaffAssignment,
                                               StaffAssignment.place_id == Place.id)
            .where(StaffAssignment.personnel_id == nurse_id).order_by(col(Place.name))).all()]
        return build(mine, places, nurse_id, lang, today)


def _preview(actor: Actor, edits: list[ScheduleEdit]) -> tuple[int, int, list[Conflict]]:
    created = withdrawn = 0
    conflicts: list[Conflict] = []
    now = utcnow()
    for edit in edits:
        preview = preview_schedule_change(get_engine(), actor, edit, now=now,
                                          settings=get_settings().booking)
        created, withdrawn = created + len(preview.create), withdrawn + len(preview.withdraw)
        conflicts += preview.conflicts
    return created, withdrawn, unique(conflicts)


def _save(actor: Actor, edits: list[ScheduleEdit]) -> tuple[int, int, list[Conflict]]:
    created = withdrawn = 0
    conflicts: list[Conflict] = []
    for edit in edits:
        change = save_schedule_item(get_engine(), actor, edit, now=utcnow(),
                                    settings=get_settings().booking)
        created += change.generation.created
        withdrawn += change.generation.withdrawn
        conflicts += change.generation.conflicts
    return created, withdrawn, unique(conflicts)


def _preview_delete(actor: Actor, kind: str, item_id: int) -> tuple[int, int, list[Conflict]]:
    preview = preview_schedule_change(get_engine(), actor, item_id=item_id, delete_kind=kind,
                                      now=utcnow(), settings=get_settings().booking)
    return len(preview.create), len(preview.withdraw), unique(preview.conflicts)


def _delete(actor: Actor, kind: str, item_id: int) -> tuple[int, int, list[Conflict]]:
    change = delete_schedule_item(get_engine(), actor, kind, item_id, now=utcnow(),
                                  settings=get_settings().booking)
    generation = change.generation
    return generation.created, generation.withdrawn, unique(generation.conflicts)


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
        if not session._may_open("schedule"):
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
        self.errors = NO_ERRORS | {name: error_text(key, lang) for name, key in errors.items()}
        self.error_list = [FieldError(f"#{FIELD_IDS[name]}", error_text(key, lang))
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
            except HoursClash as exc:
                self.error = clash_text(exc.clashes, lang, self._place_names)
                return
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
                          edits: list[ScheduleEdit]) -> None:
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
