"""Steps of the booking journeys on a phone, shared by the nurse's e2e files: the dates and
labels the app shows, a pupil's phone, publishing one-off hours, booking and cancelling."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.conftest import PHONE
from e2e.helpers import wait_for_app

OSLO = ZoneInfo("Europe/Oslo")
SCHOOL = "Fjordvik ungdomsskole"


def today() -> dt.date:
    return dt.datetime.now(OSLO).date()


def school_day(day: dt.date) -> dt.date:
    """The day, or the first school day after it: no weekend, public holiday or seeded
    school holiday, on which the school nurse has no bookable times."""
    from digihelse_dev.seed import SCHOOL_HOLIDAYS

    from digihelse.core.holidays import is_public_holiday

    def closed(d: dt.date) -> bool:
        return (d.weekday() >= 5 or is_public_holiday(d)
                or any(first <= d <= last for _, first, last in SCHOOL_HOLIDAYS))

    while closed(day):
        day += dt.timedelta(days=1)
    return day


def next_weekday() -> dt.date:
    """Tomorrow, or the next school day after it."""
    return school_day(today() + dt.timedelta(days=1))


def long_day(day: dt.date) -> str:
    """'mandag 23. november', as the pages write it."""
    from digihelse.core.i18n.formatting import weekday_day_month

    return weekday_day_month(day, "nb")


def time_label(day: dt.date, clock: str) -> str:
    """The accessible name of a time button: 'mandag 23. november kl. 07.00'."""
    return f"{long_day(day)} kl. {clock}"


def new_phone(browser: Browser, base_url: str) -> Page:
    context: BrowserContext = browser.new_context(base_url=base_url, **PHONE)
    context.set_default_timeout(20_000)
    return context.new_page()


def open_day(page: Page, day: dt.date) -> None:
    page.goto(f"/personell?dag={day.isoformat()}")
    wait_for_app(page)
    expect(page.locator("#day-title")).to_be_visible()


def publish_extra_hours(page: Page, day: dt.date, start: str, end: str, minutes: int,
                        expected_new: int) -> None:
    """Min timeplan → Ekstra timer: date, start, end, minutes per appointment, Lagre."""
    page.goto("/personell/timeplan")
    wait_for_app(page)
    page.get_by_role("button", name="Ekstra timer").click()
    page.get_by_label("Dato", exact=True).fill(day.isoformat())
    page.get_by_label("Fra kl.", exact=True).fill(start)
    page.get_by_label("Til kl.", exact=True).fill(end)
    page.get_by_label("Minutter per time", exact=True).fill(str(minutes))
    page.get_by_role("button", name="Lagre", exact=True).click()
    new = "1 ny ledig tid" if expected_new == 1 else f"{expected_new} nye ledige tider"
    expect(page.locator("#nurse-status")).to_have_text(f"Lagret. Elevene kan nå bestille {new}.")
    expect(page.locator("main")).to_contain_text(
        f"Ekstra: {long_day(day)} {start.replace(':', '.')}–{end.replace(':', '.')}")


def tap_time(page: Page, day: dt.date, clock: str) -> None:
    """On the booking page: page on to the day's week and tap the time. The strip opens on
    the nearest week (from its Monday) with free times."""
    title = page.locator(".week-title")
    expect(title).not_to_be_empty()
    wanted = page.get_by_role("button", name=time_label(day, clock), exact=True)
    for _ in range(6):
        if wanted.count():
            break
        before = title.inner_text()
        page.get_by_role("button", name="Neste uke").click()
        expect(title).not_to_have_text(before)
    wanted.click()


def book_time(page: Page, day: dt.date, clock: str) -> None:
    """Book the time by its name. The booking page opens on the nearest week with free
    times (this one: Kari works Tuesdays and Thursdays); move on to the day's week."""
    page.locator("#book-card").click()
    tap_time(page, day, clock)
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")


def booking_row(page: Page, pupil: str):
    return page.locator("#day-list li.slot-booked").filter(has_text=pupil)


def cancel_as_pupil(page: Page, when: str) -> None:
    page.goto("/timer")
    wait_for_app(page)
    row = page.locator("#upcoming li").filter(has_text=when)
    row.get_by_role("button", name="Avbestill").click()
    page.get_by_role("button", name="Ja, avbestill").click()
    expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")
