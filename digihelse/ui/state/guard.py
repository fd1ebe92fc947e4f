"""The guard every Reflex event passes before its handler runs.

A tab token only names a state tree; it is never a credential. For every event the guard
looks up the live session behind the socket's HttpOnly cookie (one indexed read), and:
- a tree that belongs to a session that ended, expired or is someone else's is reset
  before anything else happens, and the tab is sent to a page that says the session ended;
- a handler runs only if it is public, or the session is live and of the kind its state
  serves (citizen or personnel pages);
- the live session is what `SessionState._actor()` acts for, never what the tree cached.

It is a Reflex middleware, so no handler can be added that skips it; the census test in
e2e/test_state_census.py calls every handler of every state to prove it."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from reflex.middleware import Middleware
from reflex.state import BaseState, State, StateUpdate
from reflex_base.event import Event

from digihelse.auth import tabs
from digihelse.auth.current import session_store
from digihelse.auth.runtime import SESSION_ENDED_PATH
from digihelse.auth.sessions import SessionInfo, cookie_value
from digihelse.core.settings import get_settings
from digihelse.ui.state.client_actions import page_load

if TYPE_CHECKING:
    from reflex.app import App

log = logging.getLogger(__name__)


# Who a page's state serves. A state without a mark of its own takes its parent's;
# SessionState's is "signed_in" (any live session).
CITIZEN, PERSONNEL, SIGNED_IN = "citizen", "personnel", "signed_in"
_AUDIENCE: dict[type, str] = {}
_PUBLIC_MARK = "_digihelse_public"

# Reflex's own handlers that must work before anyone is known: hydration, the on_load
# dispatch, client storage (the language cookie) and error reports from the browser.
REFLEX_PUBLIC = frozenset({
    ("reflex___state____state", "hydrate"),
    ("reflex___state____state", "hydrate_and_load"),
    ("reflex___state____state", "set_is_hydrated"),
    ("reflex___state____on_load_internal_state", "on_load_internal"),
    ("reflex___state____on_load_internal_state", "set_is_hydrated"),
    ("reflex___state____update_vars_internal_state", "update_vars_internal"),
    ("reflex___state____frontend_event_exception_state", "handle_frontend_exception"),
})
BOOT_EVENTS = frozenset({"hydrate", "hydrate_and_load"})

_live: contextvars.ContextVar[SessionInfo | None] = contextvars.ContextVar(
    "digihelse_live_session", default=None)

S = TypeVar("S", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


def audience(kind: str) -> Callable[[S], S]:
    """Class decorator: the state serves only sessions of this kind."""
    if kind not in (CITIZEN, PERSONNEL, SIGNED_IN):
        raise ValueError(f"unknown audience {kind!r}")

    def mark(cls: S) -> S:
        _AUDIENCE[cls] = kind
        return cls

    return mark


def public(fn: F) -> F:
    """Event handler decorator (under @rx.event): it may run without a session; it must
    itself reveal nothing and change nothing for a visitor who is not signed in."""
    setattr(fn, _PUBLIC_MARK, True)
    return fn


def audience_of(cls: type) -> str:
    for klass in cls.__mro__:
        if klass in _AUDIENCE:
            return _AUDIENCE[klass]
    return SIGNED_IN


def is_public(cls: type[BaseState], handler_name: str) -> bool:
    if (cls.get_name(), handler_name) in REFLEX_PUBLIC:
        return True
    handler = cls.event_handlers.get(handler_name)
    return handler is not None and getattr(handler.fn, _PUBLIC_MARK, False)


def live_session() -> SessionInfo | None:
    """The live session of the event being handled (set by the guard), or None."""
    return _live.get()


def resolve_handler(event_name: str) -> tuple[type[BaseState], str] | None:
    """The state class and handler name an event names, or None if there is none."""
    path, _, name = event_name.rpartition(".")
    try:
        cls = State.get_class_substate(path)
    except ValueError:
        return None
    return (cls, name) if name in cls.event_handlers else None


def _session_state_class() -> type[BaseState]:
    from digihelse.ui.state.session import SessionState  # it builds on this module

    return SessionState


def _lookup(cookie_header: str | None) -> SessionInfo | None:
    settings = get_settings()
    return session_store().resolve(cookie_value(cookie_header, settings.session_cookie_name))


def all_state_classes(root: type[BaseState] = State) -> Iterator[type[BaseState]]:
    yield root
    for sub in root.get_substates():
        yield from all_state_classes(sub)


async def reset_tree(root: BaseState, *, ended: bool) -> None:
    """Every var of every state of the tab back to its default (the language kept), so
    nothing of the previous session is left; `ended` makes the tab's next event lead to
    the session-ended page."""
    for cls in all_state_classes(type(root)):
        await root.get_state(cls)  # with Redis, load the parts not in memory
    session = await root.get_state(_session_state_class())
    lang = session.lang
    root.reset()
    session.lang = lang
    session._ended = ended


async def to_ended_page(root: BaseState) -> StateUpdate:
    """Leave for the session-ended page, which offers a new login back to this page
    (its path only: the query may name a day or a person). The update carries the reset
    tree too, so nothing of the old session stays on screen while the page loads."""
    path = (root.router_data.get("pathname") or "/").split("?")[0]
    session = await root.get_state(_session_state_class())
    page_load(session, f"{SESSION_ENDED_PATH}?{urlencode({'next': path})}", replace=True)
    delta = await root._get_resolved_delta()
    root._clean()
    return StateUpdate(delta=delta)


class SessionGuard(Middleware):
    """Runs before every event handler, under the tab's state lock."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        root = state._get_root_state()
        session = await root.get_state(_session_state_class())
        headers = root.router_data.get("headers") or {}
        live = await asyncio.to_thread(_lookup, headers.get("cookie"))
        _live.set(live)
        target = resolve_handler(event.name)
        boot = target is not None and target[0] is State and target[1] in BOOT_EVENTS

        verdict = tabs.verdict(session._session_hash, live.id_hash if live else None)
        if verdict is tabs.Verdict.RESET:
            await reset_tree(root, ended=not boot)
            if not boot:
                log.info("tab reset: its session ended or changed")
                return await to_ended_page(root)
            verdict = tabs.verdict("", live.id_hash if live else None)
        if session._ended:
            if not boot:
                return await to_ended_page(root)
            session._ended = False
        if boot and session.client_action:
            # A page load starts afresh: steps asked of the page before it must not run
            # again when the reloaded page receives its state.
            session.client_action = ""
        if verdict is tabs.Verdict.BIND and live is not None:
            session._session_hash = live.id_hash
            await asyncio.to_thread(tabs.bind, _token(root), live.id_hash)

        if target is None:
            log.warning("refused an event for no known handler")
            return StateUpdate()
        cls, name = target
        if is_public(cls, name):
            return None
        if live is None:
            return StateUpdate()  # nobody is signed in: nothing happens
        kind = audience_of(cls)
        if (kind == PERSONNEL and live.provider != "personnel") or (
                kind == CITIZEN and live.provider == "personnel") or name == "setvar":
            log.warning("refused %s.%s for a %s session", cls.get_name(), name, live.provider)
            return StateUpdate()
        return None


def _token(root: BaseState) -> str:
    return root.router.session.client_token
