"""State for the pupil's booking flow: place, day, time, an optional note, confirm.

With the defaults it takes three taps from the home screen: the booking card, a time,
Bekreft. Moving a booking uses the same screens (`?flytt=<booking id>`).

`?svangerskap=1` books the next recommended pregnancy consultation from the card: the
same screens, with her own midwife's free times from the consultation's window on, no
youth topics, and a free-text "Noe du vil ta opp?"."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import Actor
from digihelse.access.enforcement import reading
from digihelse.booking import citizen, errors, holds, offers, views
from digihelse.booking.access import booking_service
from digihelse.booking.pregnancy import PregnancyBookingOptions, pregnancy_booking_options
from digihelse.booking.rules import cancel_deadline, weeks_ahead
from digihelse.core.db import get_engine
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t, tn
from digihelse.core.i18n.formatting import clock, day_month, weekday_day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.ui.state.card_display import when_text
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState

# After each step the new step's heading takes the focus.
FOCUS_STEP = "step-heading"


@dataclass
class PlaceOption:
    place_id: int
    name: str
    nurse: str
    initials: str
    address: str
    description: str
    drop_in: str
    phone: str = ""  # "77 00 12 14", shown
    tel: str = ""  # "tel:77001214", the link a phone dials
    phone_hours: str = ""


@dataclass
class SlotButton:
    slot_id: int
    time: str  # "10.15"
    label: str  # "tirsdag 25. november kl. 10.15", the button's accessible name


@dataclass
class DayGroup:
    title: str
    slots: list[SlotButton]


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def drop_in_text(window: views.DropInWindow | None, lang: str, today: dt.date) -> str:
    if window is None:
        return ""
    start = window.start_local
    day = t("book.dropin.today", lang) if start.date() == today \
        else weekday_day_month(start.date(), lang)
    when = f"{day} {clock(window.start_at)}–{clock(window.end_at)}"
    return t("book.dropin", lang, when=when)


def place_option(info: views.PlaceInfo, lang: str, today: dt.date) -> PlaceOption:
    nurse = info.nurses[0] if info.nurses else ""
    return PlaceOption(info.place_id, info.name, nurse, initials(nurse), info.address,
                       info.description, drop_in_text(info.next_drop_in, lang, today),
                       info.phone, tel_link(info.phone), info.phone_hours)


def tel_link(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{digits}" if digits else ""


def slot_label(start_at: dt.datetime, lang: str) -> str:
    """"tirsdag 25. november kl. 10.15" (Oslo time)."""
    return (f"{weekday_day_month(to_oslo(start_at).date(), lang)} {t('time.at', lang)} "
            f"{clock(start_at)}")


def slot_button(slot: views.FreeSlot, lang: str) -> SlotButton:
    return SlotButton(slot.slot_id, clock(slot.start_at), slot_label(slot.start_at, lang))


def _load_places(actor: Actor, moving: bool = False
                 ) -> tuple[list[views.PlaceInfo], str | None]:
    """Where she may book, or why she may not book now (a message key): the policy's
    reason, or the limit of upcoming bookings (which a move does not add to)."""
    with reading(get_engine()) as s:  # one read, one decision for her subject
        refusal = citizen.booking_refusal(s, actor)
        if refusal is None and not moving and citizen.at_booking_limit(
                s, actor, now=utcnow(), settings=get_settings().booking):
            refusal = errors.LimitReached.message_key
        return ([] if refusal else citizen.places_for(s, actor)), refusal


def refusal_text(key: str, lang: str) -> str:
    """The sentence for why she may not book; the limit of upcoming bookings is a setting,
    so its sentence says the number the municipality chose."""
    if key == errors.LimitReached.message_key:
        return tn("booking.error.limit_n", get_settings().booking.max_active_future_bookings,
                  lang)
    return t(key, lang)


def _moving_title(actor: Actor, booking_id: int, lang: str) -> str:
    """"Flytt timen din tirsdag 25. november kl. 10.15": what is moved, said first."""
    upcoming = citizen.appointments_for(get_engine(), actor, actor.subject_pid, now=utcnow(),
                                        settings=get_settings().booking).upcoming
    found = next((a for a in upcoming if a.booking_id == booking_id), None)
    return t("book.move.title", lang, when=slot_label(found.start_at, lang)) if found else ""


def cancel_line(start_at: dt.datetime, lang: str) -> str:
    """Until when she can cancel or move the time online, said before she books it."""
    deadline = cancel_deadline(start_at, get_settings().booking)
    if deadline <= utcnow():
        return t("book.no_online_cancel", lang)
    return t("book.cancel_until", lang, when=slot_label(deadline, lang))


def _slots_in(s, place_id: int, from_date: dt.date, days: int,
              midwife_id: int = 0) -> list[views.FreeSlot]:
    if midwife_id:
        return citizen.midwife_free_slots(s, midwife_id, from_date=from_date, days=days,
                                          place_id=place_id, settings=get_settings().booking)
    return citizen.free_slots(s, place_id, from_date=from_date, days=days,
                              settings=get_settings().booking)


def _seek_week(place_id: int, first_day: dt.date, offset: int, weeks: int, seek: bool,
               midwife_id: int = 0) -> tuple[int, list[views.FreeSlot]]:
    """The week at `offset`; with `seek`, the first from there that has free times (or
    the last one), in one read."""
    with db_session() as s:
        while True:
            start = first_day + dt.timedelta(weeks=offset)
            slots = _slots_in(s, place_id, start, 7, midwife_id)
            if slots or not seek or offset >= weeks - 1:
                return offset, slots
            offset += 1


def _load_options(actor: Actor) -> PregnancyBookingOptions:
    return pregnancy_booking_options(get_engine(), actor, actor.subject_pid, utcnow(),
                                     settings=get_settings().booking)


@audience(CITIZEN)
class BookingState(SessionState):
    places: list[PlaceOption] = []
    place_id: int = 0
    week_offset: int = 0
    week_title: str = ""
    days: list[DayGroup] = []
    step: str = "choose"  # choose -> confirm -> done
    chosen: SlotButton = SlotButton(0, "", "")
    topic: str = ""
    service: str = "youth"  # "youth": her own, confidential; "basic": a parent for a child
    cancel_line: str = ""  # "Du kan avbestille på nett fram til …", on the confirm step
    moving_title: str = ""  # "Flytt timen din …" when moving
    published_weeks: int = 4  # how far ahead times are published (the booking horizon)
    note: str = ""
    error: str = ""
    alternatives: list[SlotButton] = []
    busy: bool = False
    loaded: bool = False
    booked_id: int = 0
    booked_label: str = ""
    moving_id: int = 0  # the booking being moved, 0 when booking anew
    # A pregnancy consultation (?svangerskap=1): its title, window and what blocks booking.
    pregnancy: bool = False
    visit_title: str = ""  # "Bestill time: Uke 28"
    window_line: str = ""  # "Anbefalt mellom 13. november og 10. desember."
    after_window: bool = False  # the window has no free time; these come after it
    blocked: str = ""  # why she cannot book here (already booked, GP only, ...)
    blocked_by_booking: bool = False  # blocked because she has a time: offer to change it
    visibility: str = ""  # "Bare du og jordmoren din ser denne timen."
    held_line: str = ""  # "Vi holder av timen for deg i 5 minutter."
    earlier: bool = False  # "Gi meg beskjed om en tidligere time blir ledig"
    _client_key: str = ""
    _starts: dict[int, str] = {}  # slot id -> its start (ISO), to word it again
    _chosen_start: str = ""
    _midwife_id: int = 0
    _start: str = ""  # the first day the week strip shows (ISO); today when empty

    async def _actor(self) -> tuple[SessionState, Actor]:
        session = await self.get_state(SessionState)
        return session, session._actor()

    @rx.event
    async def load(self):
        # Only what changed is assigned (and so sent): going back to this page re-sends
        # none of the times that are still the same. The handler does not yield, so the
        # browser sees the finished load at once.
        session, actor = await self._actor()
        if session.logged_in and self.step == "confirm" and self.chosen.slot_id:
            await asyncio.to_thread(_release, actor)  # she left the confirm step
        assign(self, step="choose", error="", alternatives=[], topic="", note="",
               earlier=False)
        if not session.logged_in:
            assign(self, loaded=False)
            return
        params = self.router.url.query_parameters
        move = params.get("flytt", "")
        assign(self, moving_id=int(move) if move.isdigit() else 0,
               pregnancy=params.get("svangerskap", "") == "1", _midwife_id=0, _start="",
               blocked="", blocked_by_booking=False)
        if self.pregnancy:
            await self._load_pregnancy(session, actor)
            assign(self, loaded=True)
            return
        assign(self, moving_title=await asyncio.to_thread(
            _moving_title, actor, self.moving_id, session.lang) if self.moving_id else "")
        infos, refusal = await asyncio.to_thread(_load_places, actor, bool(self.moving_id))
        assign(self, service=str(booking_service(actor)))
        if refusal:
            why = refusal_text(refusal, session.lang)
            assign(self, places=[], days=[], place_id=0, visit_title="",
                   blocked=why if refusal == errors.LimitReached.message_key else
                   t("book.refused", session.lang, name=session.acting_given_name) + " " + why)
            assign(self, loaded=True)
            return
        today = today_oslo()
        places = [place_option(info, session.lang, today) for info in infos]
        wanted = params.get("sted", "")
        ids = [p.place_id for p in places]
        assign(self, places=places,
               place_id=int(wanted) if wanted.isdigit() and int(wanted) in ids else
               (ids[0] if ids else 0))
        await self._load_week(seek=True)
        assign(self, loaded=True)

    async def _load_pregnancy(self, session: SessionState, actor: Actor) -> None:
        """Her midwife's places and times, from the next consultation's window on."""
        lang = session.lang
        try:
            options = await asyncio.to_thread(_load_options, actor)
        except ServiceError as exc:
            assign(self, places=[], days=[], place_id=0, blocked=t(exc.message_key, lang))
            return
        visit = options.visit
        assign(self,
               visit_title=t("book.preg.title", lang, visit=t(visit.label_key, lang))
               if visit else t("book.title", lang),
               window_line=t("card.book.window", lang,
                             first=day_month(visit.window_start, lang),
                             last=day_month(visit.window_end, lang)) if visit else "",
               after_window=bool(options.slots) and not options.in_window,
               visibility=t(options.visibility_key, lang))
        blocked = ""
        if options.booked is not None and not self.moving_id:
            blocked = t("card.book.booked", lang, when=when_text(options.booked.start_at, lang))
            assign(self, blocked_by_booking=True)
        elif options.midwife_id is None:
            blocked = t("card.book.gp_only", lang)
        elif not options.can_book or visit is None:
            blocked = t("access.denied", lang)
        if blocked:
            assign(self, places=[], days=[], place_id=0, blocked=blocked)
            return
        name = options.midwife_name
        places = [PlaceOption(p.place_id, p.name, name, initials(name), p.address, "", "")
                  for p in options.places]
        first = options.slots[0] if options.slots else None
        # The strip opens on the window's first day (or the first free day after it).
        start = first.day if first else max(visit.window_start, today_oslo())
        assign(self, _midwife_id=options.midwife_id, places=places,
               place_id=first.place_id if first else (places[0].place_id if places else 0),
               _start=start.isoformat())
        await self._load_week(seek=True)

    def _first_day(self) -> dt.date:
        """The strip's first day: a week from Monday (so weeks read as in a calendar), or
        a pregnancy consultation's window."""
        if self._start:
            return dt.date.fromisoformat(self._start)
        today = today_oslo()
        return today - dt.timedelta(days=today.weekday())

    def _weeks(self) -> int:
        start = self._first_day()
        return weeks_ahead(get_settings().booking, (today_oslo() - start).days
                           if start <= today_oslo() else 0)

    async def _load_week(self, *, seek: bool = False) -> None:
        """Free times for seven days from the first day + offset weeks. With `seek`, move to
        the first week that has any, so the nearest free time is what the pupil sees."""
        session = await self.get_state(SessionState)
        lang = session.lang
        first_day = self._first_day()
        # A seek starts from the first week; the offset is assigned once, at the end, so
        # coming back to the page re-sends nothing that stayed the same.
        offset = 0 if seek else self.week_offset
        weeks = self._weeks()
        slots: list[views.FreeSlot] = []
        if self.place_id:
            offset, slots = await asyncio.to_thread(_seek_week, self.place_id, first_day,
                                                    offset, weeks, seek, self._midwife_id)
        start = first_day + dt.timedelta(weeks=offset)
        end = start + dt.timedelta(days=6)
        assign(self, week_offset=offset,
               published_weeks=get_settings().booking.horizon_days // 7,
               week_title=f"{day_month(start, lang)} – {day_month(end, lang)}",
               days=[DayGroup(weekday_day_month(day, lang).capitalize(),
                              [slot_button(slot, lang) for slot in group])
                     for day, group in views.group_by_day(slots)],
               _starts={slot.slot_id: slot.start_at.isoformat() for slot in slots})

    @rx.event
    async def choose_place(self, place_id: str):
        if place_id.isdigit() and int(place_id) in [p.place_id for p in self.places]:
            self.place_id = int(place_id)
            self.step, self.error = "choose", ""
            await self._load_week(seek=True)

    @rx.event
    async def next_week(self):
        self.week_offset = min(self.week_offset + 1, self._weeks() - 1)
        await self._load_week()

    @rx.event
    async def previous_week(self):
        self.week_offset = max(self.week_offset - 1, 0)
        await self._load_week()

    @rx.event
    async def choose_slot(self, slot: dict):
        session, actor = await self._actor()
        slot_id = int(slot["slot_id"])
        # The time is held for her while she confirms; taken meanwhile, she says so now.
        try:
            held = await asyncio.to_thread(_hold, actor, slot_id)
        except errors.SlotTaken as exc:
            self.error = t("book.taken", session.lang)
            self.alternatives = [slot_button(s, session.lang) for s in exc.alternatives]
            await self._load_week()
            return
        except ServiceError as exc:
            self.error = refusal_text(exc.message_key, session.lang)
            return
        minutes = max(1, round((held.expires_at - utcnow()).total_seconds() / 60))
        self.held_line = tn("book.held", minutes, session.lang)
        self.chosen = SlotButton(slot_id, slot["time"], slot["label"])
        self._chosen_start = self._starts.get(self.chosen.slot_id, "")
        self.cancel_line = cancel_line(dt.datetime.fromisoformat(self._chosen_start),
                                       session.lang) if self._chosen_start else ""
        self.step, self.error, self.alternatives = "confirm", "", []
        # One key per confirm screen: a double tap or a retry books once.
        self._client_key = uuid.uuid4().hex
        focus_on(self, FOCUS_STEP)

    @rx.event
    async def relabel(self):
        """After a language change: the same place, week, step and time, in the new words
        (a load would start the booking over)."""
        if not self.loaded:
            return
        session, actor = await self._actor()
        lang = session.lang
        offset, place_id, start = self.week_offset, self.place_id, self._start
        if self.pregnancy:
            await self._load_pregnancy(session, actor)
        else:
            infos, _refusal = await asyncio.to_thread(_load_places, actor,
                                                      bool(self.moving_id))
            self.places = [place_option(info, lang, today_oslo()) for info in infos]
        if place_id in [p.place_id for p in self.places]:
            self.week_offset, self.place_id, self._start = offset, place_id, start
            await self._load_week()
        if self._chosen_start:
            start_at = dt.datetime.fromisoformat(self._chosen_start)
            label = slot_label(start_at, lang)
            self.chosen = SlotButton(self.chosen.slot_id, self.chosen.time, label)
            self.cancel_line = cancel_line(start_at, lang)
            if self.step == "done":
                self.booked_label = label

    @rx.event
    async def back_to_times(self):
        _session, actor = await self._actor()
        await asyncio.to_thread(_release, actor)
        self.step, self.error = "choose", ""
        await self._load_week()
        focus_on(self, FOCUS_STEP)

    @rx.event
    async def leave_confirm(self):
        """The confirm screen went away: if not for another step, she left the page."""
        if self.step == "confirm" and self.chosen.slot_id:
            session, actor = await self._actor()
            if session.logged_in:
                await asyncio.to_thread(_release, actor)
            self.step = "choose"

    @rx.event
    def set_earlier(self, checked: bool):
        assign(self, earlier=bool(checked))

    @rx.event
    def toggle_topic(self, value: str):
        self.topic = "" if self.topic == value else value

    @rx.event
    def set_note(self, value: str):
        self.note = value[:1000]

    @rx.event
    async def confirm(self):
        if self.busy or not self.chosen.slot_id:
            return
        self.busy, self.error = True, ""
        yield
        session, actor = await self._actor()
        try:
            result = await asyncio.to_thread(self._book, actor)
        except errors.SlotTaken as exc:
            self.error = t("book.taken", session.lang)
            self.alternatives = [slot_button(s, session.lang) for s in exc.alternatives]
            self.step = "choose"
            await self._load_week()
        except ServiceError as exc:
            self.error = refusal_text(exc.message_key, session.lang)
        else:
            self.booked_id = result.id
            self.booked_label = self.chosen.label
            self.step = "done"
            if self.earlier and not self.pregnancy:
                await asyncio.to_thread(_wish_earlier, actor, result.id)
        finally:
            self.busy = False
        focus_on(self, FOCUS_STEP)

    def _book(self, actor: Actor):
        if self.moving_id:
            return citizen.move(get_engine(), actor, self.moving_id,
                                new_slot_id=self.chosen.slot_id, client_key=self._client_key,
                                now=utcnow(), settings=get_settings().booking)
        return citizen.book(get_engine(), actor, slot_id=self.chosen.slot_id,
                            client_key=self._client_key,
                            topic=None if self.pregnancy else (self.topic or None),
                            note=self.note.strip() or None, now=utcnow(),
                            settings=get_settings().booking)


def _hold(actor: Actor, slot_id: int) -> holds.Held:
    return holds.hold(get_engine(), actor, slot_id, now=utcnow(),
                      settings=get_settings().booking)


def _release(actor: Actor) -> None:
    holds.release(get_engine(), actor, now=utcnow())


def _wish_earlier(actor: Actor, booking_id: int) -> None:
    """Her tick on the confirm step; the booking stands even if this fails."""
    with contextlib.suppress(ServiceError):
        offers.set_wish(get_engine(), actor, booking_id, on=True, now=utcnow())
