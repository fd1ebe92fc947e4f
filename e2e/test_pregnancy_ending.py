"""When a pregnancy ends, on a phone (issue #20): Lise opens a card for Hanne, the test
pregnancy (Nora's seeded card stays as it is); Hanne books her next consultation; Lise
records a miscarriage after the confirmation step, which says the booking goes; from then
Hanne's card has no week, no countdown, no schedule and nothing to book, her home screen no
longer greets her with her week, the booking is gone without a "cancelled" notice, no
reminder waits for it, and she can still read and print her card. axe on every page."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import new_phone, today
from e2e.card_steps import open_card
from e2e.helpers import assert_accessible, login_citizen, login_personnel, pid_of, wait_for_app

SHOTS = "e2e/artifacts"


pytestmark = pytest.mark.usefixtures("hanne_as_seeded")  # Hanne as seeded, after too


def _pending_messages(database: str, pid: str) -> list[str]:
    with sqlite3.connect(database) as db:
        return [key for (key,) in db.execute(
            "SELECT dedupe_key FROM outbox WHERE recipient_pid = ? AND status = 'pending' "
            "AND dedupe_key LIKE 'booking:%'", (pid,))]


def _book_next(hanne: Page) -> str:
    """From her card: the next check-up, the first free time, confirmed. Its label."""
    hanne.goto("/helsekort")
    wait_for_app(hanne)
    hanne.locator("#book-consultation").click()
    first_time = hanne.locator("#free-times .time-btn").first
    expect(first_time).to_be_visible()
    chosen = first_time.get_attribute("aria-label")
    first_time.click()
    hanne.locator("#confirm").click()
    expect(hanne.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    return chosen or ""


def test_an_ending_stops_the_countdown_the_schedule_and_the_reminders(
        page: Page, browser: Browser, base_url: str, server):
    hanne_pid = pid_of(page, "Hanne")
    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    open_card(lise, hanne_pid, in_person=True, weeks=12)
    expect(lise.get_by_role("heading", level=1)).to_have_text("Hanne Moe")

    # Hanne, pregnant: her week on the home screen and the card, and a check-up to book.
    login_citizen(page, "Hanne")
    expect(page.locator("#card-link")).to_contain_text(re.compile(r"Uke \d+|uke \d+"))
    chosen = _book_next(page)
    assert _pending_messages(str(server.database_path), hanne_pid), "a confirmation waits"

    # Lise records the ending: a miscarriage yesterday; the confirmation says what goes.
    lise.locator("#record-ending").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Svangerskapet er avsluttet")
    wait_for_app(lise)
    assert_accessible(lise)
    lise.get_by_label("Spontanabort").check()
    lise.get_by_label("Dato").fill((today() - dt.timedelta(days=1)).isoformat())
    lise.locator("#ending-next").click()
    expect(lise.locator("#confirm-line")).to_contain_text("Spontanabort")
    expect(lise.locator("#confirm-cancels")).to_contain_text("1")
    lise.locator("main").screenshot(path=f"{SHOTS}/ending_confirm.png")
    assert_accessible(lise)
    lise.locator("#ending-confirm").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Hanne Moe")
    expect(lise.locator("#ending")).to_contain_text("Svangerskapet ble avsluttet")
    expect(lise.locator("#ga-today")).to_have_count(0)
    lise.context.close()

    # Her card: the day it ended, gently; no week, no countdown, no schedule, no booking.
    page.goto("/helsekort")
    wait_for_app(page)
    ending = page.locator("#ending")
    expect(ending).to_contain_text("Svangerskapet ble avsluttet")
    expect(page.locator("#ending-support")).to_be_visible()
    for gone in ("#ga-today", "#due-date", "#next-consultation", "#schedule", "#book-next"):
        expect(page.locator(gone)).to_have_count(0)
    page.locator("main").screenshot(path=f"{SHOTS}/ending_card.png")
    assert_accessible(page)
    # She can still print it: the ending is on the paper, the print button is there.
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    page.emulate_media(media="print")
    expect(ending).to_be_visible()
    page.emulate_media(media="screen")

    # Home: no week, no check-up to book, no "cancelled" notice for the booking that went.
    page.goto("/hjem")
    wait_for_app(page)
    expect(page.locator("#card-link")).not_to_contain_text(re.compile(r"[Uu]ke \d+"))
    expect(page.locator("#next-checkup")).to_have_count(0)
    expect(page.locator("#changes")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(chosen.split(" kl. ")[1])
    page.locator("main").screenshot(path=f"{SHOTS}/ending_home.png")
    assert_accessible(page)
    # And nothing more is sent about it: no confirmation or reminder waits for the booking.
    assert _pending_messages(str(server.database_path), hanne_pid) == []
