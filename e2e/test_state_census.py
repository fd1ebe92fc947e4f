"""The census: every event handler of every Reflex state in the app, called over the
websocket the way an attacker would, (a) with no session, (b) on a tab whose session was
logged out, with no cookie, and (c) as the wrong person: a pupil calling the personnel
handlers, a partner calling the pregnant woman's, a nurse calling the citizens'. Arguments
are forged to name other people's ids. Each call must change nothing in the database
and send back none of another person's data.

The handlers are enumerated from the state classes, so a new handler is covered without
anyone writing a new test."""

from __future__ import annotations

import hashlib
import inspect
import sqlite3
import typing
from dataclasses import dataclass

import pytest

import digihelse.ui.app as the_app
from digihelse.ui.state.guard import (
    CITIZEN,
    PERSONNEL,
    all_state_classes,
    audience_of,
    is_public,
)
from digihelse.ui.state.session import SessionState
from e2e.helpers import sara_booking_day
from e2e.reflex_ws import Tab, cookie_header, login

# What logging in and connecting write by design; every other table must stay as it was.
BOOKKEEPING = {"alembic_version", "user_session", "tab_binding", "login_attempt",
               "used_auth_code", "outbox"}
REFLEX_STATE_PREFIX = "reflex___"


@dataclass
class Handler:
    cls: type
    name: str

    @property
    def event(self) -> str:
        return f"{self.cls.get_full_name()}.{self.name}"

    def __repr__(self) -> str:
        return f"{self.cls.__name__}.{self.name}"


def every_handler() -> list[Handler]:
    return [Handler(cls, name) for cls in all_state_classes()
            for name in sorted(cls.event_handlers)]


def page_of(cls: type) -> str:
    """The page whose on_load fills this state, so the tab holds that page's data."""
    for route, events in the_app.app._load_events.items():
        for event in events:
            fn = getattr(event, "fn", None) or getattr(getattr(event, "handler", None), "fn",
                                                       None)
            owner = fn.__qualname__.split(".")[0] if fn else ""
            if owner == cls.__name__:
                return "/" if route == "index" else "/" + route
    return "/"


def _digest(db: str) -> dict[str, str]:
    with sqlite3.connect(db) as con:
        tables = [row[0] for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for table in tables:
            if table in BOOKKEEPING or table == "access_log":
                continue
            rows = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()  # noqa: S608
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return out


def _log_rows_after(db: str, last: int) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, action, actor_pid, subject_pid, outcome FROM access_log"
                           " WHERE id > ?", (last,)).fetchall()


def _last_log(db: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COALESCE(MAX(id), 0) FROM access_log").fetchone()[0]


@dataclass
class World:
    """The demo's people and the ids a forger would aim at."""

    db: str
    people: dict[str, tuple[str, str]]  # given name -> (full name, national id number)
    ids: dict[str, typing.Any]

    def secrets_of(self, *given: str, but: tuple[str, ...] = ()) -> list[str]:
        names = given or tuple(self.people)
        return [value for name in names if name not in but
                for value in self.people[name]]


@pytest.fixture(scope="module")
def world(server) -> World:
    db = str(server.database_path)
    with sqlite3.connect(db) as con:
        people = {given: (f"{given} {family}", nin) for given, family, nin in con.execute(
            "SELECT given_name, family_name, nin FROM person")}
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        ids = {
            "slot_id": one("SELECT id FROM slot WHERE status = 'open' ORDER BY start_at "
                           "DESC LIMIT 1"),
            "booking_id": one("SELECT id FROM booking WHERE client_key = "
                              "'demo-sara-ungdomsskole'"),
            "consultation_id": one("SELECT c.id FROM pregnancy_consultation c JOIN "
                                   "pregnancyrecord r ON r.id = c.record_id JOIN person p "
                                   "ON p.id = r.woman_id WHERE p.given_name = 'Nora' LIMIT 1"),
            "lab_id": one("SELECT l.id FROM pregnancy_lab_result l JOIN pregnancyrecord r "
                          "ON r.id = l.record_id JOIN person p ON p.id = r.woman_id "
                          "WHERE p.given_name = 'Nora' LIMIT 1"),
            "place_id": one("SELECT id FROM place ORDER BY id LIMIT 1"),
        }
    ids["pid"] = people["Nora"][1]
    return World(db, people, ids)


def harvest(tab: Tab) -> dict[str, int]:
    """Ids the tab was shown (a slot, a booking, a check-up...): what a thief of the tab
    token would aim at."""
    found: dict[str, int] = {}

    def walk(value: typing.Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                name = key.removesuffix("_rx_state_")
                if name.endswith("_id") and isinstance(item, int) and item and \
                        name not in found:
                    found[name] = item
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(tab.updates)
    return found


def forged_payload(handler: Handler, world: World,
                   seen: dict[str, int] | None = None) -> dict[str, typing.Any]:
    """Arguments for the handler that name other people's things (or, given `seen`, the
    things the tab showed its rightful owner)."""
    fn = handler.cls.event_handlers[handler.name].fn
    hints = typing.get_type_hints(fn) if fn.__annotations__ else {}
    payload: dict[str, typing.Any] = {}
    victim = world.ids["pid"]
    any_form = {"pid": victim, "woman": victim, "key": "1", "reason": "forged",
                "text": "forged", "note": "forged", "booking_id": world.ids["booking_id"],
                "slot_id": world.ids["slot_id"], "consultation_id": world.ids["consultation_id"],
                "receiver": world.people["Jon"][1], "date": "2026-12-24",
                "kind": "weekly", "weekday": "1", "start": "08:00", "end": "09:00"}
    seen = seen or {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        hint = hints.get(name, param.annotation)
        if name in seen:
            payload[name] = seen[name]
        elif name in world.ids:
            payload[name] = world.ids[name]
        elif name.endswith("_id"):
            payload[name] = world.ids["booking_id"]
        elif name == "var_name":
            payload[name] = "role"
        elif name == "value" and handler.name == "setvar":
            payload[name] = "school_nurse"
        elif name == "slot":
            payload[name] = {"slot_id": world.ids["slot_id"], "label": "forged"}
        elif typing.get_origin(hint) is dict or hint is dict or name in ("form", "form_data"):
            payload[name] = dict(any_form)
        elif hint is bool:
            payload[name] = True
        elif hint is int:
            payload[name] = world.ids["booking_id"]
        elif name == "lang":
            payload[name] = "en"
        elif name in ("key", "item"):
            payload[name] = "1"
        else:
            payload[name] = victim
    return payload


def sweep(tab: Tab, handlers: list[Handler], world: World, secrets: list[str],
          caller: str | None = None, seen: dict[str, int] | None = None) -> list[str]:
    """Call each handler on the tab; what went wrong, one line each. Only the caller's
    own reads may be logged; what the forger sent may come back (it is not a leak)."""
    offences = []
    for handler in handlers:
        payload = forged_payload(handler, world, seen)
        before, last = _digest(world.db), _last_log(world.db)
        answer = tab.call(handler.event, payload)
        after = _digest(world.db)
        changed = [table for table in after if after[table] != before.get(table)]
        logged = [row for row in _log_rows_after(world.db, last)
                  if row[4] == "ok" and (caller is None or row[2:4] != (caller, caller))]
        text, sent = repr(answer), repr(payload)
        leaked = [value for value in secrets if value in text and value not in sent]
        if changed or logged or leaked:
            offences.append(f"{handler!r}: changed {changed}, logged {logged}, "
                            f"leaked {leaked}")
    return offences


def by_page(handlers: list[Handler]) -> dict[str, list[Handler]]:
    pages: dict[str, list[Handler]] = {}
    for handler in handlers:
        pages.setdefault(page_of(handler.cls), []).append(handler)
    return pages


def test_every_state_builds_on_the_session_state_and_declares_whom_it_serves():
    ours = [cls for cls in all_state_classes()
            if not cls.get_name().startswith(REFLEX_STATE_PREFIX)]
    assert SessionState in ours and len(ours) > 10
    assert all(issubclass(cls, SessionState) for cls in ours), ours
    public = sorted(repr(h) for h in every_handler() if is_public(h.cls, h.name)
                    and not h.cls.get_name().startswith(REFLEX_STATE_PREFIX))
    # Only what a visitor needs before logging in runs without a session.
    assert public == ["SessionState.load_citizen", "SessionState.load_personnel",
                      "SessionState.load_public", "SessionState.set_lang"]


def test_with_no_session_no_handler_changes_or_reveals_anything(server, world):
    offences = []
    for path, handlers in by_page(every_handler()).items():
        with Tab(server.base_url).connect(path) as tab:
            offences += sweep(tab, handlers, world, world.secrets_of())
    assert not offences, "\n".join(offences)


CARD_STATES = ("CarerState", "CarerFormsState", "LabFormState", "PregnancyFormState")
OWNERS = [
    # (who, personnel login?, the handlers whose pages she fills, query of those pages)
    ("Nora", False, lambda h: audience_of(h.cls) != PERSONNEL, None),
    ("Kari", True, lambda h: audience_of(h.cls) == PERSONNEL
     and h.cls.__name__ not in CARD_STATES, "sara"),
    ("Lise", True, lambda h: h.cls.__name__ in CARD_STATES, None),
]


@pytest.mark.parametrize(("who", "personnel", "mine", "query"), OWNERS,
                         ids=["citizen", "nurse", "midwife"])
def test_after_logout_the_old_token_alone_moves_no_handler(server, world, who, personnel,
                                                            mine, query):
    """One tab per page, filled under a live session, then the session ends; every
    handler is then called on those tabs, with the ids they showed, by a client that
    holds only the token."""
    offences = []
    query = {"dag": sara_booking_day(world.db)} if query == "sara" else None
    client = login(server.base_url, who, personnel=personnel)
    pages = by_page([h for h in every_handler() if mine(h)])
    tabs = {path: Tab(server.base_url, cookie=cookie_header(client)).connect(
        path, query=query) for path in pages}
    for tab in tabs.values():
        tab.close()
    client.post("/auth/logout")
    client.close()
    for path, handlers in pages.items():
        with Tab(server.base_url, token=tabs[path].token).connect(
                path, hydrate=False) as stale:
            offences += sweep(stale, handlers, world, world.secrets_of(),
                              seen=harvest(tabs[path]))
    assert not offences, "\n".join(offences)


WRONG_ROLES = [
    # (who, personnel login?, whose handlers, the people whose data they must not get)
    ("Ida", False, lambda h: audience_of(h.cls) == PERSONNEL, ()),
    ("Jon", False, lambda h: h.cls.__name__ in ("CardState", "SharingState"), ("Nora",)),
    ("Kari", True, lambda h: audience_of(h.cls) == CITIZEN, ()),
]


@pytest.mark.parametrize(("who", "personnel", "targets", "victims"), WRONG_ROLES,
                         ids=["pupil-personnel", "partner-woman", "nurse-citizen"])
def test_the_wrong_person_moves_no_handler(server, world, who, personnel, targets, victims):
    client = login(server.base_url, who, personnel=personnel)
    secrets = world.secrets_of(*victims) if victims else world.secrets_of(but=(who,))
    offences = []
    try:
        for path, handlers in by_page([h for h in every_handler() if targets(h)]).items():
            with Tab(server.base_url, cookie=cookie_header(client)).connect(path) as tab:
                offences += sweep(tab, handlers, world, secrets,
                                  caller=world.people[who][1])
    finally:
        client.post("/auth/logout")
        client.close()
    assert not offences, "\n".join(offences)
