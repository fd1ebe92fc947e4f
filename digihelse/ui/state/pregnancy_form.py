"""State for "Svangerskapet og bakgrunn": the carer writes the record's dating, the
measurements before pregnancy and the background sections, whole, with a reason."""

from __future__ import annotations

import asyncio
from functools import partial

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import long_date
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import validate_pregnancy, validate_reason
from digihelse.ui.presenters.card_sections import LISTS
from digihelse.ui.presenters.pregnancy_form import (
    PREGNANCY_FIELDS,
    bmi_line,
    method_text,
    parse_pregnancy,
    pregnancy_values,
)
from digihelse.ui.routes import CARER_LIST
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.session import SessionState


class PregnancyFormState(CarerFormsState):
    due_line: str = ""
    bmi_text: str = ""
    assisted: bool = False
    _version: int = 0
    _height: str = ""
    _weight: str = ""
    # The list sections as loaded (healthcard/sections.py): kept on the server, so that a
    # save keeps the entries the form has no row for.
    _lists: dict = {}

    @rx.event
    async def load_pregnancy(self):
        session = await self._start()
        if session is None:
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        lang = session.lang
        try:
            form = await asyncio.to_thread(card.pregnancy_form, get_engine(), session._actor(),
                                           self._woman_pid)
        except ServiceError as exc:
            self.error = t(exc.message_key, lang)
            self.loaded = True
            return
        self.woman_name, self._version = form.woman_name, form.version
        self.values = pregnancy_values(form.draft, lang)
        self._lists = {column: [dict(e) for e in getattr(form.draft, column) or ()]
                       for column in LISTS}
        self.due_line = t("cforms.preg.due_now", lang, date=long_date(form.due_date, lang),
                          method=method_text(form.dating_method, lang)) \
            if form.due_date else ""
        self._height, self._weight = self.values["height_cm"], self.values["weight_before_kg"]
        self.bmi_text = bmi_line(self._height, self._weight, lang)
        self.assisted = form.draft.assisted_conception
        self.form_key += 1
        self.loaded = True

    @rx.event
    async def set_height(self, value: str):
        session = await self.get_state(SessionState)
        self._height = value
        self.bmi_text = bmi_line(self._height, self._weight, session.lang)

    @rx.event
    async def set_weight(self, value: str):
        session = await self.get_state(SessionState)
        self._weight = value
        self.bmi_text = bmi_line(self._height, self._weight, session.lang)

    @rx.event
    def set_assisted(self, checked: bool):
        self.assisted = bool(checked)

    @rx.event
    async def save_pregnancy(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft, errors = parse_pregnancy(form, self._lists)
        reason = str(form.get("reason", ""))
        if errors:
            # Unreadable values: show them with everything else that is wrong, at once.
            errors = {**validate_pregnancy(draft, today=today_oslo()),
                      **validate_reason(reason), **errors}
        else:
            self.saving = True
            yield
            record, errors, refused = await self._attempt(partial(
                card.update_pregnancy, get_engine(), session._actor(), self._woman_pid,
                draft, reason, now=utcnow(), expected_version=self._version), lang)
            if refused is not None:
                yield refused
                return
        if errors:
            yield self._show_errors(errors, PREGNANCY_FIELDS, lang)
            return
        self._version = record.version
        yield self._saved(t("cforms.preg.saved", lang, date=long_date(record.due_date, lang),
                            method=method_text(record.dating_method, lang)))
