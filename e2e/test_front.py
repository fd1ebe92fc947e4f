"""The front page in each language, its accessibility, and /healthz."""

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, wait_for_app

TITLES = {
    "nb": "Helsestasjonen og helsesykepleieren på mobilen",
    "nn": "Helsestasjonen og helsesjukepleiaren på mobilen",
    "en": "Your health station and school nurse, on your phone",
}
LOGIN = {"nb": "Logg inn", "nn": "Logg inn", "en": "Log in"}


def test_front_page_is_bokmal_by_default(page: Page):
    page.goto("/")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["nb"])
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("link", name="Logg inn", exact=True)).to_be_visible()
    page.get_by_role("link", name="Logg inn", exact=True).click()
    page.wait_for_url("**/idp/authorize**")
    expect(page.get_by_text("TEST-innlogging").first).to_be_visible()


@pytest.mark.parametrize("lang", ["nn", "en", "nb"])
def test_front_page_in_each_language(page: Page, lang: str):
    page.goto("/")
    wait_for_app(page)
    page.get_by_label("Språk").select_option(lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#login")).to_have_text(LOGIN[lang])
    # The choice is remembered on the next visit.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_front_page_fits_a_phone_and_has_landmarks(page: Page):
    page.goto("/")
    wait_for_app(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px wide)"
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    # The skip link is the first thing a keyboard reaches, and it leads to main.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_front_page_has_no_serious_accessibility_violations(page: Page, lang: str):
    page.goto("/")
    wait_for_app(page)
    page.get_by_label("Språk").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)


def test_healthz_answers_with_json(base_url: str):
    with urllib.request.urlopen(f"{base_url}/healthz") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.read())["status"] == "ok"


def test_accessibility_statement_is_one_tap_from_the_front_page(page: Page):
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("link", name="Tilgjengelighetserklæring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgjengelighetserklæring")
    expect(page.get_by_text("WCAG 2.1")).to_be_visible()
    assert_accessible(page)


def test_the_app_works_when_opened_on_127_0_0_1(page: Page, base_url: str):
    """Locally both loopback names work: 127.0.0.1 goes to the public URL (localhost), whose
    websocket answers, so the page does not hang on its loading text."""
    other = base_url.replace("//localhost:", "//127.0.0.1:")
    page.goto(f"{other}/?x=1")
    assert page.url == f"{base_url}/?x=1"
    wait_for_app(page)
    page.get_by_label("Språk").select_option("en")  # an event: the websocket answers
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["en"])


@pytest.mark.parametrize("lang,title,home", [("nb", "Fant ikke siden", "Til start"),
                                             ("en", "Page not found", "Back to the start")])
def test_an_unknown_address_says_so_in_her_language_with_a_way_home(page: Page, lang, title,
                                                                     home):
    page.goto("/")
    wait_for_app(page)
    page.get_by_label("Språk").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.goto("/finnes-ikke")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name=home).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
