"""The due date as the hospital gave it, on a phone (issue #20): Lise types the due date from
the hospital's scan report and the BPD beside it; the card keeps the hospital's date, Lise
sees the app's own computation marked as a cross-check, and Hanne (the test pregnancy) sees
only the hospital's date. axe on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from e2e.booking_steps import new_phone, today
from e2e.card_steps import open_card
from e2e.helpers import assert_accessible, login_citizen, login_personnel, pid_of, wait_for_app

SHOTS = "e2e/artifacts"
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")


pytestmark = pytest.mark.usefixtures("hanne_as_seeded")  # Hanne as seeded, after too


def _long(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def test_the_hospitals_due_date_stands_and_the_apps_is_a_cross_check(page: Page, browser,
                                                                      base_url: str):
    hanne_pid = pid_of(page, "Hanne")
    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    open_card(lise, hanne_pid, in_person=True, weeks=20)
    expect(lise.get_by_role("heading", level=1)).to_have_text("Hanne Moe")

    # The routine scan a week ago: the hospital's due date, and the BPD it measured.
    hospital_due = today() + dt.timedelta(days=134)
    lise.locator("#edit-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Svangerskapet og bakgrunn")
    wait_for_app(lise)
    expect(lise.get_by_text("appen regner da ut en termin til kontroll")).to_be_visible()
    lise.get_by_label("Termin fra sykehuset (ultralydrapporten)").fill(hospital_due.isoformat())
    lise.get_by_label("BPD (uke 12–22)").check()
    lise.get_by_label("Dato for ultralyd").fill((today() - dt.timedelta(days=7)).isoformat())
    lise.get_by_label("Mål (mm)").fill("44")
    lise.get_by_label("Hvorfor endres dette?").fill("Rutineultralyd")
    lise.locator("#save-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Hanne Moe")
    expect(lise.locator("#due-date")).to_contain_text(_long(hospital_due))
    check = lise.locator("#cross-check")
    expect(check).to_contain_text("Appens beregning, bare til kontroll: termin")
    expect(check).to_contain_text("sykehusets termin")
    lise.locator(".overview").screenshot(path=f"{SHOTS}/due_date_cross_check.png")
    assert_accessible(lise)
    lise.context.close()

    # Hanne: the hospital's date, and no second one.
    login_citizen(page, "Hanne", next_path="/helsekort")
    wait_for_app(page)
    expect(page.locator("#due-date")).to_contain_text(_long(hospital_due))
    expect(page.locator("#cross-check")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Appens beregning")
    assert_accessible(page)
