"""State for the nurse's or midwife's day ("I dag"): bookings with pupil (or woman), topic
(or the recommended consultation) and note, free and blocked slots, and the actions Møtt,
Ikke møtt, Avlys (with a reason), Blokker, Åpne; a midwife also opens the woman's card.

Pupils' names and notes are health data: they live only in this page's display rows for
the day on screen, are replaced when the day changes, and are never logged here (the
booking service writes an access-log row for each booking it shows)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import reflex as rx

from digihelse.access.actors import AccessDenied, Actor, Service
from digihelse.access.policy import keeps_cards, keeps_schedule
from digihelse.booking.citizen import cancel, move
from digihelse.booking.errors import InvalidTransition
from digihelse.booking.models import BookingStatus, SlotStatus, Topic
from digihelse.booking.rules import MAX_CANCEL_REASON, marking_opens
from digihelse.booking.staff import (
    block_slot,
    day_view,
    mark_attended,
    mark_no_show,
    own_free_slots,
    unblock_slot,
)
from digihelse.booking.views import DayEntry, DayView, FreeSlot, group_by_day
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, weekday_day_month
from digihelse.core.settings import BookingSettings, get_settings
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.ui import routes
from digihelse.ui.routes import CARER_CARD, CARER_LIST
from digihelse.ui.state import live_day
from digihelse.ui.state.card import CarerState
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.session import SessionState

# The personnel pages (ui/routes.py), by the names the nurse's pages and states use.
DAY_PATH, SCHEDULE_PATH, WEEK_PATH = (routes.PERSONNEL_HOME, routes.PERSONNEL_SCHEDULE,
                                      routes.PERSONNEL_WEEK)

TOPICS = frozenset(topic.value for topic in Topic)


def parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def day_href(day: dt.date) -> str:
    return f"{DAY_PATH}?dag={day.isoformat()}"


def day_title(day: dt.date, today: dt.date, lang: str) -> str:
    """'I dag, torsdag 26. november', 'I morgen, …', or 'Fredag 28. november'."""
    date = weekday_day_month(day, lang)
    relative = {0: "day.title.today", 1: "day.title.tomorrow", -1: "day.title.yesterday"}
    key = relative.get((day - today).days)
    return t(key, lang, date=date) if key else date.capitalize()


def not_a_nurse(exc: Exception) -> bool:
    """Personnel who keep no booking schedule (a midwife, a GP) get a plain notice."""
    return isinstance(exc, AccessDenied) and exc.code == "role_not_permitted"


def message_for(exc: Exception, lang: str) -> str:
    """The friendly sentence for a refused service call."""
    if isinstance(exc, InvalidTransition) and exc.code == "not_started":
        return t("day.err.not_started", lang)
    if not_a_nurse(exc):
        return t("day.err.not_nurse", lang)
    key = getattr(exc, "message_key", "booking.error.generic")
    return t(key, lang)


@dataclass
class DayRow:
    """One slot of the day as the page shows it."""

    slot_id: int
    booking_id: int  # 0: no booking
    kind: str  # "booking", "free" or "blocked"
    time: str  # "09.00"
    end: str  # "09.20"
    place: str  # empty unless the nurse works at more than one place that day
    pupil: str
    pupil_detail: str  # "13 år, 8B": her age on the day and her class
    topic: str  # the pupil's topic, or a pregnancy consultation's "Uke 28"
    note: str
    status: str  # a BookingStatus value for bookings
    status_text: str
    can_attend: bool  # "Møtt": from shortly before the start (rules.marking_opens)
    can_no_show: bool  # "Ikke møtt": from the start
    mark_from: str  # "Kan markeres fra kl. 09.45" until Møtt can be used; else empty
    can_cancel: bool
    can_change: bool  # Blokker / Åpne: only before the slot starts
    attended_label: str  # accessible names that say whom and when
    no_show_label: str
    cancel_label: str
    slot_label: str
    card_label: str = ""  # pregnancy: "Åpne helsekortet – Nora Lie"; empty otherwise
    move_label: str = ""  # "Flytt – Ida Berg, kl. 10.15"


def _pupil_detail(age: int | None, school_class: str, lang: str) -> str:
    if age is None:
        return ""
    if school_class:
        return t("day.pupil.age_class", lang, age=age, school_class=school_class)
    return t("day.pupil.age", lang, age=age)


def _row(entry: DayEntry, lang: str, now: dt.datetime, settings: BookingSettings,
         show_place: bool) -> DayRow | None:
    time, end = clock(entry.start_at), clock(entry.end_at)
    at = f"{t('time.at', lang)} {time}"
    place = entry.place_name if show_place else ""
    line = entry.booking
    if line is not None:
        topic = t(keyed("topic", line.topic), lang) if line.topic in TOPICS else ""
        if line.visit_key:
            topic = t(keyed("card.visit", line.visit_key), lang)
        pregnancy = line.service == Service.PREGNANCY
        who = f"{line.pupil_name}, {at}"
        attend_from, no_show_from = marking_opens(entry.start_at, settings)
        live = line.status != BookingStatus.CANCELLED
        can_attend = live and attend_from <= now
        return DayRow(
            entry.slot_id, line.booking_id, "booking", time, end, place, line.pupil_name,
            _pupil_detail(line.pupil_age, line.pupil_class, lang),
            topic, line.note or "", line.status, t(keyed("status", line.status), lang),
            can_attend=can_attend, can_no_show=live and no_show_from <= now,
            mark_from="" if can_attend or not live else t(
                "day.mark_from", lang, time=clock(attend_from)),
            can_cancel=line.status == BookingStatus.BOOKED,
            can_change=False,
            attended_label=f"{t('day.attended', lang)} – {who}",
            no_show_label=f"{t('day.no_show', lang)} – {who}",
            cancel_label=f"{t('day.cancel', lang)} – {who}",
            slot_label="",
            move_label=f"{t('day.move', lang)} – {who}",
            card_label=f"{t('day.open_card', lang)} – {line.pupil_name}" if pregnancy else "",
        )
    if entry.slot_status == SlotStatus.BLOCKED:
        kind, status_text, action = "blocked", t("day.blocked", lang), "day.unblock"
    elif entry.slot_status == SlotStatus.OPEN:
        kind, status_text, action = "free", t("day.free", lang), "day.block"
    else:
        return None
    return DayRow(
        entry.slot_id, 0, kind, time, end, place, "", "", "", "", "", status_text,
        can_attend=False, can_no_show=False, mark_from="", can_cancel=False,
        can_change=entry.start_at > now,
        attended_label="", no_show_label="", cancel_label="",
        slot_label=f"{t(action, lang)} – {at}",
    )


@dataclass
class MoveTime:
    slot_id: int
    time: str  # "10.15"
    label: str  # "tirsdag 25. november kl. 10.15", the button's accessible name


@dataclass
class MoveDay:
    title: str
    times: list[MoveTime]


def move_days(slots: list[FreeSlot], lang: str) -> list[MoveDay]:
    """Her free times grouped by day, for moving a booking."""
    at = t("time.at", lang)
    return [MoveDay(weekday_day_month(day, lang).capitalize(),
                    [MoveTime(f.slot_id, clock(f.start_at),
                              f"{weekday_day_month(day, lang)} {at} {clock(f.start_at)}")
                     for f in group])
            for day, group in group_by_day(slots)]


def _day_of(entry: DayEntry) -> dt.date:
    return to_oslo(entry.start_at).date()


def day_rows(view: DayView, lang: str, now: dt.datetime,
             settings: BookingSettings) -> list[DayRow]:
    show_place = len({entry.place_id for entry in view.entries}) > 1
    rows = [_row(entry, lang, now, settings, show_place) for entry in view.entries]
    return [row for row in rows if row is not None]


def _load_day(actor: Actor, day: dt.date) -> DayView:
    return day_view(get_engine(), actor, day)


@audience(PERSONNEL)
class NurseDayState(SessionState):
    title: str = ""
    summary: str = ""
    is_today: bool = True
    prev_href: str = DAY_PATH
    next_href: str = DAY_PATH
    rows: list[DayRow] = []
    cancelling_id: int = 0  # the booking whose "Avlys" form is open
    cancel_error: str = ""
    moving_id: int = 0  # the booking whose "Flytt" times are open
    move_choices: list[MoveDay] = []
    message: str = ""
    error: str = ""
    not_nurse: str = ""  # why there is nothing to show, for personnel without a schedule
    busy: bool = False
    loaded: bool = False
    _day: str = ""
    _pids: dict[int, str] = {}  # booking id -> the woman's number, to open her card
    _places: dict[int, int] = {}  # booking id -> its place, where a move looks for times

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.message, self.error, self.cancelling_id, self.cancel_error = "", "", 0, ""
        self.moving_id, self.move_choices = 0, []
        if not (session.logged_in and session.is_personnel):
            self.rows, self.loaded = [], False
            return
        if not keeps_schedule(session.role) and keeps_cards(session.role):
            # GPs keep the pregnancy card, not a booking schedule: their start is Mine gravide.
            return rx.redirect(CARER_LIST)
        if not session._may_open("today"):
            return
        wanted = parse_date(self.router.url.query_parameters.get("dag"))
        self._day = (wanted or today_oslo()).isoformat()
        await self._refresh(session)
        self.loaded = True

    async def _refresh(self, session: SessionState) -> None:
        day, today, lang = dt.date.fromisoformat(self._day), today_oslo(), session.lang
        self.title = day_title(day, today, lang)
        self.is_today = day == today
        self.prev_href = day_href(day - dt.timedelta(days=1))
        self.next_href = day_href(day + dt.timedelta(days=1))
        try:
            view = await asyncio.to_thread(_load_day, session._actor(), day)
        except ServiceError as exc:
            self.rows, self.summary = [], ""
            if not_a_nurse(exc):
                self.not_nurse = message_for(exc, lang)
            else:
                self.error = message_for(exc, lang)
            return
        self.not_nurse = ""
        self.rows = day_rows(view, lang, utcnow(), get_settings().booking)
        # Changes to these slots or new ones this day, on any worker, ask this tab to
        # refresh (live_day.py).
        live_day.watch(self.router.session.client_token, {row.slot_id for row in self.rows},
                       day=self._day)
        self._places = {entry.booking.booking_id: entry.place_id
                        for entry in view.entries if entry.booking is not None}
        self._pids = {entry.booking.booking_id: entry.booking.pupil_pid
                      for entry in view.entries if entry.booking is not None
                      and entry.booking.service == Service.PREGNANCY}
        counts = {kind: sum(row.kind == kind for row in self.rows)
                  for kind in ("booking", "free", "blocked")}
        self.summary = t("day.summary", lang, booked=counts["booking"], free=counts["free"],
                         blocked=counts["blocked"])

    def _find(self, *, booking_id: int = 0, slot_id: int = 0) -> DayRow | None:
        for row in self.rows:
            if (booking_id and row.booking_id == booking_id) or (
                    slot_id and row.slot_id == slot_id):
                return row
        return None

    async def _act(self, call, done_key: str, **values: Any):
        """Run one service call in a thread, then say what happened and reload the day."""
        session = await self.get_state(SessionState)
        self.message, self.error = "", ""
        try:
            await asyncio.to_thread(call, session._actor())
        except ServiceError as exc:
            self.error = message_for(exc, session.lang)
        else:
            self.message = t(done_key, session.lang, role=session.role, **values)
        await self._refresh(session)

    @rx.event
    async def mark(self, booking_id: int, status: str):
        row = self._find(booking_id=booking_id)
        if row is None or self.busy or status not in ("attended", "no_show"):
            return
        self.busy = True
        yield
        mark = mark_attended if status == "attended" else mark_no_show
        try:
            await self._act(lambda actor: mark(get_engine(), actor, booking_id, now=utcnow(),
                                               settings=get_settings().booking),
                            keyed("day.msg", status), name=row.pupil)
        finally:
            self.busy = False

    @rx.event
    def ask_cancel(self, booking_id: int):
        self.cancelling_id, self.cancel_error = booking_id, ""
        self.moving_id, self.message, self.error = 0, "", ""

    @rx.event
    async def ask_move(self, booking_id: int):
        """Show her free times at the booking's place, to move it to one of them."""
        row, place_id = self._find(booking_id=booking_id), self._places.get(booking_id)
        if row is None or place_id is None or self.busy:
            return
        session = await self.get_state(SessionState)
        self.cancelling_id, self.message, self.error = 0, "", ""
        try:
            slots = await asyncio.to_thread(
                lambda: own_free_slots(get_engine(), session._actor(), place_id,
                                       exclude=row.slot_id))
        except ServiceError as exc:
            self.error = message_for(exc, session.lang)
            return
        self.move_choices, self.moving_id = move_days(slots, session.lang), booking_id

    @rx.event
    def keep_move(self):
        self.moving_id, self.move_choices = 0, []

    @rx.event
    async def confirm_move(self, slot_id: int):
        row = self._find(booking_id=self.moving_id)
        chosen = next((time for day in self.move_choices for time in day.times
                       if time.slot_id == slot_id), None)
        if row is None or chosen is None or self.busy:
            return
        self.busy = True
        yield
        booking_id, key = row.booking_id, f"nurse-move-{uuid.uuid4()}"
        try:
            await self._act(
                lambda actor: move(get_engine(), actor, booking_id, new_slot_id=slot_id,
                                   client_key=key, now=utcnow(), settings=get_settings().booking),
                "day.msg.moved", name=row.pupil.split()[0], when=chosen.label)
            if not self.error:
                self.moving_id, self.move_choices = 0, []
        finally:
            self.busy = False

    @rx.event
    def keep(self):
        self.cancelling_id, self.cancel_error = 0, ""

    @rx.event
    async def confirm_cancel(self, form_data: dict[str, Any]):
        row = self._find(booking_id=self.cancelling_id)
        if row is None or self.busy:
            return
        session = await self.get_state(SessionState)
        reason = str(form_data.get("reason") or "").strip()
        if not reason:
            self.cancel_error = t("booking.error.reason_required", session.lang)
            return
        if len(reason) > MAX_CANCEL_REASON:
            self.cancel_error = t("booking.error.note_too_long", session.lang)
            return
        self.busy, self.cancel_error = True, ""
        yield
        booking_id = row.booking_id
        try:
            await self._act(
                lambda actor: cancel(get_engine(), actor, booking_id, now=utcnow(),
                                     reason=reason, settings=get_settings().booking),
                "day.msg.cancelled", time=row.time, name=row.pupil.split()[0])
            if not self.error:
                self.cancelling_id = 0
        finally:
            self.busy = False

    @rx.event
    async def block(self, slot_id: int):
        row = self._find(slot_id=slot_id)
        if row is None or self.busy:
            return
        self.busy = True
        yield
        try:
            if row.kind == "blocked":
                await self._act(lambda actor: unblock_slot(get_engine(), actor, slot_id,
                                                           now=utcnow()),
                                "day.msg.opened", time=row.time)
            else:
                await self._act(lambda actor: block_slot(get_engine(), actor, slot_id,
                                                         now=utcnow()),
                                "day.msg.blocked", time=row.time)
        finally:
            self.busy = False

    @rx.event
    async def open_card(self, booking_id: int):
        """The midwife opens the card of the woman she has a time with."""
        pid = self._pids.get(booking_id)
        if pid:
            carer = await self.get_state(CarerState)
            carer._woman_pid = pid
            return rx.redirect(CARER_CARD)

    @rx.event
    async def live_refresh(self):
        """Asked by the server when a slot on screen changed (live_day.py): the day again,
        with whatever form is open left as it is."""
        session = await self.get_state(SessionState)
        if not (self.loaded and self._day and session.logged_in and session.is_personnel):
            return
        await self._refresh(session)

    @rx.event
    def dismiss(self):
        self.message, self.error = "", ""
