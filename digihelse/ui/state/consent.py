"""State for her consent page (/helsekort/samtykke): consent to the card in the app, or
withdraw it in two steps. The rules are in digihelse.healthcard.consent."""

from __future__ import annotations

import asyncio

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import long_date
from digihelse.core.timeutil import to_oslo, utcnow
from digihelse.healthcard import consent
from digihelse.ui.state.changes import assign
from digihelse.ui.state.client_actions import focus_on
from digihelse.ui.state.guard import CITIZEN, audience
from digihelse.ui.state.session import SessionState


def consent_line(view: consent.ConsentView, lang: str) -> str:
    """"Du samtykket i appen 5. desember 2026", or who recorded it; "" without one."""
    if not view.consented or view.given_at is None:
        return t("consent.card_before", lang) if view.has_card else ""
    day = long_date(to_oslo(view.given_at).date(), lang)
    if view.how == consent.ConsentHow.IN_PERSON:
        return t("consent.given_in_person", lang, day=day, name=view.recorded_by_name or "")
    return t("consent.given_in_app", lang, day=day)


@audience(CITIZEN)
class ConsentState(SessionState):
    loaded: bool = False
    error: str = ""
    consented: bool = False  # a standing consent, or a card opened before consent existed
    card: bool = False
    confidential: bool = False
    line: str = ""
    confirming: bool = False  # the second step of withdrawing
    message: str = ""
    busy: bool = False

    def _show(self, view: consent.ConsentView, lang: str) -> None:
        assign(self, consented=view.consented or view.has_card, card=view.has_card,
               confidential=view.confidential, line=consent_line(view, lang), error="",
               loaded=True)

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        assign(self, confirming=False, message="", busy=False)
        if not session.logged_in or session.is_personnel or session.acting_for_other:
            assign(self, loaded=True, error=t("consent.only_her", session.lang))
            return
        await self._call(session, consent.consent_status)

    async def _call(self, session: SessionState, action) -> bool:
        actor = session._actor()
        try:
            view = await asyncio.to_thread(action, get_engine(), actor, actor.subject_pid)
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, session.lang), loaded=True)
            return False
        if isinstance(view, consent.ConsentView):
            self._show(view, session.lang)
        return True

    @rx.event
    async def give(self):
        session = await self.get_state(SessionState)
        self.busy = True
        yield
        if await self._call(session, lambda e, a, p: consent.give_consent(e, a, p,
                                                                         now=utcnow())):
            self.message = t("consent.given", session.lang)
        self.busy = False
        focus_on(self, "consent-status")

    @rx.event
    def ask_withdraw(self):
        self.confirming, self.message = True, ""
        focus_on(self, "withdraw-confirm-title")

    @rx.event
    def keep(self):
        self.confirming = False
        focus_on(self, "withdraw-open")

    @rx.event
    async def withdraw(self):
        session = await self.get_state(SessionState)
        if not self.confirming:
            return
        self.busy = True
        yield
        actor = session._actor()
        try:
            await asyncio.to_thread(consent.withdraw_consent, get_engine(), actor,
                                    actor.subject_pid, now=utcnow())
        except ServiceError as exc:
            assign(self, error=t(exc.message_key, session.lang), busy=False)
            return
        # The home screen and the menu stop offering the card at once.
        pid = actor.subject_pid
        assign(session, _card_pids=[p for p in session._card_pids if p != pid],
               has_card=False)
        await self._call(session, consent.consent_status)
        assign(self, confirming=False, busy=False,
               message=t("consent.withdrawn", session.lang))
        focus_on(self, "consent-status")
