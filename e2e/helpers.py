"""Helpers for the journeys: waiting for the app, accessibility scans, logging in."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

_axe = Axe()
# Every impact blocks: minor and moderate violations are WCAG failures too (issue #13).
BLOCKING_IMPACTS = {"minor", "moderate", "serious", "critical"}


def sara_booking_day(database: str) -> str:
    """The day (Oslo, ISO) of the demo booking Sara (13) made with Kari, her school nurse:
    the nurse's day that names a pupil."""
    from digihelse.core.timeutil import to_oslo

    with sqlite3.connect(database) as con:
        start = con.execute("SELECT slot.start_at FROM booking JOIN slot ON slot.id = "
                            "booking.slot_id WHERE booking.client_key = "
                            "'demo-sara-ungdomsskole'").fetchone()[0]
    return to_oslo(dt.datetime.fromisoformat(str(start))).date().isoformat()


def at_path(path: str) -> re.Pattern:
    """A URL pattern for a page path, with or without the trailing slash the server adds."""
    return re.compile(rf"^https?://[^/]+{re.escape(path.rstrip('/'))}/?(\?.*)?(#.*)?$")


def wait_for_app(page: Page) -> None:
    """Wait until Reflex has hydrated the page and its websocket is connected."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("main#main")).to_be_visible()


def act_for(page: Page, starts_with: str) -> None:
    """Choose in "Du bruker DigiHelse for" the person whose option starts with the text.
    The switch reloads the page; wait for that load, or the next goto races it."""
    switcher = page.get_by_label("Du bruker DigiHelse for")
    label = next(text for text in switcher.locator("option").all_inner_texts()
                 if text.startswith(starts_with))
    with page.expect_navigation():
        switcher.select_option(label=label)
    wait_for_app(page)


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation of any impact on the page as it is now."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        f"{[node['target'] for node in v['nodes']][:3]}"
        for v in blocking
    )
    assert not blocking, f"axe found {len(blocking)} violations:\n{details}"
    # axe asks for at least one; a screen reader's user expects exactly one of each.
    landmarks = page.evaluate("() => [document.querySelectorAll('main, [role=main]').length,"
                              " document.querySelectorAll('h1').length]")
    assert landmarks == [1, 1], f"{page.url}: {landmarks[0]} main, {landmarks[1]} h1"


def test_users(page: Page, issuer_path: str = "/idp") -> list[dict]:
    response = page.request.get(f"{issuer_path}/testusers")
    assert response.ok
    return response.json()


def pid_of(page: Page, given_name: str, issuer_path: str = "/idp") -> str:
    for user in test_users(page, issuer_path):
        if user["name"].split()[0] == given_name:
            return user["pid"]
    raise AssertionError(f"no test user called {given_name}")


def login_citizen(page: Page, given_name: str, next_path: str = "/hjem",
                  level: str = "idporten-loa-substantial") -> None:
    """Log in through the embedded TestID provider, typing the person's number."""
    pid = pid_of(page, given_name)
    page.goto(f"/auth/login?next={next_path}")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()
    page.locator(f"input[name=acr][value='{level}']").check()
    page.locator("input[name=pid]").fill(pid)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(at_path(next_path))
    wait_for_app(page)


def login_personnel(page: Page, given_name: str, next_path: str = "/personell") -> None:
    """Log in through the embedded HelseID-like provider by picking the person."""
    pid = pid_of(page, given_name, "/helseid")
    page.goto(f"/auth/personnel/login?next={next_path}")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()
    page.locator(f"button[name=pick][value='{pid}']").click()
    page.wait_for_url(at_path(next_path))
    wait_for_app(page)
