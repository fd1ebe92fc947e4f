"""Earlier-time offers on a phone (issue #19): Ida books Thursday and asks to hear of an
earlier time; Emil cancels his Tuesday; Ida is offered Tuesday on /timer, takes it, and her
booking is Tuesday; Thursday is then offered on to Mia, who waits behind her. The nurse's
week says how many wait. A chosen time is held: another pupil cannot take it meanwhile."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import long_day, new_phone, school_day, tap_time, time_label, today
from e2e.conftest import ARTIFACTS
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app

PUPILS = ("Ida", "Emil", "Mia", "Sara")


def _cancel_upcoming(database: str) -> None:
    """The journeys share one server: what other journeys left booked for these pupils
    would count against their limit of upcoming times, and against the order of waiting.
    Cancelled as the pupil would (the seeded demo bookings stay)."""
    now = dt.datetime.now(dt.UTC)
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT booking.id, slot.start_at FROM booking JOIN slot ON slot.id = "
            "booking.slot_id JOIN person ON person.id = booking.person_id WHERE "
            "person.given_name IN (?, ?, ?, ?) AND booking.status = "
            "'booked' AND booking.client_key NOT LIKE 'demo-%'", PUPILS).fetchall()
        ids = [i for i, start in rows
               if dt.datetime.fromisoformat(str(start)).replace(tzinfo=dt.UTC) > now]
        db.executemany("UPDATE booking SET status = 'cancelled', cancelled_by = 'pupil', "
                       "cancelled_at = ?, updated_at = ? WHERE id = ?",
                       [(now.isoformat(" "), now.isoformat(" "), i) for i in ids])


@pytest.fixture(autouse=True)
def pupils_without_upcoming_times(server):
    _cancel_upcoming(str(server.database_path))
    yield
    _cancel_upcoming(str(server.database_path))


def _tuesday_and_thursday() -> tuple[dt.date, dt.date]:
    """The first week from tomorrow whose Tuesday and Thursday are both school days."""
    day = today() + dt.timedelta(days=1)
    while True:
        tuesday = day + dt.timedelta(days=(1 - day.weekday()) % 7)
        thursday = tuesday + dt.timedelta(days=2)
        if school_day(tuesday) == tuesday and school_day(thursday) == thursday:
            return tuesday, thursday
        day = tuesday + dt.timedelta(days=1)


def _choose(page: Page, day: dt.date, clock: str) -> None:
    """/bestill, page on to the day's week, tap the time."""
    page.goto("/bestill")
    wait_for_app(page)
    tap_time(page, day, clock)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft timen")


def _book(page: Page, day: dt.date, clock: str, *, earlier: bool) -> None:
    _choose(page, day, clock)
    expect(page.locator("#held-line")).to_contain_text("Vi holder av timen for deg i 5 minutter")
    if earlier:
        page.get_by_label("Gi meg beskjed om en tidligere time blir ledig").check()
        expect(page.locator("#earlier")).to_be_checked()
        page.screenshot(path=str(ARTIFACTS / "earlier-confirm-step.png"), full_page=True)
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")


def _when(day: dt.date, clock: str) -> str:
    return f"{long_day(day)} kl. {clock}"


def _seen(day: dt.date, clock: str) -> re.Pattern:
    """The time as a page shows it, capitalised or not."""
    return re.compile(re.escape(_when(day, clock)), re.IGNORECASE)


def test_an_earlier_time_is_offered_taken_and_offered_on(browser: Browser, base_url: str,
                                                         server):
    tuesday, thursday = _tuesday_and_thursday()
    ida, emil, mia = (new_phone(browser, base_url) for _ in range(3))
    login_citizen(emil, "Emil")
    _book(emil, tuesday, "13.00", earlier=False)
    login_citizen(ida, "Ida")
    _book(ida, thursday, "13.20", earlier=True)
    assert_accessible(ida)
    login_citizen(mia, "Mia")
    _book(mia, thursday, "13.40", earlier=True)

    # Her wish shows on /timer, with the mornings and weekdays she may narrow it to.
    ida.goto("/timer")
    wait_for_app(ida)
    row = ida.locator("#upcoming li").filter(has_text=_when(thursday, "13.20"))
    expect(row.get_by_label("Gi meg beskjed om en tidligere time blir ledig")).to_be_checked()
    expect(row.get_by_label("Bare formiddager (før kl. 12)")).not_to_be_checked()
    assert_accessible(ida)

    # The nurse sees two waiting on Thursday.
    kari = new_phone(browser, base_url)
    login_personnel(kari, "Kari")
    monday = tuesday - dt.timedelta(days=1)
    kari.goto(f"/personell/uke?uke={monday.isoformat()}")
    wait_for_app(kari)
    expect(kari.locator(f"#day-{thursday.isoformat()}")).to_contain_text(
        "2 venter på en tidligere time")

    # Emil cancels his Tuesday: it is offered to Ida, who asked first.
    emil.goto("/timer")
    wait_for_app(emil)
    emil.locator("#upcoming li").filter(has_text=_when(tuesday, "13.00")).get_by_role(
        "button", name="Avbestill").click()
    emil.get_by_role("button", name="Ja, avbestill").click()
    expect(emil.get_by_role("status")).to_have_text("Timen er avbestilt.")

    ida.goto("/timer")
    wait_for_app(ida)
    offer = ida.locator("#offers li")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text(_seen(tuesday, "13.00"))
    expect(offer).to_contain_text(f"I stedet for timen din {_when(thursday, '13.20')}.")
    expect(offer).to_contain_text("Holdt av for deg til kl.")
    assert_accessible(ida)
    ida.screenshot(path=str(ARTIFACTS / "earlier-offer-ida.png"), full_page=True)
    mia.goto("/timer")
    wait_for_app(mia)
    expect(mia.locator("#offers")).to_have_count(0)  # she is second in line
    # Her home screen says so too (the SMS said only that there is news) and leads here.
    ida.goto("/hjem")
    wait_for_app(ida)
    link = ida.locator("#offers-link")
    expect(link).to_have_text("En tidligere time er ledig for deg – se tilbudet")
    ida.screenshot(path=str(ARTIFACTS / "earlier-offer-home.png"), full_page=True)
    link.click()
    expect(ida).to_have_url(re.compile(r"/timer#offers$"))
    expect(offer).to_have_count(1)

    with sqlite3.connect(server.database_path) as db:
        bodies = [b for (b,) in db.execute("SELECT body FROM outbox WHERE kind = "
                                           "'earlier_offer'")]
    assert bodies == ["En tidligere time er ledig for deg. Logg inn i DigiHelse for å se den."]

    offer.get_by_role("button", name="Ta denne timen").click()
    expect(ida.get_by_role("status")).to_contain_text("Timen din er flyttet til")
    upcoming = ida.locator("#upcoming li")
    expect(upcoming).to_have_count(1)
    expect(upcoming.first).to_contain_text(_seen(tuesday, "13.00"))
    expect(ida.locator("#offers")).to_have_count(0)
    ida.screenshot(path=str(ARTIFACTS / "earlier-offer-accepted.png"), full_page=True)

    # Thursday 13.20 is offered on, to Mia, whose time is later that day.
    mia.goto("/timer")
    wait_for_app(mia)
    expect(mia.locator("#offers li")).to_contain_text(_seen(thursday, "13.20"))
    # The same page in English and nynorsk, at 390 px, axe-clean.
    mia.get_by_label("Språk").select_option("en")
    expect(mia.locator("#offers h2")).to_have_text("An earlier time is free")
    expect(mia.get_by_role("button", name="Take this time")).to_be_visible()
    expect(mia.get_by_label("Tell me if an earlier time comes free")).to_be_checked()
    assert_accessible(mia)
    mia.get_by_label("Language").select_option("nn")
    expect(mia.locator("#offers h2")).to_have_text("Ein tidlegare time er ledig")
    expect(mia.get_by_label("Gi meg beskjed om ein tidlegare time blir ledig")).to_be_checked()
    mia.screenshot(path=str(ARTIFACTS / "earlier-offer-nn.png"), full_page=True)
    mia.get_by_label("Språk").select_option("nb")
    expect(mia.locator("#offers h2")).to_have_text("En tidligere time er ledig")
    mia.locator("#offers li").get_by_role("button", name="Nei takk").click()
    expect(mia.get_by_role("status")).to_contain_text("Du beholder timen din")
    expect(mia.locator("#upcoming li").first).to_contain_text(_seen(thursday, "13.40"))

    kari.reload()
    wait_for_app(kari)
    expect(kari.locator(f"#day-{thursday.isoformat()}")).to_contain_text(
        "1 venter på en tidligere time")
    assert_accessible(kari)
    kari.screenshot(path=str(ARTIFACTS / "earlier-nurse-week.png"), full_page=True)


def test_a_chosen_time_is_held_while_she_confirms(browser: Browser, base_url: str):
    tuesday, _thursday = _tuesday_and_thursday()
    sara, ida = new_phone(browser, base_url), new_phone(browser, base_url)
    login_citizen(sara, "Sara")
    login_citizen(ida, "Ida")
    _choose(sara, tuesday, "10.40")
    ida.goto("/bestill")
    wait_for_app(ida)
    # Held for Sara: not among Ida's free times; back on the list once Sara goes back.
    label = time_label(tuesday, "10.40")
    for _ in range(6):
        if ida.get_by_role("button", name=time_label(tuesday, "10.20"), exact=True).count():
            break
        ida.get_by_role("button", name="Neste uke").click()
        wait_for_app(ida)
    expect(ida.get_by_role("button", name=time_label(tuesday, "10.20"), exact=True)
           ).to_be_visible()
    expect(ida.get_by_role("button", name=label, exact=True)).to_have_count(0)
    sara.get_by_role("button", name="Velg en annen tid").click()
    ida.get_by_role("button", name="Neste uke").click()
    ida.get_by_role("button", name="Forrige uke").click()
    expect(ida.get_by_role("button", name=label, exact=True)).to_be_visible()
    # Sara chooses it again, then leaves for another page: it is let go at once.
    sara.get_by_role("button", name=label, exact=True).click()
    expect(sara.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    ida.get_by_role("button", name="Neste uke").click()
    ida.get_by_role("button", name="Forrige uke").click()
    expect(ida.get_by_role("button", name=label, exact=True)).to_have_count(0)
    sara.get_by_role("link", name="Timer").first.click()
    expect(sara.get_by_role("heading", level=1)).to_have_text("Timene dine")
    ida.get_by_role("button", name="Neste uke").click()
    ida.get_by_role("button", name="Forrige uke").click()
    expect(ida.get_by_role("button", name=label, exact=True)).to_be_visible()
