"""State for the home screen: notices, the booking card, and the next appointments."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from digihelse.booking import service as booking
from digihelse.db import get_engine
from digihelse.db import session as db_session
from digihelse.people.access import AccessDenied
from digihelse.people.actors import Actor
from digihelse.people.age_notices import notices_for
from digihelse.people.nin import age_on, parse_nin
from digihelse.state.appointments import AppointmentRow, row
from digihelse.state.booking import PlaceOption, place_option
from digihelse.state.session import SessionState
from digihelse.timeutil import today_oslo, utcnow

YOUTH_MAX_AGE = 24  # helsestasjon for ungdom serves young people up to 24


@dataclass
class Home:
    notices: list[str]
    places: list[booking.PlaceInfo]
    appointments: list[booking.Appointment]


def _load(actor: Actor, lang: str) -> Home:
    today = today_oslo()
    with db_session() as s:
        notices = [n.text for n in notices_for(s, actor.pid, today, lang)] \
            if actor.on_behalf_of_pid is None else []
        age = age_on(parse_nin(actor.subject_pid).birth_date, today)
        youth = actor.on_behalf_of_pid is None and 12 <= age <= YOUTH_MAX_AGE
        places = booking.places_for_pupil(s, actor.pid) if youth else []
    try:
        upcoming = booking.appointments_for(get_engine(), actor, actor.subject_pid,
                                            now=utcnow()).upcoming
    except AccessDenied:
        upcoming = []
    return Home(notices, places, upcoming)


class HomeState(SessionState):
    notices: list[str] = []
    booking_places: list[PlaceOption] = []
    next_appointments: list[AppointmentRow] = []
    loaded: bool = False

    @rx.var
    def booking_place(self) -> PlaceOption:
        if self.booking_places:
            return self.booking_places[0]
        return PlaceOption(0, "", "", "", "", "", "")

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded = False
        if not session.logged_in:
            return
        home = await asyncio.to_thread(_load, session.actor(), session.lang)
        today = today_oslo()
        self.notices = home.notices
        self.booking_places = [place_option(p, session.lang, today) for p in home.places]
        self.next_appointments = [row(a, session.lang) for a in home.appointments[:3]]
        self.loaded = True
