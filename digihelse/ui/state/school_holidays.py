"""State for the school holidays on "Min timeplan": the holidays at her schools, a form
to add one (for her school or the whole municipality) and Fjern with a confirmation.

Saving removes the free times on those days at once; a booked time stays and is listed
for the nurse to move or cancel, as any schedule change does."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from digihelse.booking import school_holidays
from digihelse.booking.schedule import GenerationResult
from digihelse.core.db import get_engine
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import utcnow
from digihelse.people.registry import personnel_by_pid
from digihelse.ui.presenters.nurse_schedule import Choice, ConflictRow, done_text, unique
from digihelse.ui.presenters.school_holidays import (
    FIELD_OF_CODE,
    HOLIDAY_FIELDS,
    HolidayRow,
    read_date,
    rows,
)
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.nurse import message_for
from digihelse.ui.state.nurse_schedule import NurseScheduleState
from digihelse.ui.state.session import SessionState

NO_FIELD_ERRORS = {name: "" for name in HOLIDAY_FIELDS}


def _add(actor, form: dict[str, str], place_id: int) -> GenerationResult:
    """Save the holiday; the conflicts kept are only her own bookings (a holiday for the
    whole municipality also keeps other nurses' bookings, which they see on their days)."""
    _, result = school_holidays.add_school_holiday(
        get_engine(), actor, place_id=place_id, first_day=read_date(form.get("first_day", "")),
        last_day=read_date(form.get("last_day", "")), name=form.get("name", ""),
        whole_municipality=form.get("whole") == "on", now=utcnow(),
        settings=get_settings().booking)
    with db_session() as s:
        found = personnel_by_pid(s, actor.pid)
    mine = [c for c in result.conflicts if found is not None and c.personnel_id == found[1].id]
    return result._replace(conflicts=mine)


def _remove(actor, holiday_id: int) -> GenerationResult:
    return school_holidays.remove_school_holiday(get_engine(), actor, holiday_id,
                                                 now=utcnow(), settings=get_settings().booking)


@audience(PERSONNEL)
class SchoolHolidayState(SessionState):
    holidays: list[HolidayRow] = []
    schools: list[Choice] = []
    draft: dict[str, str] = {"name": "", "first_day": "", "last_day": "", "school": ""}
    field_errors: dict[str, str] = dict(NO_FIELD_ERRORS)
    removing_key: str = ""
    message: str = ""
    error: str = ""
    conflicts: list[ConflictRow] = []
    form_version: int = 0
    busy: bool = False
    _school_ids: list[int] = []

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.message, self.error, self.conflicts, self.removing_key = "", "", [], ""
        self.field_errors = dict(NO_FIELD_ERRORS)
        if not session._may_open("schedule"):
            return
        await self._refresh(session)

    async def _refresh(self, session: SessionState) -> None:
        actor, lang = session._actor(), session.lang
        try:
            schools, lines = await asyncio.to_thread(self._read, actor)
        except ServiceError:
            self.schools, self.holidays, self._school_ids = [], [], []
            return
        self._school_ids = [pid for pid, _ in schools]
        self.schools = [Choice(str(pid), name) for pid, name in schools]
        self.holidays = rows(lines, lang)
        if self.draft.get("school", "") not in {c.value for c in self.schools}:
            self.draft = self.draft | {"school": self.schools[0].value if schools else ""}

    @staticmethod
    def _read(actor):
        engine = get_engine()
        return (school_holidays.school_choices(engine, actor),
                school_holidays.list_school_holidays(engine, actor, now=utcnow()))

    async def _conflict_rows(self, result: GenerationResult, lang: str) -> list[ConflictRow]:
        schedule = await self.get_state(NurseScheduleState)
        return schedule._conflict_rows(unique(result.conflicts), lang)

    @rx.event
    async def add(self, form_data: dict[str, Any]):
        """Save the holiday; a refusal marks the field it is about and says what to do."""
        if self.busy:
            return
        session = await self.get_state(SessionState)
        lang = session.lang
        form = {name: str(value) for name, value in (form_data or {}).items()}
        self.draft = {"name": form.get("name", ""), "first_day": form.get("first_day", ""),
                      "last_day": form.get("last_day", ""),
                      "school": form.get("school", self.draft.get("school", ""))}
        self.message, self.error, self.conflicts = "", "", []
        self.field_errors = dict(NO_FIELD_ERRORS)
        school = self.draft["school"]
        if not school.isdigit() or int(school) not in self._school_ids:
            self.error = t("school_holiday.error.not_found", lang)
            return
        self.busy = True
        yield
        try:
            result = await asyncio.to_thread(_add, session._actor(), form, int(school))
        except ServiceError as exc:
            text = message_for(exc, lang)
            field = FIELD_OF_CODE.get(getattr(exc, "code", ""), "")
            if field:
                self.field_errors = NO_FIELD_ERRORS | {field: text}
            else:
                self.error = text
            return
        finally:
            self.busy = False
        self.message = done_text(0, result.withdrawn, lang, first="hol.saved")
        self.conflicts = await self._conflict_rows(result, lang)
        self.draft = {"name": "", "first_day": "", "last_day": "", "school": school}
        self.form_version += 1
        await self._refresh(session)

    @rx.event
    def ask_remove(self, key: str):
        if key.isdigit() and not self.busy:
            self.removing_key, self.message, self.error = key, "", ""

    @rx.event
    def keep(self):
        self.removing_key = ""

    @rx.event
    async def confirm_remove(self):
        key = self.removing_key
        if not key.isdigit() or self.busy:
            return
        session = await self.get_state(SessionState)
        lang = session.lang
        self.busy = True
        yield
        try:
            result = await asyncio.to_thread(_remove, session._actor(), int(key))
        except ServiceError as exc:
            self.error = message_for(exc, lang)
        else:
            self.message = done_text(result.created, 0, lang, first="hol.removed",
                                     role=session.role)
            self.conflicts = []
        finally:
            self.busy, self.removing_key = False, ""
        await self._refresh(session)
