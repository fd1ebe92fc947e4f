"""State for "Del med partner": who can see her card, giving and taking back a fullmakt,
and which sections are hidden. The rules are in digihelse.access.fullmakt."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import reflex as rx

from digihelse.access import fullmakt
from digihelse.access.actors import Actor
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.healthcard.models import Section
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState

# Which field an error is shown by (the others are about the whole form).
_UNTIL_ERRORS = {"end_in_past", "end_before_start", "start_in_past"}
_NIN_ERRORS = {"nin_length", "nin_typo", "unknown_receiver", "self_receiver", "not_possible",
               "receiver_too_young"}

# The confirm step's heading takes the focus, so she hears to whom before anything else.
FOCUS_CHECK, FOCUS_NIN = "share-check-title", "share-nin"


@dataclass
class ShareRow:
    """One person who can see the card now."""

    id: int
    name: str
    since: str
    until: str
    remove_label: str
    confirm_text: str


@dataclass
class SectionToggle:
    key: str
    label: str
    hidden: bool


@dataclass
class ReceivedRow:
    name: str
    line: str


def _date(day: dt.date, lang: str) -> str:
    text = day_month(day, lang)
    return text if day.year == today_oslo().year else f"{text} {day.year}"


def _share_row(view: fullmakt.FullmaktView, lang: str) -> ShareRow:
    until = (t("sharing.now.until", lang, date=_date(view.valid_to, lang)) if view.valid_to
             else t("sharing.now.open", lang))
    return ShareRow(view.id, view.other_name,
                    t("sharing.now.since", lang, date=_date(view.valid_from, lang)), until,
                    t("sharing.now.remove_label", lang, name=view.other_name),
                    t("sharing.confirm.text", lang, name=view.other_name))


def check_lines(who: fullmakt.Receiver, lang: str) -> tuple[str, list[str]]:
    """The confirm step's heading and lines: to whom, what he will see and what not."""
    title = t("sharing.check.title", lang, name=who.name, year=who.birth_year)
    until = (t("sharing.check.until", lang, date=_date(who.valid_to, lang)) if who.valid_to
             else t("sharing.check.open", lang))
    lines = [t("sharing.check.sees", lang, name=who.name),
             t("sharing.check.not_sees", lang, name=who.name), until]
    if who.updated:
        lines.append(t("sharing.check.updated", lang, name=who.name))
    return title, lines


def _load(actor: Actor, with_card: bool = True) -> tuple[fullmakt.Overview, set[str] | None]:
    """Her fullmakts, and the sections she hides (None: she has no card to share, or
    with_card is False: reading the card is logged, so it is read once per page)."""
    over = fullmakt.overview(get_engine(), actor)  # refuses anyone acting for her
    if not with_card:
        return over, None
    try:
        view = card.get_card(get_engine(), actor, actor.pid)
    except ServiceError:
        return over, None
    return over, set(view.background.hidden)


@audience(CITIZEN)
class SharingState(SessionState):
    loaded: bool = False
    error: str = ""  # the page cannot be shown (someone acting for her)
    people: list[ShareRow] = []
    received: list[ReceivedRow] = []
    sections: list[SectionToggle] = []
    has_own_card: bool = False
    cannot_give: str = ""  # why she cannot give one at all
    confirm_id: int = 0  # the fullmakt whose removal waits for "Ja"
    nin: str = ""
    until: str = ""
    form_error: str = ""
    error_field: str = ""  # "nin", "until" or "" (the whole form)
    busy: bool = False
    message: str = ""
    hide_message: str = ""
    today_iso: str = ""
    check_title: str = ""  # non-empty: the confirm step is shown, nothing given yet
    check_lines: list[str] = []

    def _show(self, over: fullmakt.Overview, lang: str) -> None:
        self.people = [_share_row(v, lang) for v in over.given
                       if v.status in ("active", "future")]
        self.received = [ReceivedRow(v.other_name, _share_row(v, lang).until)
                         for v in over.received if v.status == "active"]
        self.cannot_give = t(over.cannot_give, lang) if over.cannot_give else ""

    async def _refresh(self, session: SessionState, with_card: bool = False) -> None:
        try:
            over, hidden = await asyncio.to_thread(_load, session._actor(), with_card)
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            self.people, self.received, self.sections = [], [], []
            return
        self.error = ""
        self._show(over, session.lang)
        if with_card:
            self.has_own_card = hidden is not None
            self.sections = [SectionToggle(s.value, t(keyed("card.section", s.value), session.lang),
                                           s.value in (hidden or set())) for s in Section]

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.message, self.hide_message = False, "", ""
        self.form_error, self.error_field, self.confirm_id, self.busy = "", "", 0, False
        self.check_title, self.check_lines = "", []
        self.today_iso = today_oslo().isoformat()
        if not session.logged_in or session.is_personnel:
            return
        await self._refresh(session, with_card=True)
        self.loaded = True

    def _set_error(self, exc: ServiceError, lang: str) -> None:
        self.busy = False
        self.form_error = t(exc.message_key, lang)
        self.error_field = ("until" if exc.code in _UNTIL_ERRORS
                            else "nin" if exc.code in _NIN_ERRORS else "")

    def _until(self, lang: str) -> tuple[bool, dt.date | None]:
        try:
            return True, dt.date.fromisoformat(self.until) if self.until else None
        except ValueError:
            self.form_error, self.error_field = t("sharing.error.bad_date", lang), "until"
            return False, None

    @rx.event
    async def check(self, form: dict):
        """Step one: who this number names, checked as giving is; gives nothing."""
        session = await self.get_state(SessionState)
        lang = session.lang
        self.nin = str(form.get("nin", "")).strip()
        self.until = str(form.get("until", "")).strip()
        self.form_error, self.error_field, self.message = "", "", ""
        ok, until = self._until(lang)
        if not ok:
            return
        self.busy = True
        yield
        try:
            who = await asyncio.to_thread(fullmakt.look_up, get_engine(), session._actor(),
                                          self.nin, valid_to=until)
        except ServiceError as exc:
            self._set_error(exc, lang)
            return
        self.busy = False
        self.check_title, self.check_lines = check_lines(who, lang)
        focus_on(self, FOCUS_CHECK)

    @rx.event
    def cancel_check(self):
        """Avbryt: nothing is given; back to the form with what she typed."""
        self.check_title, self.check_lines = "", []
        focus_on(self, FOCUS_NIN)

    @rx.event
    async def give(self):
        """Step two (Bekreft): give the person she saw a view."""
        session = await self.get_state(SessionState)
        lang = session.lang
        self.form_error, self.error_field, self.message = "", "", ""
        ok, until = self._until(lang)
        if not ok:
            self.check_title, self.check_lines = "", []
            return
        self.busy = True
        yield
        try:
            given = await asyncio.to_thread(fullmakt.give, get_engine(), session._actor(),
                                            self.nin, valid_to=until)
        except ServiceError as exc:
            self._set_error(exc, lang)
            self.check_title, self.check_lines = "", []
            return
        self.busy, self.nin, self.until = False, "", ""
        self.check_title, self.check_lines = "", []
        key = "sharing.updated" if given.updated else "sharing.given"
        self.message = t(key, lang, name=given.receiver_name)
        await self._refresh(session)

    @rx.event
    def ask_remove(self, fullmakt_id: int):
        self.confirm_id, self.message = fullmakt_id, ""

    @rx.event
    def cancel_remove(self):
        self.confirm_id = 0

    @rx.event
    async def remove(self, fullmakt_id: int):
        """Take the view back; it stops at once."""
        session = await self.get_state(SessionState)
        name = next((row.name for row in self.people if row.id == fullmakt_id), "")
        try:
            await asyncio.to_thread(fullmakt.revoke, get_engine(), session._actor(),
                                    fullmakt_id)
        except ServiceError as exc:
            self.message = t(exc.message_key, session.lang)
        else:
            self.message = t("sharing.removed", session.lang, name=name)
        self.confirm_id = 0
        await self._refresh(session)

    @rx.event
    async def toggle_section(self, key: str, hidden: bool):
        session = await self.get_state(SessionState)
        self.hide_message = ""
        if session.acting_for_other:  # her own choice only; the page is not shown then
            return
        try:
            await asyncio.to_thread(card.set_hidden_from_proxy, get_engine(), session._actor(),
                                    session._actor().pid, "section", key, bool(hidden))
        except ServiceError as exc:
            self.hide_message = t(exc.message_key, session.lang)
            return
        self.hide_message = t("sharing.hide.saved", session.lang)
        self.sections = [SectionToggle(row.key, row.label, bool(hidden) if row.key == key
                                       else row.hidden) for row in self.sections]
