"""WCAG 1.4.4 and 1.4.10 on a phone: with the text at 200 % every page still fits the
390 px screen without sideways scrolling, and nothing in it is cut off or hidden."""

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app

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


# Every label of the bottom navigation on one line (a word broken as "Helsek/ort" is two).
NAV_LABEL_LINES = """() => [...document.querySelectorAll('.nav-item span:not(.nav-icon)')]
  .map(span => {
  const range = document.createRange();
  range.selectNodeContents(span);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return [span.textContent, lines.size];
})"""


def _box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")


def _overlap(a: dict, b: dict) -> bool:
    return (a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1
            and a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1)


def test_bottom_bar_keeps_words_whole_and_the_page_end_uncovered(page: Page):
    login_citizen(page, "Nora")
    page.get_by_role("heading", level=1).first.wait_for()
    expect(page.locator(".bottom-nav")).to_contain_text("Helsekort")
    height = page.evaluate("window.innerHeight")
    assert abs(_box(page, ".bottom-nav")["bottom"] - height) <= 1, "the bar is not at hand"
    _at_200_percent(page)
    # Two rows tall now, it waits at the end of the page instead of hiding a third of it.
    assert _box(page, ".bottom-nav")["top"] >= height - 1, "the bar covers the screen"
    for label, lines in page.evaluate(NAV_LABEL_LINES):
        assert lines == 1, f"'{label}' breaks over {lines} lines at 200 % text"
    # Scrolled to the end, the last link of the page is above the bar, not under it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    footer, nav = _box(page, ".site-footer a"), _box(page, ".bottom-nav")
    assert footer["bottom"] <= nav["top"] + 1, (footer, nav)


CHART_LABEL_HEIGHT = """() => Math.max(...[...document.querySelectorAll('#chart-sf svg text')]
  .map(t => t.getBoundingClientRect().height))"""


def test_chart_labels_grow_with_the_text(page: Page):
    login_citizen(page, "Nora")
    page.get_by_role("link", name="Helsekort").first.click()
    expect(page.locator("#chart-sf svg")).to_be_visible()
    normal = page.evaluate(CHART_LABEL_HEIGHT)
    _at_200_percent(page)
    large = page.evaluate(CHART_LABEL_HEIGHT)
    assert large >= 1.8 * normal, f"axis labels {normal:.1f} px → {large:.1f} px at 200 %"
    # The chart now scrolls sideways in its own box, which a keyboard can reach.
    box = page.locator("#chart-sf .chart-box")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    box.focus()
    expect(box).to_be_focused()
    assert_accessible(page)


def test_sticky_confirm_never_covers_the_note_field(page: Page):
    login_citizen(page, "Mia")
    page.locator("#book-card").click()
    page.locator("#free-times .time-btn").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    _at_200_percent(page)
    note = page.locator("#note")
    note.focus()
    note.type("Lurer på noe")
    page.wait_for_timeout(100)
    field, height = _box(page, "#note"), page.evaluate("window.innerHeight")
    assert field["bottom"] <= height + 1, "the note field is below the screen"
    for cover in ("#confirm", ".bottom-nav"):
        assert not _overlap(field, _box(page, cover)), f"{cover} covers the note field"
    # Nothing is booked: back to the times.
    page.get_by_role("button", name="Velg en annen tid").click()
