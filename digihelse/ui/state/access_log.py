"""State for "Hvem har sett opplysningene mine": the access log of whom one acts for."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import CITIZEN_ROLE, AccessDenied, Action, Actor
from digihelse.access.enforcement import AccessLogLine, visible_access_log
from digihelse.core.db import write_session
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, day_month
from digihelse.core.timeutil import to_oslo
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState

_ACTIONS = {"read", "create", "update", "delete", "book", "cancel", "login", "logout", "give",
            "revoke"}
_OBJECTS = {"appointment", "booking", "pregnancy_record", "access_log", "session", "fullmakt",
            "fullmakt_list", "consultation", "lab_result", "own_note", "history", "patient",
            "pregnancy_list"}


@dataclass
class LogRow:
    when: str
    who: str
    what: str


def describe(line: AccessLogLine, lang: str) -> LogRow:
    """One line in plain words: who did what, when."""
    moment = to_oslo(line.at)
    when = f"{day_month(moment.date(), lang)} {clock(line.at)}"
    if line.by_viewer:
        who = t("log.you", lang)
    elif line.actor_role == CITIZEN_ROLE:
        who = line.actor_name or t("role.citizen", lang)
    elif line.actor_name:
        key = keyed("role", line.actor_role, "")
        role = t(key, lang) if key else ""
        who = ", ".join(part for part in (line.actor_name, role, line.organisation) if part)
    else:
        who = t("log.system", lang)
    # Opening the access log is logged as its own action; in words it is a plain "saw".
    action = "read" if line.action == Action.VIEW_ACCESS_LOG else line.action
    action = action if action in _ACTIONS else "other"
    obj = line.object_type if line.object_type in _OBJECTS else "other"
    if obj == "session":  # logging in or out says enough on its own
        what = t(keyed("log.action", action), lang)
    elif line.outcome == "denied":
        what = f"{t('log.denied', lang)} ({t(keyed('log.object', obj), lang)})"
    else:
        what = f"{t(keyed('log.action', action), lang)} {t(keyed('log.object', obj), lang)}"
    return LogRow(when, who, what)


def _load(actor: Actor) -> list[AccessLogLine]:
    with write_session() as s:  # viewing the log is itself logged
        return visible_access_log(s, actor, actor.subject_pid)


@audience(CITIZEN)
class AccessLogState(SessionState):
    rows: list[LogRow] = []
    error: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.rows = False, "", []
        if not session.logged_in:
            return
        try:
            lines = await asyncio.to_thread(_load, session._actor())
        except AccessDenied as exc:
            self.error = t(exc.message_key, session.lang)
        else:
            self.rows = [describe(line, session.lang) for line in lines]
        self.loaded = True
