"""Personnel pages and menus follow the role: a school nurse never meets the midwife's
pages (and the reverse for a GP) as a half-loaded page or a form that refuses her, only a
plain page that says whom it is for and leads to her own start."""

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, at_path, login_personnel, wait_for_app

CARD_PAGES = ["/personell/gravide", "/personell/helsekort", "/personell/helsekort/prove",
              "/personell/helsekort/svangerskap"]
SCHEDULE_PAGES = ["/personell/timeplan", "/personell/uke"]


def _refused(page: Page, path: str, for_whom: str) -> None:
    page.goto(path)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Denne siden er ikke for deg")
    expect(page.locator("#wrong-role")).to_contain_text(for_whom)
    expect(page.get_by_role("status").filter(has_text="Henter")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page)


def _menu(page: Page) -> list[str]:
    return page.get_by_role("navigation", name="Meny for helsepersonell") \
        .get_by_role("link").all_inner_texts()


@pytest.mark.parametrize("nurse", ["Kari", "Anders"])
def test_a_school_nurse_meets_no_midwife_page(page: Page, nurse: str):
    login_personnel(page, nurse)
    expect(page.locator("#day-title")).to_be_visible()
    assert _menu(page) == ["I dag", "Min timeplan", "Uke", "Meldinger", "Aktivering"]
    for path in CARD_PAGES:
        _refused(page, path, "for jordmødre og fastleger")
        assert "Mine gravide" not in _menu(page)
    page.get_by_role("link", name="Til startsiden din").click()
    page.wait_for_url(at_path("/personell"))
    expect(page.locator("#day-title")).to_be_visible()


def test_a_gp_meets_no_schedule_page(page: Page):
    login_personnel(page, "Ole", next_path="/personell/gravide")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine gravide")
    assert _menu(page) == ["Mine gravide"]
    for path in SCHEDULE_PAGES:
        _refused(page, path, "for helsesykepleiere og jordmødre")
    page.get_by_role("link", name="Til startsiden din").click()
    page.wait_for_url(at_path("/personell/gravide"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine gravide")
    # His start after login (I dag) is Mine gravide, not a page he cannot use.
    page.goto("/personell")
    page.wait_for_url(at_path("/personell/gravide"))


def test_a_midwife_has_both(page: Page):
    login_personnel(page, "Lise")
    expect(page.locator("#day-title")).to_be_visible()
    assert _menu(page) == ["I dag", "Min timeplan", "Uke", "Meldinger", "Mine gravide"]
    # Passkey activation is the school and youth-clinic nurses' (issue 14).
    _refused(page, "/personell/aktivering", "for helsesykepleiere i skolehelsetjenesten")
    page.get_by_role("link", name="Mine gravide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine gravide")
    expect(page.locator("#wrong-role")).to_have_count(0)
    page.get_by_role("link", name="Min timeplan").click()
    expect(page.locator("#wrong-role")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Min timeplan")
