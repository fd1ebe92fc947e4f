"""Assign state vars only when their value changes.

Reflex marks a var dirty on every assignment, equal value or not (`Field.__set__` in
reflex_base/vars/base.py), and sends every dirty var to the browser, so a load handler
that re-sets unchanged values re-sends them on each navigation. Backend vars are not
sent, but an assignment still marks their state touched, to be written out again."""

from __future__ import annotations

from typing import Any


def assign(state: Any, **values: Any) -> None:
    """Set each named var of `state` whose value differs from the one it holds."""
    for name, value in values.items():
        if getattr(state, name) != value:
            setattr(state, name, value)
