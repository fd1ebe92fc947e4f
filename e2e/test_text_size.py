"""WCAG 1.4.4 and 1.4.10 on a phone: with the text at 200 % every page still fits the
390 px screen without sideways scrolling, and nothing in it is cut off or hidden."""

import pytest
from playwright.sync_api import Page

from e2e.helpers import login_citizen, login_personnel, wait_for_app

# Elements wider than the screen, or whose text is clipped by overflow: hidden.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.position === 'fixed' && box.right <= width + 1) continue;
    const skip = '.chart-box, .visually-hidden, [aria-hidden="true"], table, .data-table';
    if (el.closest(skip)) continue;
    // Text running out of its own box (a long word), visible or clipped.
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const clipped = ownText && style.display !== 'inline'
        && el.scrollWidth > el.clientWidth + 1;
    if (box.right > width + 1 || box.left < -1 || clipped) {
      bad.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: ` +
               `${Math.round(box.left)}..${Math.round(box.right)} of ${width}` +
               (clipped ? ' (clipped)' : ''));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, bad: bad.slice(0, 8)};
}"""


def _at_200_percent(page: Page) -> None:
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.wait_for_timeout(150)  # one layout pass


def _assert_reflows(page: Page, where: str) -> None:
    _at_200_percent(page)
    result = page.evaluate(OVERFLOW_SCRIPT)
    assert result["scroll"] <= result["width"] + 1, f"{where}: sideways scroll {result}"
    assert not result["bad"], f"{where}: {result['bad']}"


CITIZEN_PAGES = [
    ("Ida", ["/hjem", "/bestill", "/timer", "/innsyn"]),
    ("Nora", ["/hjem", "/helsekort", "/helsekort/del", "/bestill?svangerskap=1", "/timer"]),
]


@pytest.mark.parametrize("given,paths", CITIZEN_PAGES, ids=[g for g, _ in CITIZEN_PAGES])
def test_citizen_pages_reflow_at_200_percent_text(page: Page, given: str, paths: list[str]):
    page.goto("/")
    wait_for_app(page)
    _assert_reflows(page, "/")
    login_citizen(page, given)
    for path in paths:
        page.goto(path)
        wait_for_app(page)
        page.get_by_role("heading", level=1).first.wait_for()
        _assert_reflows(page, f"{given} {path}")


PERSONNEL_PAGES = [
    ("Kari", ["/personell", "/personell/timeplan", "/personell/uke"]),
    ("Lise", ["/personell/gravide", "/personell", "/personell/timeplan", "/personell/uke"]),
]


@pytest.mark.parametrize("given,paths", PERSONNEL_PAGES, ids=[g for g, _ in PERSONNEL_PAGES])
def test_personnel_pages_reflow_at_200_percent_text(page: Page, given: str, paths: list[str]):
    login_personnel(page, given, next_path=paths[0])
    for path in paths:
        page.goto(path)
        wait_for_app(page)
        page.get_by_role("heading", level=1).first.wait_for()
        _assert_reflows(page, f"{given} {path}")
