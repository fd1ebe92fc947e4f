"""State for "Uke": the nurse's or midwife's week at a glance, Monday to Sunday: per day how many
times are booked, free and blocked, the booked times with the pupils' names, and how many
of those wait for an earlier time."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import Actor
from digihelse.booking.models import SlotStatus
from digihelse.booking.offers import waiting_per_day
from digihelse.booking.staff import week_view
from digihelse.booking.views import DayView
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t, tn
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, day_month, weekday_day_month
from digihelse.core.timeutil import today_oslo
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.nurse import WEEK_PATH, day_href, message_for, not_a_nurse, parse_date
from digihelse.ui.state.session import SessionState


@dataclass
class WeekBooking:
    time: str
    pupil: str
    status_text: str  # empty while simply booked
    visit: str = ""  # a pregnancy consultation's "Uke 28"


@dataclass
class WeekDay:
    iso: str
    title: str  # "Tirsdag 25. november"
    href: str  # that day under I dag
    counts: str  # "3 bestilt · 9 ledige · 1 blokkert", or "Ingen tider"
    is_today: bool
    bookings: list[WeekBooking]
    waiting: str = ""  # "2 venter på en tidligere time"


def week_href(monday: dt.date) -> str:
    return f"{WEEK_PATH}?uke={monday.isoformat()}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_day(view: DayView, lang: str, today: dt.date) -> WeekDay:
    booked = [entry for entry in view.entries if entry.booking is not None]
    free = sum(entry.is_free for entry in view.entries)
    blocked = sum(entry.booking is None and entry.slot_status == SlotStatus.BLOCKED
                  for entry in view.entries)
    counts = t("day.summary", lang, booked=len(booked), free=free, blocked=blocked) \
        if view.entries else t("week.no_times", lang)
    bookings = [
        WeekBooking(clock(entry.start_at), entry.booking.pupil_name,
                    "" if entry.booking.status == "booked"
                    else t(keyed("status", entry.booking.status), lang),
                    t(keyed("card.visit", entry.booking.visit_key), lang)
                    if entry.booking.visit_key else "")
        for entry in booked if entry.booking is not None
    ]
    return WeekDay(view.day.isoformat(), weekday_day_month(view.day, lang).capitalize(),
                   day_href(view.day), counts, view.day == today, bookings)


def date_range(first: dt.date, last: dt.date, lang: str) -> str:
    """'16.–22. november', or '30. november – 6. desember' across a month."""
    if first.month != last.month:
        return f"{day_month(first, lang)} – {day_month(last, lang)}"
    return f"{first.day}{'' if lang == 'en' else '.'}–{day_month(last, lang)}"


def _load_week(actor: Actor, monday: dt.date) -> tuple[list[DayView], dict[dt.date, int]]:
    return (week_view(get_engine(), actor, monday),
            waiting_per_day(get_engine(), actor, first_day=monday, days=7))


@audience(PERSONNEL)
class NurseWeekState(SessionState):
    title: str = ""  # "Uke 48"
    range_text: str = ""  # "24. november – 30. november"
    days: list[WeekDay] = []
    prev_href: str = WEEK_PATH
    next_href: str = WEEK_PATH
    is_this_week: bool = True
    error: str = ""
    not_nurse: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.error, self.not_nurse = "", ""
        if not session._may_open("week"):
            self.days, self.loaded = [], False
            return
        lang, today = session.lang, today_oslo()
        wanted = parse_date(self.router.url.query_parameters.get("uke"))
        monday = monday_of(wanted or today)
        self.title = t("week.title", lang, n=monday.isocalendar().week)
        self.range_text = date_range(monday, monday + dt.timedelta(days=6), lang)
        self.prev_href = week_href(monday - dt.timedelta(weeks=1))
        self.next_href = week_href(monday + dt.timedelta(weeks=1))
        self.is_this_week = monday == monday_of(today)
        try:
            views, waiting = await asyncio.to_thread(_load_week, session._actor(), monday)
        except ServiceError as exc:
            self.days = []
            if not_a_nurse(exc):
                self.not_nurse = message_for(exc, lang)
            else:
                self.error = message_for(exc, lang)
        else:
            self.days = [week_day(view, lang, today) for view in views]
            for day in self.days:
                n = waiting.get(dt.date.fromisoformat(day.iso), 0)
                day.waiting = tn("week.earlier_waiting", n, lang) if n else ""
        self.loaded = True
