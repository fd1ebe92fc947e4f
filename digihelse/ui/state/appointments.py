"""State for the appointments list: upcoming and past, with cancel and move."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import reflex as rx

from digihelse.access.actors import AccessDenied, Actor, Service
from digihelse.booking import citizen, offers, views
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, weekday_day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import to_oslo, utcnow
from digihelse.ui import routes
from digihelse.ui.presenters.nurse_schedule import weekday_name
from digihelse.ui.state.booking import tel_link
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState


@dataclass
class AppointmentRow:
    booking_id: int
    place_id: int
    when: str
    place: str
    nurse: str
    status: str
    status_text: str
    visibility: str
    can_change: bool
    cancel_reason: str
    visit: str = ""  # a pregnancy consultation's "Uke 28"
    move_href: str = ""  # the booking screen that moves it
    show_actions: bool = True  # a partner who only looks at her pregnancy times gets none
    too_late: str = ""  # "Det er for sent å endre timen på nett. Ring …"
    phone: str = ""  # the place's number, and the link that dials it
    tel: str = ""
    phone_hours: str = ""
    can_wish: bool = False  # may ask for an earlier time (an upcoming nurse's time)
    earlier: bool = False  # "Gi meg beskjed om en tidligere time blir ledig" is on
    mornings: bool = False
    days: list[int] = field(default_factory=list)  # only these weekdays (0 = Monday)


@dataclass
class OfferRow:
    offer_id: int
    when: str  # "Tirsdag 25. november kl. 10.00"
    place: str
    nurse: str
    instead: str  # "I stedet for timen din torsdag 27. november kl. 10.00."
    until: str  # "Holdt av for deg til kl. 10.30."


@dataclass
class DayChip:
    index: int
    name: str  # "mandag"


def when_text(start_at: dt.datetime, lang: str) -> str:
    """"tirsdag 9. desember kl. 10.15"."""
    return (f"{weekday_day_month(to_oslo(start_at).date(), lang)} "
            f"{t('time.at', lang)} {clock(start_at)}")


def status_text(appointment: views.Appointment, lang: str) -> str:
    """"Flyttet til tirsdag 9. desember kl. 10.15", "Avlyst av helsesykepleieren",
    "Avbestilt", "Bestilt" …: never the service's own codes."""
    if appointment.moved_to is not None:
        return t("appts.moved_to", lang, when=when_text(appointment.moved_to, lang))
    if appointment.status == "cancelled" and appointment.cancelled_by == "nurse":
        if appointment.service == Service.PREGNANCY:
            return t("appts.cancelled_by_midwife", lang)
        return t("appts.cancelled_by_nurse", lang)
    return t(keyed("status", appointment.status), lang)


def row(appointment: views.Appointment, lang: str) -> AppointmentRow:
    when = when_text(appointment.start_at, lang)
    when = when[:1].upper() + when[1:]
    return AppointmentRow(
        appointment.booking_id, appointment.place_id, when, appointment.place_name,
        t("book.card.midwife", lang, name=appointment.nurse_name)
        if appointment.service == Service.PREGNANCY else
        t("book.card.nurse", lang, name=appointment.nurse_name),
        appointment.status, status_text(appointment, lang),
        t(appointment.visibility_key, lang), appointment.can_change,
        t("appts.reason", lang, reason=appointment.cancel_reason)
        if appointment.cancel_reason else "",
        t(keyed("card.visit", appointment.visit_key), lang) if appointment.visit_key else "",
        # A pregnancy consultation moves among her midwife's times, the others at the place.
        f"{routes.BOOK}?svangerskap=1&flytt={appointment.booking_id}"
        if appointment.service == Service.PREGNANCY else
        f"{routes.BOOK}?flytt={appointment.booking_id}&sted={appointment.place_id}",
        appointment.can_change,
        t("appts.too_late", lang, place=appointment.place_name) if appointment.too_late else "",
        appointment.place_phone, tel_link(appointment.place_phone),
        appointment.place_phone_hours,
    )


def _load(actor: Actor) -> views.Appointments:
    return citizen.appointments_for(get_engine(), actor, actor.subject_pid, now=utcnow(),
                                    settings=get_settings().booking)


def _offers(actor: Actor) -> tuple[list[offers.Offer], dict[int, offers.Wish]]:
    return offers.my_offers(get_engine(), actor, now=utcnow()), offers.my_wishes(get_engine(),
                                                                                 actor)


def offer_row(offer: offers.Offer, lang: str) -> OfferRow:
    when = when_text(offer.start_at, lang)
    return OfferRow(offer.offer_id, when[:1].upper() + when[1:], offer.place_name,
                    t("book.card.nurse", lang, name=offer.nurse_name),
                    t("appts.offers.instead", lang, when=when_text(offer.booked_start_at, lang)),
                    t("appts.offers.until", lang, clock=clock(offer.expires_at)))


def with_wish(item: AppointmentRow, appointment: views.Appointment,
              wish: offers.Wish | None) -> AppointmentRow:
    item.can_wish = appointment.can_change and appointment.service != Service.PREGNANCY
    if wish is not None and wish.active:
        item.earlier, item.mornings, item.days = True, wish.mornings_only, list(wish.weekdays)
    return item


def _cancel(actor: Actor, booking_id: int) -> None:
    citizen.cancel(get_engine(), actor, booking_id, now=utcnow(), settings=get_settings().booking)


@audience(CITIZEN)
class AppointmentsState(SessionState):
    upcoming: list[AppointmentRow] = []
    cancelled: list[AppointmentRow] = []  # cancelled or moved, their time not yet gone
    past: list[AppointmentRow] = []
    offers: list[OfferRow] = []  # earlier times held for her
    day_chips: list[DayChip] = []  # Monday to Friday, in her language
    _offer_starts: dict[int, str] = {}  # offer id -> its time (ISO), for the words after
    confirming_id: int = 0
    message: str = ""
    error: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.confirming_id = False, "", 0
        if not session.logged_in:
            return
        await self._refresh(session)
        self.loaded = True

    async def _refresh(self, session: SessionState) -> None:
        try:
            result = await asyncio.to_thread(_load, session._actor())
            offered, wishes = await asyncio.to_thread(_offers, session._actor())
        except AccessDenied as exc:
            self.upcoming, self.cancelled, self.past, self.offers = [], [], [], []
            self.error = t(exc.message_key, session.lang)
            return
        lang = session.lang
        self.offers = [offer_row(o, lang) for o in offered]
        self._offer_starts = {o.offer_id: o.start_at.isoformat() for o in offered}
        self.day_chips = [DayChip(i, weekday_name(i, lang)) for i in range(5)]
        self.upcoming = [with_wish(row(a, lang), a, wishes.get(a.booking_id))
                         for a in result.upcoming]
        self.cancelled = [row(a, session.lang) for a in result.cancelled]
        self.past = [row(a, session.lang) for a in result.past]

    @rx.event
    def ask_cancel(self, booking_id: int):
        self.confirming_id, self.message, self.error = booking_id, "", ""

    @rx.event
    def keep(self):
        self.confirming_id = 0

    @rx.event
    async def cancel(self, booking_id: int):
        session = await self.get_state(SessionState)
        try:
            await asyncio.to_thread(_cancel, session._actor(), booking_id)
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
        else:
            self.message = t("appts.was_cancelled", session.lang)
        self.confirming_id = 0
        await self._refresh(session)

    def _wish_of(self, booking_id: int) -> AppointmentRow | None:
        return next((a for a in self.upcoming if a.booking_id == booking_id and a.can_wish),
                    None)

    async def _save_wish(self, booking_id: int, *, on: bool, mornings: bool,
                         days: list[int]) -> None:
        session = await self.get_state(SessionState)
        try:
            await asyncio.to_thread(lambda: offers.set_wish(
                get_engine(), session._actor(), booking_id, on=on, mornings_only=mornings,
                weekdays=tuple(days), now=utcnow()))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
        else:
            self.message = (t("appts.earlier.saved_on", session.lang) if on
                            else t("appts.earlier.saved_off", session.lang))
        await self._refresh(session)

    @rx.event
    async def set_earlier(self, booking_id: int, checked: bool):
        item = self._wish_of(booking_id)
        if item is not None:
            await self._save_wish(booking_id, on=bool(checked), mornings=item.mornings,
                                  days=item.days)

    @rx.event
    async def set_mornings(self, booking_id: int, checked: bool):
        item = self._wish_of(booking_id)
        if item is not None and item.earlier:
            await self._save_wish(booking_id, on=True, mornings=bool(checked), days=item.days)

    @rx.event
    async def toggle_day(self, booking_id: int, day: int):
        item = self._wish_of(booking_id)
        if item is not None and item.earlier and day in range(5):
            days = sorted(set(item.days) ^ {day})
            await self._save_wish(booking_id, on=True, mornings=item.mornings, days=days)

    @rx.event
    async def accept_offer(self, offer_id: int):
        session = await self.get_state(SessionState)
        settings = get_settings().booking
        try:
            await asyncio.to_thread(lambda: offers.accept(
                get_engine(), session._actor(), offer_id, now=utcnow(), settings=settings))
        except ServiceError as exc:
            self.error, self.message = t(exc.message_key, session.lang), ""
        else:
            start = self._offer_starts.get(offer_id, "")
            self.message = t("appts.offers.accepted", session.lang, when=when_text(
                dt.datetime.fromisoformat(start), session.lang) if start else "")
            self.error = ""
        await self._refresh(session)

    @rx.event
    async def decline_offer(self, offer_id: int):
        session = await self.get_state(SessionState)
        settings = get_settings().booking
        try:
            await asyncio.to_thread(lambda: offers.decline(
                get_engine(), session._actor(), offer_id, now=utcnow(), settings=settings))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
        else:
            self.message, self.error = t("appts.offers.declined", session.lang), ""
        await self._refresh(session)
