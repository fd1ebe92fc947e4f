"""Ønsker for fødselen on a phone: Nora writes her wishes from her card, saves, and prints
them; a field too long is marked and nothing is lost; her midwife Lise reads them on Nora's
card. axe finds nothing on either page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import new_phone
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def test_nora_writes_her_wishes_and_lise_reads_them(page: Page, browser: Browser,
                                                     base_url: str):
    login_citizen(page, "Nora", next_path="/helsekort")
    expect(page.locator("#ga-today")).to_be_visible()
    page.locator("#birth-plan-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ønsker for fødselen")
    wait_for_app(page)
    expect(page.locator("#birth-who")).to_contain_text("Jordmoren og legen din ser")
    assert_accessible(page)

    page.get_by_label("Bad, massasje, akupunktur eller sterilt vann").check()
    page.get_by_label("Lystgass").check()
    page.get_by_label("Hvem vil du ha med deg?").fill("Jon, kjæresten min")
    page.get_by_label("Hvilket språk vil du snakke?").fill("Norsk og polsk")
    page.get_by_label("Er det noe du gruer deg til eller er redd for?").fill("x" * 1000)
    page.get_by_label("Jeg vil amme").check()
    # A field past its length cannot be typed (maxlength); the server's check stands behind it.
    page.locator("#birth-fears").evaluate("el => { el.removeAttribute('maxlength');"
                                          " el.value = el.value + 'yy'; }")
    page.locator("#birth-save").click()
    expect(page.locator("#birth-fears-error")).to_have_text("Teksten er for lang.")
    expect(page.locator("#birth-fears")).to_be_focused()
    expect(page.get_by_label("Hvem vil du ha med deg?")).to_have_value("Jon, kjæresten min")

    page.locator("#birth-fears").fill("Jeg er redd for å miste kontrollen.")
    page.locator("#birth-save").click()
    expect(page.locator("#birth-status")).to_have_text("Lagret. Jordmoren din kan lese det nå.")
    expect(page.locator("#birth-fears-error")).to_have_count(0)
    page.locator("main").screenshot(path="e2e/artifacts/birth_plan_form.png")
    assert_accessible(page)

    # Printed, it is her answers under their questions (the form is not printed).
    page.emulate_media(media="print")
    expect(page.locator(".plan-list")).to_contain_text("Lystgass")
    expect(page.locator("#birth-form")).to_be_hidden()
    page.emulate_media(media="screen")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.locator("#birth-print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    # After a reload the saved answers are in the form again.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_label("Lystgass")).to_be_checked()
    expect(page.get_by_label("Hvilket språk vil du snakke?")).to_have_value("Norsk og polsk")

    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    plan = lise.locator("#carer-birth-plan")
    expect(plan).to_contain_text("Jon, kjæresten min")
    expect(plan).to_contain_text("Jeg vil amme")
    expect(plan).to_contain_text("Bad, massasje, akupunktur eller sterilt vann, Lystgass")
    plan.screenshot(path="e2e/artifacts/birth_plan_carer.png")
    assert_accessible(lise)
    lise.context.close()
