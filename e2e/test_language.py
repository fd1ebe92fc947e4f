"""Changing the language on a page with text made on the server (the week of pregnancy,
dates): the page shows it in the new language at once, and what the user has typed into
a form is never thrown away for it."""

from playwright.sync_api import Page, expect

from e2e.helpers import login_citizen, wait_for_app


def test_the_card_follows_a_language_change_at_once(page: Page):
    login_citizen(page, "Nora", "/helsekort")
    expect(page.locator("#ga-today")).to_have_text("uke 27+3 i dag")
    page.get_by_label("Språk").select_option("en")
    expect(page.locator("#ga-today")).to_have_text("week 27+3 today")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pregnancy health card")
    page.get_by_label("Language").select_option("nn")
    expect(page.locator("#ga-today")).to_have_text("veke 27+3 i dag")
    page.get_by_label("Språk").select_option("nb")
    expect(page.locator("#ga-today")).to_have_text("uke 27+3 i dag")


def test_typed_text_is_kept_when_the_language_changes(page: Page):
    login_citizen(page, "Nora", "/helsekort/del")
    wait_for_app(page)
    field = page.locator("#share-nin")
    field.fill("123456")
    page.get_by_label("Språk").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_timeout(500)  # a reload would have emptied the field by now
    expect(field).to_have_value("123456")
    page.get_by_label("Language").select_option("nb")


def test_the_booking_flow_keeps_its_place_when_the_language_changes(page: Page):
    """Ida has chosen a time; switching to English words the screen again, and she is
    still on the confirm screen with what she wrote."""
    login_citizen(page, "Ida", "/bestill")
    wait_for_app(page)
    first = page.locator("#free-times .time-btn").first
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    when_nb = page.locator(".when").inner_text()
    page.locator("#note").fill("Noe om søvn")
    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the appointment")
    expect(page.locator(".when")).not_to_have_text(when_nb)  # "Tuesday 25 November at …"
    expect(page.locator(".when")).to_contain_text(" at ")
    expect(page.locator("#note")).to_have_value("Noe om søvn")
    page.get_by_label("Language").select_option("nb")
    expect(page.locator(".when")).to_have_text(when_nb)
