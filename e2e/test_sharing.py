"""Del med partner on a phone: Nora gives Jon a view of her card and hides part of it, Jon
switches to her and sees the card without it, Nora takes the view back and it stops."""

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE
from e2e.helpers import act_for, assert_accessible, at_path, login_citizen, pid_of, wait_for_app

# Set SHARING_SHOTS=/some/dir to keep phone screenshots of each step (for review).
SHOTS = os.environ.get("SHARING_SHOTS")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _new_page(browser: Browser, base_url: str) -> Page:
    return browser.new_context(base_url=base_url, **PHONE).new_page()


def test_nora_shares_her_card_with_jon_and_takes_it_back(browser: Browser, base_url: str):
    nora = _new_page(browser, base_url)
    login_citizen(nora, "Nora", next_path="/helsekort")
    # She hides one check-up on the card itself; Jon must not see it.
    first = nora.locator("#timeline li").first
    hidden_title = first.locator("h3").inner_text()
    first.get_by_role("button", name="Skjul for dem med fullmakt").click()
    expect(nora.locator("#timeline li").first).to_contain_text("Skjult for dem med fullmakt")

    nora.get_by_role("link", name="Del med partner").click()
    nora.wait_for_url(at_path("/helsekort/del"))
    expect(nora.get_by_role("heading", level=1)).to_have_text("Del med partner")
    expect(nora.locator("#shared-with-none")).to_be_visible()
    expect(nora.locator("#share-explain")).to_contain_text("ikke endre")
    _shot(nora, "1-empty")
    assert_accessible(nora)

    # A typo: a clear message by the field, and what she typed stays.
    jon_pid = pid_of(nora, "Jon")
    typo = jon_pid[:-1] + str((int(jon_pid[-1]) + 1) % 10)
    number = nora.get_by_label("Partnerens fødselsnummer (11 siffer)")
    number.fill(typo)
    nora.get_by_role("button", name="Gi tilgang").click()
    expect(nora.locator("#share-nin-error")).to_contain_text("ikke gyldig")
    expect(number).to_have_value(typo)
    expect(number).to_have_attribute("aria-invalid", "true")
    _shot(nora, "2-error")
    assert_accessible(nora)

    # The right number: first she sees to whom, and nothing is given yet.
    number.fill(jon_pid)
    nora.get_by_role("button", name="Gi tilgang").click()
    check_title = nora.locator("#share-check-title")
    expect(check_title).to_have_text(re.compile(r"Du gir Jon Lie \(født \d{4}\) tilgang"))
    expect(check_title).to_be_focused()
    expect(nora.locator("#share-check")).to_contain_text("ser ikke dine egne notater")
    expect(nora.locator("#shared-with-none")).to_be_visible()
    _shot(nora, "2b-check")
    assert_accessible(nora)
    # Avbryt gives nothing, and the number she typed stays.
    nora.get_by_role("button", name="Avbryt").click()
    expect(nora.locator("#share-check")).to_have_count(0)
    expect(number).to_have_value(jon_pid)
    expect(number).to_be_focused()
    expect(nora.locator("#shared-with-none")).to_be_visible()
    # Again, and Bekreft gives it.
    nora.get_by_role("button", name="Gi tilgang").click()
    expect(check_title).to_contain_text("Jon Lie")
    nora.get_by_role("button", name="Bekreft").click()
    expect(nora.locator("#sharing-message")).to_contain_text("Jon Lie kan nå se helsekortet")
    expect(nora.locator("#shared-with")).to_contain_text("Jon Lie")
    expect(number).to_have_value("")

    # She hides a whole section too.
    lifestyle = nora.locator("#hidden-sections").get_by_label("Levevaner")
    lifestyle.click()  # a controlled checkbox: checked once the server has saved it
    expect(nora.locator("#hide-status")).to_have_text("Lagret.")
    expect(lifestyle).to_be_checked()
    _shot(nora, "3-shared")
    assert_accessible(nora)
    nora.get_by_role("button", name="Logg ut").click()
    nora.wait_for_load_state("networkidle")
    nora.context.close()

    # Jon sees Nora in the switcher, and her card to view only, without what she hid.
    jon = _new_page(browser, base_url)
    login_citizen(jon, "Jon")
    act_for(jon, "Nora")
    expect(jon.locator("#acting-explain")).to_contain_text("Nora")
    jon.get_by_role("link", name="Helsekort").first.click()
    expect(jon.get_by_role("heading", level=1)).to_have_text("Helsekort for gravide")
    expect(jon.locator("#ga-today")).to_be_visible()
    expect(jon.locator("#timeline")).not_to_contain_text(hidden_title)
    # The sections she hid are not there; the others are, and her test results.
    expect(jon.locator("#section-lifestyle")).to_have_count(0)
    expect(jon.locator("#section-previous_pregnancies")).to_have_count(0)  # hidden by default
    expect(jon.locator("#section-before_pregnancy")).to_be_visible()
    expect(jon.locator("#lab-results")).to_contain_text("Blodtype")
    expect(jon.locator("#notes")).to_have_count(0)
    expect(jon.locator("#share-link")).to_have_count(0)
    expect(jon.get_by_label("Skriv et spørsmål eller notat til neste kontroll")).to_have_count(0)
    expect(jon.get_by_role("button", name="Skjul for dem med fullmakt")).to_have_count(0)
    _shot(jon, "4-partner-card")
    assert_accessible(jon)
    # Sharing is hers alone: acting for her he gets the friendly refusal.
    jon.goto("/helsekort/del")
    wait_for_app(jon)
    expect(jon.get_by_role("alert")).to_contain_text("Bare den helsekortet tilhører")
    expect(jon.locator("#give-form")).to_have_count(0)
    _shot(jon, "4b-partner-refused")
    assert_accessible(jon)

    # Nora takes it back, with a confirm step.
    nora = _new_page(browser, base_url)
    login_citizen(nora, "Nora", next_path="/helsekort/del")
    nora.get_by_role("button", name="Fjern tilgangen til Jon Lie").click()
    expect(nora.locator(".confirm-box")).to_contain_text("Vil du fjerne tilgangen til Jon Lie?")
    _shot(nora, "5-confirm")
    assert_accessible(nora)
    nora.get_by_role("button", name="Ja, fjern tilgangen").click()
    expect(nora.locator("#sharing-message")).to_contain_text("Jon Lie kan ikke lenger")
    expect(nora.locator("#shared-with-none")).to_be_visible()
    assert_accessible(nora)

    # At once: Jon's next page load no longer shows her card, nor her in the switcher.
    jon.goto("/helsekort")
    wait_for_app(jon)
    expect(jon.get_by_role("alert")).to_be_visible()
    expect(jon.locator("#ga-today")).to_have_count(0)
    expect(jon.locator("main")).not_to_contain_text("uke 27")
    options = jon.locator("#acting-select option, #acting-for")
    for text in options.all_inner_texts():
        assert not text.startswith("Nora")
    _shot(jon, "6-partner-after-revoke")
    # Both are in his own access log ("Innsyn"), with her name.
    jon.goto("/innsyn")
    wait_for_app(jon)
    expect(jon.locator("#access-log")).to_contain_text("Nora Lie ga deg tilgang til helsekortet")
    expect(jon.locator("#access-log")).to_contain_text(
        "Nora Lie tok tilbake tilgangen din til helsekortet")
    for page in (nora, jon):
        page.context.close()
