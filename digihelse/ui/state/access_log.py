"""State for "Hvem har sett opplysningene mine": the access log of whom one acts for."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import CITIZEN_ROLE, AccessDenied, Actor
from digihelse.access.enforcement import AccessLogLine, AccessLogPage, Cursor, access_log_page
from digihelse.audit import codes
from digihelse.core.db import write_session
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, weekday_day_month
from digihelse.core.timeutil import to_oslo, today_oslo
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState


@dataclass
class LogRow:
    day: str  # the day heading, on the first row of each day only (then the rest is empty)
    when: str
    who: str
    what: str
    where: str = ""


def day_heading(day: dt.date, today: dt.date, lang: str) -> str:
    """'I dag', 'I går', 'Tirsdag 1. desember'."""
    if day == today:
        return t("log.today", lang)
    if day == today - dt.timedelta(days=1):
        return t("log.yesterday", lang)
    text = weekday_day_month(day, lang)
    return text[:1].upper() + text[1:]


def _who(line: AccessLogLine, lang: str) -> str:
    if line.by_viewer:
        return t("log.you", lang)
    if line.actor_role == CITIZEN_ROLE:
        return line.actor_name or t("role.citizen", lang)
    if line.actor_name:
        key = keyed("role", line.actor_role, "")
        return f"{line.actor_name} ({t(key, lang)})" if key else line.actor_name
    return t("log.system", lang)


def describe(line: AccessLogLine, lang: str, day: str = "") -> LogRow:
    """One line in plain words: who did what (to whom), when."""
    key = codes.text_key(line.action, line.object_type, line.outcome,
                         viewer_gave=line.viewer_gave)
    what = t(key, lang, name=line.other_name) if ".named" in key else t(key, lang)
    where = line.organisation if line.actor_role != CITIZEN_ROLE and line.organisation else ""
    return LogRow(day, clock(line.at), _who(line, lang), what, where or "")


def describe_all(lines: list[AccessLogLine], lang: str, last_day: dt.date | None,
                 today: dt.date) -> tuple[list[LogRow], dt.date | None]:
    """Rows with a day heading where the day changes (continuing after `last_day`)."""
    rows = []
    for line in lines:
        day = to_oslo(line.at).date()
        heading = day_heading(day, today, lang) if day != last_day else ""
        rows.append(describe(line, lang, heading))
        last_day = day
    return rows, last_day


def _load(actor: Actor, who: str, what: str, after: Cursor | None, log_view: bool
          ) -> AccessLogPage:
    with write_session() as s:  # viewing the log is itself logged
        return access_log_page(s, actor, actor.subject_pid, who=codes.Who(who),
                               what=codes.What(what), after=after, size=PAGE_SIZE,
                               log_view=log_view)


PAGE_SIZE = 20


@audience(CITIZEN)
class AccessLogState(SessionState):
    rows: list[LogRow] = []
    error: str = ""
    loaded: bool = False
    loading_more: bool = False
    has_more: bool = False
    who: str = codes.Who.ALL.value
    what: str = codes.What.ALL.value
    _cursor: Cursor | None = None
    _last_day: dt.date | None = None

    @rx.var
    def shown(self) -> int:
        return len(self.rows)

    async def _fetch(self, more: bool, log_view: bool = False):
        session = await self.get_state(SessionState)
        if not session.logged_in:
            return
        after = self._cursor if more else None
        try:
            page = await asyncio.to_thread(_load, session._actor(), self.who, self.what, after,
                                          log_view and not more)
        except AccessDenied as exc:
            self.error = t(exc.message_key, session.lang)
            return
        rows, self._last_day = describe_all(page.lines, session.lang,
                                            self._last_day if more else None, today_oslo())
        self.rows = [*self.rows, *rows] if more else rows
        self._cursor, self.has_more = page.next, page.next is not None

    @rx.event
    async def load(self):
        """Opening the page: logged as one look at the log."""
        await self._reload(log_view=True)

    async def _reload(self, log_view: bool):
        self.loaded, self.error, self.rows, self._cursor = False, "", [], None
        await self._fetch(more=False, log_view=log_view)
        self.loaded = True

    @rx.event
    async def set_who(self, value: str):
        self.who = value if value in set(codes.Who) else codes.Who.ALL.value
        await self._reload(log_view=False)  # the same look, narrowed

    @rx.event
    async def set_what(self, value: str):
        self.what = value if value in set(codes.What) else codes.What.ALL.value
        await self._reload(log_view=False)

    @rx.event
    async def more(self):
        if not self.has_more:
            return
        self.loading_more = True
        yield
        await self._fetch(more=True)
        self.loading_more = False
