"""Moving the keyboard focus once the page has rendered a change."""

from __future__ import annotations

import json

import reflex as rx


def focus_on(element_id: str) -> rx.event.EventSpec:
    """Focus the element with this id after the change on screen has rendered (the
    timeout lets React draw it first), so a keyboard or screen-reader user starts there
    (WCAG 2.4.3) and not at the top of the page or on a button that went away."""
    return rx.call_script(
        f"setTimeout(() => document.getElementById({json.dumps(element_id)})?.focus(), 0)")
