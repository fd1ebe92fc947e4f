"""Every page comes with a Content-Security-Policy that allows only its own inline
scripts (by hash) and our own files; the pages work under it, and the browser reports no
violation while a pupil, a pregnant woman and a nurse use them. No eval() either: what a
server event asks of the browser (a page load, the focus, a reload after a language change)
is data for code in the bundle (digihelse/ui/state/client_actions.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.helpers import login_citizen, login_personnel, wait_for_app


def _violations(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text)
            if "Content Security Policy" in m.text else None)
    return seen


def test_pages_carry_a_strict_policy(page: Page):
    for path in ("/", "/hjem/", "/bestill/", "/finnes-ikke/"):
        response = page.request.get(path)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self' " in policy and "'sha256-" in policy, (path, policy)
        assert "'unsafe-inline'" not in policy.split("script-src")[1], path
        assert "'unsafe-eval'" not in policy, path
        assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


def test_the_journeys_work_under_the_policy(page: Page):
    violations = _violations(page)
    login_citizen(page, "Ida")
    for path in ("/bestill", "/timer", "/innsyn"):
        page.goto(path)
        wait_for_app(page)
    page.get_by_role("link", name="Hjem").first.click()
    expect(page.locator("main#main")).to_be_visible()
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_load_state("networkidle")
    page.goto("/hjem")  # logged out: the page sends her to the login, a real page load
    expect(page).to_have_url(re.compile(r"/auth/login|/idp"))
    login_citizen(page, "Nora", next_path="/helsekort")
    expect(page.locator("#ga-today")).to_be_visible()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Skriv ut").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.goto("/timer")
    wait_for_app(page)
    with page.expect_navigation():  # a language change loads the page again, in nynorsk
        page.get_by_label("Språk").select_option("nn")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    page.get_by_label("Språk").select_option("nb")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_load_state("networkidle")
    login_personnel(page, "Kari")
    page.goto("/personell/timeplan")
    wait_for_app(page)
    expect(page.locator("#holidays")).to_be_visible()
    assert violations == []
