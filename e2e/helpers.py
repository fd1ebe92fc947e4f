"""Helpers for the journeys: waiting for the app, accessibility scans, logging in."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

_axe = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def wait_for_app(page: Page) -> None:
    """Wait until Reflex has hydrated the page and its websocket is connected."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("main#main")).to_be_visible()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        f"{[node['target'] for node in v['nodes']][:3]}"
        for v in blocking
    )
    assert not blocking, f"axe found {len(blocking)} serious/critical violations:\n{details}"
