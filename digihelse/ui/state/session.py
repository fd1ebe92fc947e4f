"""The base state every page shares: language, who is logged in, and for whom they act.

Identity comes only from the HttpOnly session cookie the websocket handshake carried;
the Reflex client token is never trusted for it. National id numbers stay in
backend-only vars; the browser sees names and opaque choice keys."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session, col, select

from digihelse.access import personnel_areas, policy
from digihelse.access.actors import Action, Actor, Channel, Service
from digihelse.access.enforcement import SubjectChoice, representable_subjects
from digihelse.auth.current import CurrentUser, user_for
from digihelse.auth.sessions import SessionInfo
from digihelse.core.db import session as db_session
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import DEFAULT_LANG, normalise_lang, t
from digihelse.core.i18n.families import keyed
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard.guard import ending_visible
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.models import Person
from digihelse.people.nin import age_on, parse_nin
from digihelse.ui import routes
from digihelse.ui.state import client_actions as client
from digihelse.ui.state.changes import assign
from digihelse.ui.state.guard import SIGNED_IN, audience, live_session, public

# Text a page computed on the server (dates, "uke 27+3 i dag", a nurse's day) is in the
# language of its last load. After a language change the page loads again, unless the user
# has typed something into it that a load would throw away, or its words are all in the
# browser already. The booking flow, whose load would start it over, words itself again.
KEEP_ON_LANGUAGE_CHANGE = frozenset({routes.FRONT, routes.ACCESSIBILITY})


@dataclass
class SubjectOption:
    """One entry of the act-for switcher, as the browser sees it."""

    key: str
    label: str
    enabled: bool


def _user_and_subjects(live: SessionInfo
                       ) -> tuple[CurrentUser, list[SubjectChoice], set[str]]:
    """The user, and (a citizen) whom she may act for, in one read."""
    with db_session() as s:
        user = user_for(live, s)
        if user.is_personnel:
            return user, [], set()
        return (user, *_subjects(user, s))


def _subjects(user: CurrentUser, session: Session | None = None
              ) -> tuple[list[SubjectChoice], set[str]]:
    """Whom the user may act for, and which of them have a pregnancy card she may see."""
    actor = Actor(pid=user.pid, role=user.role, name=user.name, assurance=user.assurance)
    with contextlib.nullcontext(session) if session is not None else db_session() as s:
        choices = representable_subjects(s, actor)
        viewers = [c.pid for c in choices
                   if Action.VIEW_CARD in c.for_service(Service.PREGNANCY).allowed]
        # An ended card whose ending a proxy may not see is no card for him (ending.py).
        with_card = {nin for nin, kind, shown in s.exec(
            select(Person.nin, PregnancyRecord.end_kind, PregnancyRecord.ending_shown_to_proxy)
            .join(PregnancyRecord, PregnancyRecord.woman_id == Person.id)
            .where(PregnancyRecord.active, col(Person.nin).in_(viewers))).all()
            if ending_visible(nin != user.pid, kind, shown)} if viewers else set()
    return choices, with_card


def _access_level(choice: SubjectChoice) -> str:
    """The level a parent or proxy has, for the switcher: basic service first."""
    for service in (Service.BASIC, Service.PREGNANCY):
        level = choice.for_service(service).level
        if level != "none":
            return "proxy" if "fullmakt" in choice.relation and "parent" not in choice.relation \
                else level
    return "none"


class NotSignedIn(ServiceError):
    code = "not_signed_in"
    message_key = "access.denied"


@audience(SIGNED_IN)
class SessionState(rx.State):
    lang: str = rx.Cookie(DEFAULT_LANG, name="digihelse_lang", max_age=365 * 24 * 3600)
    client_action: str = ""  # steps for the browser (ui/state/client_actions.py)
    logged_in: bool = False
    checked: bool = False  # the session lookup for this page has finished
    display_name: str = ""
    given_name: str = ""
    role: str = ""
    is_personnel: bool = False
    hpr_number: str = ""
    organisation: str = ""
    # Acting for someone else: options for the switcher and the current choice.
    subject_options: list[SubjectOption] = []
    # Whom else she may use DigiHelse for, for the home page's hint: "children",
    # "fullmakt" (only people who gave her a fullmakt) or "" (nobody she may act for).
    acting_hint: str = ""
    acting_key: str = "0"
    acting_name: str = ""
    acting_given_name: str = ""
    acting_explanation: str = ""
    own_age: int | None = None
    has_card: bool = False  # the person acted for has a pregnancy card we may see
    _card_pids: list[str] = []
    _pid: str = ""
    _acr: str = ""
    _subject_pids: list[str] = []
    _subject_levels: list[str] = []
    _subject_names: list[str] = []
    _subject_ages: list[int | None] = []
    _acting_pid: str = ""
    # The session this tab's state belongs to (UserSession.id_hash), set by the guard.
    _session_hash: str = ""
    _ended: bool = False  # its session ended: the next event leads to the ended page

    @rx.var
    def acting_for_other(self) -> bool:
        return self.acting_key != "0"

    @rx.var
    def show_quick_exit(self) -> bool:
        """Pupils and young people get the quick exit ("Lukk")."""
        return self.logged_in and not self.is_personnel and self.own_age is not None \
            and policy.young(self.own_age)

    @rx.var
    def personnel_menu(self) -> list[str]:
        """The personnel areas the role may use (Area values, in menu order): "schedule"
        (I dag, Min timeplan, Uke), "cards" (Mine gravide), "onboarding" (Aktivering).
        One var, empty for citizens, so a citizen's tab carries next to nothing for it."""
        if not self.is_personnel:
            return []
        return [str(area) for area in personnel_areas.areas_for(self.role)]

    def _may_open(self, page_key: str) -> bool:
        """A personnel page's data loads only for a role that may use the page."""
        return (self.logged_in and self.is_personnel
                and personnel_areas.may_open(self.role, page_key))

    @rx.var
    def has_subjects(self) -> bool:
        return len(self.subject_options) > 1

    def _actor(self, channel: Channel = Channel.WEB) -> Actor:
        """The Actor for service calls: the person of this event's live session (never
        what the tab cached), acting for the one chosen in this tab."""
        live = live_session()
        if live is None or live.pid != self._pid:
            raise NotSignedIn()
        acting = self._acting_pid if self._acting_pid not in ("", live.pid) else None
        return Actor(pid=live.pid, role=live.role, name=self.display_name,
                     hpr_number=live.hpr_number, organisation=self.organisation or None,
                     on_behalf_of_pid=acting, channel=channel, acr=live.acr,
                     assurance=live.assurance)

    @rx.event
    @public
    def set_lang(self, lang: str):
        assign(self, lang=normalise_lang(lang))
        self._describe_acting()
        path = self.router.url.path.rstrip("/") or "/"  # the router may add a slash
        if path in KEEP_ON_LANGUAGE_CHANGE:
            return None
        if path == routes.BOOK:
            from digihelse.ui.state.booking import BookingState  # it builds on this state

            return BookingState.relabel
        client.ask(self, (client.RELOAD_IF_UNTOUCHED, ""))
        return None

    async def _resolve(self) -> None:
        live = live_session()
        user, choices, with_card = await asyncio.to_thread(_user_and_subjects, live) \
            if live else (None, [], set())
        previous = self._pid
        assign(
            self,
            logged_in=user is not None,
            _pid=user.pid if user else "",
            _acr=(user.acr or "") if user else "",
            display_name=user.name if user else "",
            given_name=(user.given_name or user.name) if user else "",
            role=user.role if user else "",
            is_personnel=bool(user and user.is_personnel),
            hpr_number=(user.hpr_number or "") if user else "",
            own_age=age_on(parse_nin(user.pid).birth_date, today_oslo()) if user else None,
            organisation=(user.organisation or "") if user else "",
        )
        assign(self, _card_pids=sorted(with_card))
        self._set_subjects(choices, keep=self._acting_pid if previous == self._pid else "")
        assign(self, checked=True)

    def _set_subjects(self, choices: list[SubjectChoice], keep: str) -> None:
        pids = [c.pid for c in choices]
        levels = ["self" if c.pid == self._pid else _access_level(c) for c in choices]
        chosen = keep if keep in pids and levels[pids.index(keep)] != "none" else self._pid
        others = [c for c in choices if c.pid != self._pid and c.can_act]
        hint = ("children" if any("parent" in c.relation for c in others)
                else "fullmakt" if others else "")
        assign(self, _subject_pids=pids, _subject_levels=levels,
               _subject_names=[c.name for c in choices],
               _subject_ages=[c.age for c in choices], _acting_pid=chosen, acting_hint=hint)
        self._describe_acting()

    def _describe_acting(self) -> None:
        lang = self.lang
        options = []
        for index in range(len(self._subject_pids)):
            level, name = self._subject_levels[index], self._subject_names[index]
            if level == "self":
                label = t("acting.self", lang, name=name)
            else:
                level_text = t(keyed("acting.level", level), lang) if level != "none" \
                    else t("access.level.none", lang)
                label = t("acting.child", lang, name=name.split()[0],
                          age=self._subject_ages[index], level=level_text)
            options.append(SubjectOption(str(index), label, level != "none"))
        if self._acting_pid in self._subject_pids:
            index = self._subject_pids.index(self._acting_pid)
            name = self._subject_names[index]
            level = self._subject_levels[index]
            explanation = "" if level in ("self", "none") else t(
                keyed("acting.explain", level), lang, name=name.split()[0])
            assign(self, subject_options=options, acting_key=str(index), acting_name=name,
                   acting_given_name=name.split()[0], acting_explanation=explanation,
                   has_card=self._acting_pid in self._card_pids)
        else:
            assign(self, subject_options=options, acting_key="0",
                   acting_name=self.display_name, acting_given_name=self.given_name,
                   acting_explanation="", has_card=self._pid in self._card_pids)

    @rx.event
    def choose_subject(self, key: str):
        """Switch whom we act for; the page reloads its data for the new choice."""
        if not key.isdigit() or int(key) >= len(self._subject_pids):
            return
        index = int(key)
        if self._subject_levels[index] == "none":
            return
        self._acting_pid = self._subject_pids[index]
        self._describe_acting()
        url = self.router.url
        client.page_load(self, url.path + (f"?{url.query}" if url.query else ""))

    def _login_redirect(self, personnel: bool = False):
        url = self.router.url
        target = url.path + (f"?{url.query}" if url.query else "")
        base = "/auth/personnel/login" if personnel else "/auth/login"
        client.page_load(self, f"{base}?next={quote(target, safe='')}")

    @rx.event
    @public
    async def load_public(self):
        """on_load for public pages: know who is here, set the page language."""
        await self._resolve()
        assign(self, lang=normalise_lang(self.lang))

    @rx.event
    @public
    async def load_citizen(self):
        """on_load for citizen pages: anonymous visitors go to login and back."""
        await self._resolve()
        assign(self, lang=normalise_lang(self.lang))
        if not self.logged_in or self.is_personnel:
            self._login_redirect()

    @rx.event
    @public
    async def load_personnel(self):
        """on_load for personnel pages: only a personnel login will do."""
        await self._resolve()
        assign(self, lang=normalise_lang(self.lang))
        if not self.logged_in or not self.is_personnel:
            self._login_redirect(personnel=True)
