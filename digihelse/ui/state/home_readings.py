"""State for her own measurements at home ("målt selv"): her form and list on
/helsekort/malinger, and the same readings, read-only, on her midwife's or GP's view of
the card. The rules are in digihelse.healthcard.home_readings; the form's strings and the
rows in digihelse.ui.presenters.home_readings."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.timeutil import utcnow
from digihelse.healthcard.errors import ValidationFailed
from digihelse.healthcard.home_readings import (
    add_home_reading,
    delete_home_reading,
    edit_home_reading,
    home_readings,
)
from digihelse.ui.presenters.home_readings import (
    FIELDS,
    ReadingRow,
    every_problem,
    field_of,
    now_fields,
    parse_reading,
    reading_fields,
    reading_row,
    refusal_text,
)
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.session import SessionState

# The calm message stays while her newest reading at or above 140/90 is this fresh.
ADVICE_FOR = dt.timedelta(hours=24)


def _input_id(name: str) -> str:
    return f"home-{name}"


# Her page and her carers' card both use it: each handler checks who is asking.
class HomeReadingsState(SessionState):
    loaded: bool = False
    error: str = ""
    may_edit: bool = False
    rows: list[ReadingRow] = []
    values: dict[str, str] = {}  # the form's starting values (uncontrolled inputs)
    form_key: str = ""
    field_errors: dict[str, str] = {}
    saving: bool = False
    message: str = ""
    advice_bp: str = ""  # "145/95" when the calm message is to be shown, else ""
    editing_id: int = 0
    confirm_delete_id: int = 0
    _woman_pid: str = ""
    _fields: dict[int, dict[str, str]] = {}

    @rx.event
    async def load(self):
        """Her own page: the readings of whom she acts for (herself, or a partner's view)."""
        session = await self.get_state(SessionState)
        assign(self, message="", field_errors={}, saving=False, editing_id=0,
               confirm_delete_id=0, advice_bp="")
        if not session.logged_in or session.is_personnel:
            assign(self, loaded=False)
            return
        self._woman_pid = session._actor().subject_pid
        await self._refresh(session, fresh_form=True, advice_from_list=True)

    @rx.event
    async def load_for_carer(self):
        """On the midwife's or GP's card of the woman she opened."""
        from digihelse.ui.state.card import CarerState

        session = await self.get_state(SessionState)
        carer = await self.get_state(CarerState)
        assign(self, message="", field_errors={}, advice_bp="", editing_id=0)
        if not (session.logged_in and session.is_personnel and carer._woman_pid):
            assign(self, loaded=False)
            return
        self._woman_pid = carer._woman_pid
        await self._refresh(session)

    async def _refresh(self, session: SessionState, *, fresh_form: bool = False,
                       advice_from_list: bool = False) -> None:
        lang = session.lang
        try:
            view = await asyncio.to_thread(home_readings, get_engine(), session._actor(),
                                           self._woman_pid)
        except ServiceError as exc:
            assign(self, error=refusal_text(exc, lang), rows=[], may_edit=False, loaded=True)
            return
        self._fields = {r.id: reading_fields(r) for r in view.readings} if view.may_edit \
            else {}
        assign(self, error="", may_edit=view.may_edit,
               rows=[reading_row(r, lang) for r in view.readings], loaded=True)
        if advice_from_list and view.may_edit and view.readings:
            newest = view.readings[0]
            if newest.high and utcnow() - newest.measured_at <= ADVICE_FOR:
                assign(self, advice_bp=f"{newest.bp_systolic}/{newest.bp_diastolic}")
        if fresh_form:
            assign(self, values=now_fields(utcnow()), form_key=uuid.uuid4().hex[:8])

    @rx.event
    async def save(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        if not self.may_edit or not self._woman_pid:
            return
        self.saving, self.message, self.field_errors = True, "", {}
        yield
        draft, errors = parse_reading(form)
        if draft is None:
            errors = every_problem(form, errors, utcnow())
        saved = None
        if draft is not None:
            version = str(form.get("version", ""))
            try:
                if self.editing_id:
                    saved = await asyncio.to_thread(
                        edit_home_reading, get_engine(), session._actor(), self._woman_pid,
                        self.editing_id, draft,
                        expected_version=int(version) if version.isdigit() else None,
                        now=utcnow())
                else:
                    saved = await asyncio.to_thread(add_home_reading, get_engine(),
                                                    session._actor(), self._woman_pid, draft,
                                                    now=utcnow())
            except ValidationFailed as exc:
                errors = {field_of(name): key for name, key in exc.errors.items()}
            except ServiceError as exc:
                self.saving, self.message = False, refusal_text(exc, lang)
                return
        if saved is None:
            # What she typed stays in the fields (the form is not re-created).
            self.field_errors = {name: t(key, lang) for name, key in errors.items()}
            self.saving = False
            first = next((name for name in FIELDS if name in errors), None)
            focus_on(self, _input_id(first) if first else "home-form-error")
            return
        self.saving, self.editing_id = False, 0
        self.advice_bp = f"{saved.bp_systolic}/{saved.bp_diastolic}" if saved.high else ""
        await self._refresh(session, fresh_form=True)
        self.message = t("card.home.saved", lang)

    @rx.event
    def edit(self, reading_id: int):
        """One of her readings into the form, to correct it."""
        found = self._fields.get(reading_id)
        if found is None or not self.may_edit:
            return
        assign(self, values=dict(found), form_key=uuid.uuid4().hex[:8], editing_id=reading_id,
               field_errors={}, message="", confirm_delete_id=0)
        focus_on(self, _input_id("bp_systolic"))

    @rx.event
    async def cancel_edit(self):
        assign(self, values=now_fields(utcnow()), form_key=uuid.uuid4().hex[:8],
               editing_id=0, field_errors={})

    @rx.event
    def ask_delete(self, reading_id: int):
        if reading_id in self._fields:
            assign(self, confirm_delete_id=reading_id)

    @rx.event
    def keep(self):
        self.confirm_delete_id = 0

    @rx.event
    async def delete(self):
        session = await self.get_state(SessionState)
        reading_id, self.confirm_delete_id = self.confirm_delete_id, 0
        if not reading_id or not self.may_edit:
            return
        try:
            await asyncio.to_thread(delete_home_reading, get_engine(), session._actor(),
                                    self._woman_pid, reading_id, now=utcnow())
        except ServiceError as exc:
            self.message = refusal_text(exc, session.lang)
            return
        if self.editing_id == reading_id:
            self.editing_id = 0
        self.advice_bp = ""
        await self._refresh(session, fresh_form=True)
        self.message = t("card.home.deleted", session.lang)
