"""Her consent to the card, on a phone (issue #20): Lise cannot open a card for Hanne
(pregnant, seeded without a card) before Hanne consents, and is told what to do; Hanne
reads what the card is and consents in the app; Lise opens the card; Hanne withdraws her
consent in two steps, is told what her midwife's journal keeps and why, and the card is
gone. Hanne ends as she was seeded: no card, no standing consent. axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import new_phone
from e2e.card_steps import open_card
from e2e.helpers import assert_accessible, login_citizen, login_personnel, pid_of, wait_for_app

SHOTS = "e2e/artifacts"


pytestmark = pytest.mark.usefixtures("hanne_as_seeded")  # Hanne as seeded, after too


def test_lise_opens_a_card_after_hannes_consent_and_hanne_withdraws_it(
        page: Page, browser: Browser, base_url: str):
    hanne_pid = pid_of(page, "Hanne")

    # Lise first: without Hanne's consent the card is refused, with what to do.
    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    open_card(lise, hanne_pid)
    error = lise.get_by_role("alert")
    expect(error).to_contain_text("Hun har ikke samtykket til helsekort i appen")
    expect(error).to_contain_text("kryss av for at hun samtykket hos deg")
    lise.locator("main").screenshot(path=f"{SHOTS}/consent_carer_refused.png")
    assert_accessible(lise)

    # Hanne reads what the card is and consents, from her home screen.
    login_citizen(page, "Hanne")
    page.locator("#consent-home-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helsekort for gravide i appen")
    wait_for_app(page)
    expect(page.get_by_role("main")).to_contain_text("Jordmoren og fastlegen din")
    page.locator("main").screenshot(path=f"{SHOTS}/consent_ask.png")
    assert_accessible(page)
    page.locator("#consent-give").click()
    expect(page.locator("#consent-status")).to_contain_text("Du har samtykket")
    expect(page.locator("#consent-line")).to_contain_text("Du samtykket i appen")
    assert_accessible(page)

    # Now Lise opens it (no box to tick: Hanne consented in the app).
    open_card(lise, hanne_pid)
    expect(lise.get_by_role("heading", level=1)).to_have_text("Hanne Moe")
    expect(lise.locator("#ga-today")).to_be_visible()
    lise.context.close()

    # Hanne sees her card, and withdraws from it in two steps.
    page.goto("/helsekort")
    wait_for_app(page)
    expect(page.locator("#ga-today")).to_be_visible()
    page.locator("#consent-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helsekort for gravide i appen")
    wait_for_app(page)
    kept = page.locator("#consent-kept-box")
    expect(kept).to_contain_text("helsepersonelloven § 39 og § 40")
    expect(kept).to_contain_text("Den blir ikke slettet")
    page.locator("#withdraw-open").click()
    confirm = page.locator("#withdraw-confirm-box")
    expect(confirm).to_contain_text("det kan ikke angres")
    expect(page.locator("#withdraw-confirm-title")).to_be_focused()
    page.locator("main").screenshot(path=f"{SHOTS}/consent_withdraw_confirm.png")
    assert_accessible(page)
    # "Nei, behold det" keeps everything; the second time she means it.
    page.locator("#withdraw-keep").click()
    expect(confirm).to_have_count(0)
    page.locator("#withdraw-open").click()
    page.locator("#withdraw-confirm").click()
    expect(page.locator("#consent-status")).to_contain_text(
        "Samtykket er trukket, og helsekortet er slettet fra appen.")
    expect(page.locator("#consent-give")).to_be_visible()
    page.locator("main").screenshot(path=f"{SHOTS}/consent_withdrawn.png")
    assert_accessible(page)

    page.goto("/helsekort")
    wait_for_app(page)
    expect(page.get_by_role("alert")).to_contain_text("Det finnes ikke noe helsekort")
    page.goto("/innsyn")
    wait_for_app(page)
    expect(page.get_by_role("main")).to_contain_text("slettet helsekortet fra appen")


def test_lise_records_consent_given_in_person(page: Page, browser: Browser, base_url: str):
    hanne_pid = pid_of(page, "Hanne")
    login_personnel(page, "Lise", next_path="/personell/gravide")
    open_card(page, hanne_pid, in_person=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanne Moe")
    hanne = new_phone(browser, base_url)
    login_citizen(hanne, "Hanne", next_path="/helsekort/samtykke")
    expect(hanne.locator("#consent-line")).to_contain_text("Du samtykket hos Lise Haugen")
    hanne.locator("main").screenshot(path=f"{SHOTS}/consent_in_person.png")
    assert_accessible(hanne)
    hanne.context.close()
