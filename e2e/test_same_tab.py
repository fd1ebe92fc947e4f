"""The next person in the same browser tab starts from nothing: a nurse logs out and a
pupil logs in, Nora logs out and her partner Jon logs in. What the tab received over the
websocket after the switch must hold nothing of the one before, even when the tab
token is kept (as if the logged-out page never ran)."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import (
    assert_accessible,
    login_citizen,
    login_personnel,
    sara_booking_day,
    wait_for_app,
)


class Frames:
    """What the server pushed to this tab over the websocket, from `mark()` on."""

    def __init__(self, page: Page) -> None:
        self.received: list[str] = []
        self.start = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload: str | bytes) -> None:
        self.received.append(payload if isinstance(payload, str) else payload.decode())

    def mark(self) -> None:
        self.start = len(self.received)

    def since_mark(self) -> str:
        return "\n".join(self.received[self.start:])


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/auth/logged-out")  # after the provider's own logout page
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")


def _token(page: Page) -> str | None:
    return page.evaluate("sessionStorage.getItem('token')")


@pytest.mark.parametrize("keep_token", [False, True], ids=["token-cleared", "token-kept"])
def test_a_pupil_after_the_nurse_in_one_tab_gets_nothing_of_her_day(page: Page, server,
                                                                     keep_token):
    frames = Frames(page)
    day = sara_booking_day(str(server.database_path))
    login_personnel(page, "Kari")
    page.goto(f"/personell?dag={day}")
    wait_for_app(page)
    expect(page.locator("main")).to_contain_text("Sara Hansen")
    nurse_token = _token(page)
    _log_out(page)
    assert _token(page) is None, "the logged-out page must forget the tab's token"
    assert_accessible(page)
    if keep_token:  # as an attacker, or a browser that skipped the page, would
        page.evaluate(f"sessionStorage.setItem('token', {nurse_token!r})")

    frames.mark()
    login_citizen(page, "Ida", next_path="/hjem")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ida")
    seen = frames.since_mark()
    assert "Sara Hansen" not in seen, seen[seen.find("Sara") - 300:seen.find("Sara") + 100]
    if not keep_token:
        assert _token(page) != nurse_token


@pytest.mark.parametrize("keep_token", [False, True], ids=["token-cleared", "token-kept"])
def test_jon_after_nora_in_one_tab_gets_nothing_of_her_card(page: Page, server, keep_token):
    frames = Frames(page)
    login_citizen(page, "Nora", next_path="/helsekort")
    expect(page.locator("#timeline li").first).to_be_visible()
    titles = page.locator("#timeline li h3").all_inner_texts()
    nora_token = _token(page)
    _log_out(page)
    if keep_token:
        page.evaluate(f"sessionStorage.setItem('token', {nora_token!r})")

    frames.mark()
    login_citizen(page, "Jon", next_path="/hjem")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jon")
    seen = frames.since_mark()
    assert "Nora" not in seen
    assert not [title for title in titles if title and title in seen]
    with sqlite3.connect(str(server.database_path)) as con:
        nora, jon = (con.execute("SELECT nin FROM person WHERE given_name = ?",
                                 (name,)).fetchone()[0] for name in ("Nora", "Jon"))
        read = con.execute("SELECT COUNT(*) FROM access_log WHERE actor_pid = ? AND "
                           "subject_pid = ?", (jon, nora)).fetchone()[0]
    assert read == 0


def test_the_session_ended_page_names_nobody_and_offers_a_new_login_back(page: Page):
    page.goto("/auth/session-ended?next=/personell/uke")
    expect(page.get_by_role("heading", level=1)).to_have_text("Økten er avsluttet")
    again = page.get_by_role("link", name="Logg inn igjen")
    assert again.get_attribute("href") == "/auth/personnel/login?next=%2Fpersonell%2Fuke"
    assert _token(page) is None
    assert_accessible(page)
    page.goto("/auth/session-ended?next=https://evil.example/")
    assert again.get_attribute("href") == "/auth/login?next=%2Fhjem"
