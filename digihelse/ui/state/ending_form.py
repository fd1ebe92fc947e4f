"""State for "Svangerskapet er avsluttet": the carer records how and when the pregnancy
ended (a confirmation step first: what stops, what is cancelled), or corrects a wrong
entry with a reason. The rules are the service's (healthcard/ending.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from functools import partial

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t, tn
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service as card
from digihelse.healthcard.ending import END_KINDS, validate_ending
from digihelse.ui.routes import CARER_LIST
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.session import SessionState

ENDING_FIELDS = ("end_kind", "ended_on", "reason")
MISTAKE = "none"  # the correction's "recorded by mistake: the pregnancy goes on"


def _ending(actor, woman_pid: str, now: dt.datetime):
    """Her name, whether the actor may write, the card's version and ending, and how many
    booked consultations an ending would cancel (blocking)."""
    view = card.get_card(get_engine(), actor, woman_pid)
    count = card.ending_preview(get_engine(), actor, woman_pid, now=now) if view.can_edit else 0
    return view.overview.woman_name, view.can_edit, view.version, view.ending, count


def parse_ending(form: dict) -> tuple[str | None, dt.date | None, dict[str, str]]:
    kind = str(form.get("end_kind", "")).strip()
    raw = str(form.get("ended_on", "")).strip()
    errors: dict[str, str] = {}
    day = None
    if kind == MISTAKE:
        return None, None, errors
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        errors["ended_on"] = "card.error.invalid"
    return kind, day, errors


class EndingFormState(CarerFormsState):
    correcting: bool = False  # an ending is recorded: this is its correction
    confirming: bool = False  # the confirmation step is showing
    undoing: bool = False  # the correction says it was recorded by mistake
    confirm_line: str = ""  # "Du registrerer: Spontanabort, 3. desember."
    cancels_line: str = ""  # "1 bestilt kontroll blir avlyst uten varsel til henne."
    current_line: str = ""  # the recorded ending, when correcting
    _version: int = 0
    _cancels: int = 0
    _kind: str | None = None
    _day: dt.date | None = None
    _reason: str = ""

    @rx.event
    async def load_ending(self):
        session = await self._start()
        self.confirming = False
        if session is None:
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        lang = session.lang
        try:
            name, can_edit, version, ending, cancels = await asyncio.to_thread(
                _ending, session._actor(), self._woman_pid, utcnow())
        except ServiceError as exc:
            self.error = t(exc.message_key, lang)
            return
        if not can_edit:
            self.error = t("access.denied", lang)
            return
        self.woman_name, self._version, self._cancels = name, version, cancels
        self.correcting = ending is not None
        if ending is not None:
            self.values = {"end_kind": ending.kind, "ended_on": ending.ended_on.isoformat()}
            self.current_line = t("cforms.end.current", lang, kind=t(ending.kind_key, lang),
                                  date=day_month(ending.ended_on, lang))
        else:
            self.values, self.current_line = {"ended_on": self.today_iso}, ""
        self.form_key += 1
        self.loaded = True

    @rx.event
    async def ask_confirm(self, form: dict):
        """First step: check the entry, then say plainly what it does."""
        session = await self.get_state(SessionState)
        lang = session.lang
        self._clear_errors()
        kind, day, errors = parse_ending(form)
        reason = str(form.get("reason", "")).strip()
        self.values = {"end_kind": str(form.get("end_kind", "")),
                       "ended_on": str(form.get("ended_on", "")), "reason": reason}
        if not errors and (kind is not None or not self.correcting):
            errors = validate_ending(kind, day, today=today_oslo(), last_period=None)
        if self.correcting and not reason:
            errors["reason"] = "card.error.reason_required"
        if errors:
            yield self._show_errors(errors, ENDING_FIELDS, lang)
            return
        self._kind, self._day, self._reason = kind, day, reason
        self.undoing = kind is None
        if kind is None:
            self.confirm_line = t("cforms.end.confirm_mistake", lang)
            self.cancels_line = ""
        else:
            self.confirm_line = t("cforms.end.confirm", lang,
                                  kind=t(keyed("card.end.kind", kind), lang),
                                  date=day_month(day, lang))
            self.cancels_line = tn("cforms.end.cancels", self._cancels, lang) \
                if self._cancels else ""
        self.confirming = True
        yield rx.scroll_to("form-title")

    @rx.event
    def back(self):
        self.confirming = False
        self.form_key += 1

    @rx.event
    async def confirm(self):
        session = await self.get_state(SessionState)
        lang = session.lang
        if not self.confirming:
            return
        self.saving = True
        yield
        if self.correcting:
            save = partial(card.correct_ending, get_engine(), session._actor(), self._woman_pid,
                           self._kind, self._day, self._reason, now=utcnow(),
                           expected_version=self._version)
        else:
            save = partial(card.record_ending, get_engine(), session._actor(), self._woman_pid,
                           self._kind or "", self._day, now=utcnow(),
                           expected_version=self._version)
        _, errors, refused = await self._attempt(save, lang)
        self.confirming = False
        if refused is not None:
            yield refused
            return
        if errors:
            self.form_key += 1
            yield self._show_errors(errors, ENDING_FIELDS, lang)
            return
        yield self._saved(t("cforms.end.saved", lang))


__all__ = ["END_KINDS", "EndingFormState", "parse_ending"]
