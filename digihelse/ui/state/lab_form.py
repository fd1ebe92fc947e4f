"""State for "Ny prøve": the carer records a test result on the woman's card, or corrects
one with a reason."""

from __future__ import annotations

import asyncio
from functools import partial

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.timeutil import utcnow
from digihelse.healthcard import service as card
from digihelse.ui.presenters.carer_forms import expected_version
from digihelse.ui.presenters.lab_form import LAB_FIELDS, lab_shape, lab_title, lab_values, parse_lab
from digihelse.ui.routes import CARER_LIST
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.session import SessionState


def _labs(actor, woman_pid: str, lang: str) -> tuple[str, bool, list[dict[str, str]],
                                                       dict[int, dict[str, str]]]:
    """Her name, whether the actor may write, and her results, newest first (blocking)."""
    view = card.get_card(get_engine(), actor, woman_pid)
    rows = sorted(view.lab_results, key=lambda r: (r.taken_on, r.id), reverse=True)
    return (view.overview.woman_name, view.can_edit,
            [{"id": str(r.id), "title": lab_title(r, lang)} for r in rows],
            {r.id: lab_values(r) for r in rows})


class LabFormState(CarerFormsState):
    lab_kind: str = ""
    lab_shape: str = ""
    editing_lab: int = 0  # the result being corrected, 0 for a new one
    lab_rows: list[dict[str, str]] = []
    _labs_raw: dict[int, dict[str, str]] = {}

    def _new_lab(self) -> None:
        self.editing_lab, self.lab_kind, self.lab_shape = 0, "", ""
        self.values = {"taken_on": self.today_iso}
        self.form_key += 1

    async def _load_labs(self, session: SessionState) -> None:
        try:
            self.woman_name, can_edit, self.lab_rows, self._labs_raw = await asyncio.to_thread(
                _labs, session._actor(), self._woman_pid, session.lang)
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return
        if not can_edit:
            self.error = t("access.denied", session.lang)

    @rx.event
    async def load_lab(self):
        session = await self._start()
        if session is None:
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        await self._load_labs(session)
        self._new_lab()
        self.loaded = True

    @rx.event
    def set_lab_kind(self, kind: str):
        self.lab_kind = kind
        if lab_shape(kind) != self.lab_shape:
            # Another kind of result (a number in another unit, other choices): what was
            # typed for the first test does not carry over.
            self.lab_shape = lab_shape(kind)
            self.values = {**self.values, "value": ""}
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != "value"}

    @rx.event
    def start_lab_edit(self, lab_id: int):
        if lab_id in self._labs_raw:
            self.values = dict(self._labs_raw[lab_id])
            self.editing_lab, self.lab_kind = lab_id, self.values["kind"]
            self.lab_shape = lab_shape(self.lab_kind)
            self._clear_errors()
            self.stale = False
            self.form_key += 1
            return rx.scroll_to("lab-form")

    @rx.event
    def cancel_lab_edit(self):
        self._new_lab()
        self._clear_errors()
        self.stale = False

    @rx.event
    async def save_lab(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft, errors = parse_lab(form)
        if draft is not None:
            self.saving = True
            yield
            if self.editing_lab:
                save = partial(card.edit_lab_result, get_engine(), session._actor(),
                               self._woman_pid, self.editing_lab, draft,
                               str(form.get("reason", "")), now=utcnow(),
                               expected_version=expected_version(self.values))
            else:
                save = partial(card.record_lab_result, get_engine(), session._actor(),
                               self._woman_pid, draft, now=utcnow())
            _, errors, refused = await self._attempt(save, lang)
            if refused is not None:
                yield refused
                return
        if errors:
            yield self._show_errors(errors, LAB_FIELDS, lang)
            return
        yield self._saved(t("cforms.lab.saved", lang))
