"""State for the home screen: notices, the booking card, and the next appointments."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import reflex as rx

from digihelse.access.actors import Actor, Service
from digihelse.access.enforcement import AccessDenied
from digihelse.auth import passkeys
from digihelse.booking.changes import mark_seen, unseen_changes
from digihelse.booking.citizen import appointments_for, booking_refusal, places_for
from digihelse.booking.pregnancy import pregnancy_booking_options
from digihelse.booking.views import Appointment, BookingChange, PlaceInfo
from digihelse.core.db import get_engine
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t, tn
from digihelse.core.i18n.formatting import long_date
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service as healthcard
from digihelse.people.age_notices import notices_for
from digihelse.people.nin import InvalidNin, age_on, parse_nin
from digihelse.ui import routes
from digihelse.ui.state.appointments import AppointmentRow, row, when_text
from digihelse.ui.state.booking import PlaceOption, place_option
from digihelse.ui.state.card_display import BookBox, book_box
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState


@dataclass
class Home:
    notices: list[str]
    places: list[PlaceInfo]
    appointments: list[Appointment]
    card_line: str
    visit: BookBox  # the next recommended check-up: to book, or the time booked
    changes: list[BookingChange]
    unread: int = 0  # her conversations with something new
    may_message: bool = False  # there is somewhere she may write
    offers: int = 0  # earlier times held for her now (booking/offers.py)


@dataclass
class ChangeNotice:
    """"Helsesykepleieren har avlyst timen din …", her reason, and where to go next."""

    booking_id: int
    text: str
    reason: str
    link_text: str
    link_href: str


def change_notice(change: BookingChange, lang: str) -> ChangeNotice:
    midwife = change.service == Service.PREGNANCY
    old = when_text(change.start_at, lang)
    if change.moved_to is not None:
        new = when_text(change.moved_to, lang)
        text = (t("home.change.moved_midwife", lang, old=old, new=new) if midwife
                else t("home.change.moved", lang, old=old, new=new))
        return ChangeNotice(change.booking_id, text, "", t("home.change.see", lang),
                            routes.APPOINTMENTS)
    text = (t("home.change.cancelled_midwife", lang, old=old) if midwife
            else t("home.change.cancelled", lang, old=old))
    book = (f"{routes.BOOK}?svangerskap=1" if midwife
            else f"{routes.BOOK}?sted={change.place_id}")
    return ChangeNotice(change.booking_id, text,
                        t("appts.reason", lang, reason=change.reason) if change.reason else "",
                        t("home.change.book", lang), book)


def _visit(actor: Actor, lang: str) -> BookBox:
    """The card's "Neste kontroll" box, for the home screen's shortcut to it."""
    try:
        options = pregnancy_booking_options(get_engine(), actor, actor.subject_pid, utcnow(),
                                            settings=get_settings().booking)
    except ServiceError:
        return BookBox()
    return book_box(options, lang, own=actor.on_behalf_of_pid is None, name=actor.name)


def _card_line(actor: Actor, lang: str) -> str:
    """"Uke 27+3 i dag – termin 18. februar 2027", or "" without a card to show."""
    try:
        card = healthcard.get_card(get_engine(), actor, actor.subject_pid)
    except ServiceError:
        return ""
    if card.ending is not None:  # no week, no countdown: the day it ended, gently
        from digihelse.ui.state.card_display import ending_texts

        return ending_texts(card, lang)[0]
    o = card.overview
    parts = [t("card.overview.ga_today", lang, ga=o.ga_today_text) if o.ga_today_text else "",
             f"{t('card.overview.due_date', lang).lower()} {long_date(o.due_date, lang)}"
             if o.due_date else ""]
    line = " – ".join(part for part in parts if part)
    return line[:1].upper() + line[1:]


def _own_age(pid: str, today) -> int | None:
    try:
        return age_on(parse_nin(pid).birth_date, today)
    except InvalidNin:
        return None


def _load(actor: Actor, lang: str, has_card: bool) -> Home:
    today = today_oslo()
    with db_session() as s:
        notices = [n.text for n in notices_for(s, actor.pid, today, lang)] \
            if actor.on_behalf_of_pid is None else []
        # Her own school and youth clinic, or a young child's school and health station;
        # nothing where the policy lets her see but not book (a parent of a teenager).
        places = [] if booking_refusal(s, actor) else places_for(s, actor)
    # What her passkey reaches, when that changed (MinID came, or she turned 16).
    notices += [t(key, lang) for key in passkeys.notice_keys(
        get_engine(), actor, _own_age(actor.pid, today), get_settings().basic_self_service_age)]
    try:
        upcoming = appointments_for(get_engine(), actor, actor.subject_pid, now=utcnow(),
                                    settings=get_settings().booking).upcoming
    except AccessDenied:
        upcoming = []
    from digihelse.booking import offers
    from digihelse.messages import service as messages

    return Home(notices, places, upcoming, _card_line(actor, lang) if has_card else "",
                _visit(actor, lang) if has_card else BookBox(),
                unseen_changes(get_engine(), actor),
                messages.unread_count(get_engine(), actor),
                bool(messages.recipients(get_engine(), actor)),
                len(offers.my_offers(get_engine(), actor, now=utcnow())))


@audience(CITIZEN)
class HomeState(SessionState):
    notices: list[str] = []
    booking_places: list[PlaceOption] = []
    next_appointments: list[AppointmentRow] = []
    card_line: str = ""
    visit: BookBox = BookBox()
    changes: list[ChangeNotice] = []  # what her nurse moved or cancelled, until she saw it
    unread_line: str = ""  # "Du har 1 ny melding", or ""
    may_message: bool = False
    offer_line: str = ""  # "Du har fått tilbud om en tidligere time", or ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded = False
        if not session.logged_in:
            return
        home = await asyncio.to_thread(_load, session._actor(), session.lang, session.has_card)
        self.card_line, self.visit = home.card_line, home.visit
        today = today_oslo()
        self.notices = home.notices
        self.booking_places = [place_option(p, session.lang, today) for p in home.places]
        self.next_appointments = [row(a, session.lang) for a in home.appointments[:3]]
        self.changes = [change_notice(c, session.lang) for c in home.changes]
        self.unread_line = tn("home.unread", home.unread, session.lang) if home.unread else ""
        self.may_message = home.may_message
        self.offer_line = tn("home.offers", home.offers, session.lang) if home.offers else ""
        self.loaded = True

    @rx.event
    async def seen(self, booking_id: int):
        """She has read the notice: it is gone here and on every other device."""
        session = await self.get_state(SessionState)
        with contextlib.suppress(ServiceError):  # not hers (or gone): nothing to put away
            await asyncio.to_thread(mark_seen, get_engine(), session._actor(), booking_id,
                                    now=utcnow())
        self.changes = [c for c in self.changes if c.booking_id != booking_id]
