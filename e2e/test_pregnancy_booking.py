"""Nora books her next recommended consultation from the pregnancy card on her phone, and
her midwife Lise finds it in her week and her day, with a way to Nora's card."""

import datetime as dt
import re

from playwright.sync_api import Browser, expect

from e2e.conftest import PHONE
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app

NOTE = "Jeg lurer på fødselsforberedende kurs"
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")


def booked_day(label: str) -> dt.date:
    """The date of "onsdag 25. november kl. 10.00": this year, or next if already past."""
    found = re.search(r"(\d+)\. (\w+)", label)
    assert found, label
    today = dt.date.today()
    day = dt.date(today.year, MONTHS.index(found.group(2)) + 1, int(found.group(1)))
    return day if day >= today - dt.timedelta(days=1) else day.replace(year=today.year + 1)


def test_nora_books_her_next_consultation_and_lise_sees_it(browser: Browser, base_url: str):
    nora = browser.new_context(base_url=base_url, **PHONE).new_page()
    nora.set_default_timeout(20_000)
    login_citizen(nora, "Nora", next_path="/hjem")
    # Home offers the next check-up one tap from booking; the card says more.
    shortcut = nora.locator("#next-checkup")
    expect(shortcut).to_contain_text(re.compile(r"Neste kontroll: Uke \d+"))
    expect(shortcut).to_contain_text("Bestill time")
    assert_accessible(nora)
    nora.goto("/helsekort")
    wait_for_app(nora)
    box = nora.locator("#book-next")
    expect(box).to_contain_text(re.compile(r"Neste kontroll: Uke \d+"))
    expect(box).to_contain_text("Anbefalt mellom")
    expect(box).to_contain_text("Hos jordmor Lise Haugen, Fjordvik helsestasjon.")
    assert_accessible(nora)

    nora.get_by_role("link", name="Bestill time").click()
    expect(nora.get_by_role("heading", level=1)).to_contain_text("Bestill time: Uke")
    expect(nora.locator("#visit-window")).to_contain_text("Anbefalt mellom")
    expect(nora.get_by_text("Jordmor Lise Haugen").first).to_be_visible()
    first_time = nora.locator("#free-times .time-btn").first
    expect(first_time).to_be_visible()
    assert_accessible(nora)
    chosen = first_time.get_attribute("aria-label")  # "onsdag 25. november kl. 10.00"
    first_time.click()

    expect(nora.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    expect(nora.locator("#private-line")).to_have_text(
        "Bare du og jordmoren din ser denne timen.")
    expect(nora.get_by_text("Vil du si noe om hva det gjelder?")).to_have_count(0)
    nora.get_by_label("Noe du vil ta opp? (valgfritt)").fill(NOTE)
    assert_accessible(nora)
    nora.locator("#confirm").click()
    expect(nora.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    expect(nora.locator("#booked")).to_contain_text(chosen)
    assert_accessible(nora)

    nora.locator("#back-to-card").click()
    expect(nora.locator("#booked-time")).to_have_text(f"Du har time {chosen}.")
    expect(nora.get_by_role("link", name="Bestill time")).to_have_count(0)
    expect(nora.get_by_role("link", name="Endre eller avbestill")).to_be_visible()
    assert_accessible(nora)
    nora.goto("/hjem")
    wait_for_app(nora)
    expect(nora.locator("#next-appointments")).to_contain_text(chosen.split(" kl. ")[1])
    expect(nora.locator("#next-checkup")).to_have_count(0)
    nora.goto("/helsekort")
    wait_for_app(nora)
    nora.get_by_role("link", name="Endre eller avbestill").click()
    upcoming = nora.locator("#upcoming li").first
    expect(upcoming).to_contain_text("Lise Haugen")
    expect(upcoming).to_contain_text("Bare du og jordmoren din ser denne timen.")
    assert_accessible(nora)
    nora.context.close()

    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    lise.set_default_timeout(20_000)
    day = booked_day(chosen)
    monday = day - dt.timedelta(days=day.weekday())
    login_personnel(lise, "Lise", next_path="/personell/uke")
    lise.goto(f"/personell/uke?uke={monday.isoformat()}")
    wait_for_app(lise)
    expect(lise.get_by_role("navigation", name="Meny for helsepersonell")).to_contain_text(
        "Mine gravide")
    week_day = lise.locator(f"#day-{day.isoformat()}")
    expect(week_day).to_contain_text("Nora Lie")
    expect(week_day).to_contain_text(chosen.split(" kl. ")[1])
    assert_accessible(lise)

    week_day.locator("a.day-link").click()
    booking = lise.locator("#day-list li.slot-booked", has_text="Nora Lie")
    expect(booking).to_contain_text(re.compile(r"Uke \d+"))
    expect(booking).to_contain_text("Hun skrev")
    expect(booking).to_contain_text(NOTE)
    assert_accessible(lise)
    booking.get_by_role("button", name="Åpne helsekortet – Nora Lie").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    lise.context.close()
