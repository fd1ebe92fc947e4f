"""What a server event asks the browser to do besides showing data: a real page load,
moving the keyboard focus, a reload after a language change.

Reflex's rx.call_script would send JavaScript for the browser to run with eval(), which
our Content-Security-Policy forbids (no 'unsafe-eval'). Instead the event names a few
fixed steps in one var of SessionState; the code that performs them is compiled into the
app's bundle (ui/components/client_actions.py), so nothing the server sends is ever run
as code."""

from __future__ import annotations

import json
import uuid
from typing import Any

ACTION_VAR = "client_action"

# The steps the browser knows, each with one string argument.
ASSIGN = "assign"  # a real page load (HTTP routes such as login run, cookies apply)
REPLACE = "replace"  # the same, without a history entry to come back to
FOCUS = "focus"  # focus the element with this id, once the change has rendered (WCAG 2.4.3)
RELOAD_IF_UNTOUCHED = "reload_if_untouched"  # reload, unless she typed into the page
STEPS = frozenset({ASSIGN, REPLACE, FOCUS, RELOAD_IF_UNTOUCHED})


def encode(*steps: tuple[str, str]) -> str:
    """The var's value: the steps in order, with a fresh nonce so that asking for the
    same steps twice is done twice."""
    for name, arg in steps:
        if name not in STEPS:
            raise ValueError(f"unknown browser step {name!r}")
        if name in (ASSIGN, REPLACE) and not is_own_path(arg):
            raise ValueError("a page load goes only to a path of this app")
    return json.dumps({"n": uuid.uuid4().hex[:12], "do": [list(s) for s in steps]})


def is_own_path(url: str) -> bool:
    """A path on this origin ('/hjem?x=1'), never another site ('//evil', 'https:')."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def ask(state: Any, *steps: tuple[str, str]) -> None:
    """Ask the browser of this tab to take these steps after the event's change."""
    setattr(_holder(state), ACTION_VAR, encode(*steps))


def focus_on(state: Any, element_id: str) -> None:
    """Move the focus to this element once the change on screen has rendered, so a
    keyboard or screen-reader user starts there and not at the top of the page."""
    ask(state, (FOCUS, element_id))


def page_load(state: Any, url: str, *, replace: bool = False) -> None:
    ask(state, (REPLACE if replace else ASSIGN, url))


def _holder(state: Any) -> Any:
    """The state in the tab's tree that carries the var (SessionState, an ancestor of
    every page's state)."""
    node = state
    while node is not None:
        if ACTION_VAR in type(node).base_vars:
            return node
        node = node.parent_state
    raise LookupError("no state in this tree carries the browser's steps")
