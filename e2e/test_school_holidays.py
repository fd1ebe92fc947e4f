"""School holidays on "Min timeplan": Kari enters a one-day school holiday, the pupil's
week loses that day's times at once, a wrong entry says which field and what to do, and
removing the holiday brings the times back."""

import datetime as dt
import re

from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import long_day, new_phone, publish_extra_hours, school_day, time_label
from e2e.booking_steps import today as oslo_today
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def _open_schedule(page: Page) -> None:
    page.goto("/personell/timeplan")
    wait_for_app(page)
    expect(page.locator("#holidays")).to_be_visible()


def _pupil_sees(pupil: Page, day: dt.date) -> None:
    """The pupil's week strip at the day's week. It opens on the nearest week with free
    times, so page back to the first week, then on to the day's."""
    from digihelse.core.i18n.formatting import day_month

    pupil.goto("/bestill")
    wait_for_app(pupil)
    title = pupil.locator(".week-title")
    expect(title).not_to_be_empty()
    monday = day - dt.timedelta(days=day.weekday())
    wanted = f"{day_month(monday, 'nb')} – {day_month(monday + dt.timedelta(days=6), 'nb')}"
    back = pupil.get_by_role("button", name="Forrige uke")
    for _ in range(6):
        if title.inner_text() == wanted or back.is_disabled():
            break
        before = title.inner_text()
        back.click()
        expect(title).not_to_have_text(before)
    for _ in range(6):
        if title.inner_text() == wanted:
            break
        before = title.inner_text()
        pupil.get_by_role("button", name="Neste uke").click()
        expect(title).not_to_have_text(before)
    expect(title).to_have_text(wanted)


def test_a_school_holiday_removes_the_days_times_and_removing_it_brings_them_back(
        page: Page, browser: Browser, base_url: str):
    day = school_day(oslo_today() + dt.timedelta(days=10))
    label = time_label(day, "06.00")
    login_personnel(page, "Kari")
    publish_extra_hours(page, day, "06:00", "06:40", 20, expected_new=2)

    _open_schedule(page)
    holidays = page.locator("#holidays")
    expect(holidays).to_contain_text("Juleferie")
    expect(holidays).to_contain_text("Alle skolene i kommunen")
    assert_accessible(page)

    # No name: the field says what to write, and nothing is saved.
    page.get_by_label("Første feriedag").fill(day.isoformat())
    page.get_by_label("Siste feriedag").fill(day.isoformat())
    page.locator("#save-holiday").click()
    name = page.get_by_label("Navn på ferien")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#he-name")).to_have_text(
        "Skriv hva ferien heter, for eksempel «Vinterferie».")
    assert_accessible(page)

    # The last day before the first.
    name.fill("Planleggingsdag")
    page.get_by_label("Siste feriedag").fill((day - dt.timedelta(days=1)).isoformat())
    page.locator("#save-holiday").click()
    expect(page.locator("#he-last_day")).to_have_text(
        "Siste feriedag kan ikke være før første feriedag.")

    # Saved: the day's two free times go at once.
    page.get_by_label("Siste feriedag").fill(day.isoformat())
    page.locator("#save-holiday").click()
    # Hers two, and any other school nurse's that day (the suite shares one server).
    expect(page.locator("#holiday-status")).to_have_text(
        re.compile(r"^Skoleferien er lagret\. \d+ ledige tider er fjernet\.$"))
    entry = page.locator("#holiday-list li").filter(has_text="Planleggingsdag")
    expect(entry).to_contain_text(f"{day.day}.")
    expect(page.get_by_label("Navn på ferien")).to_have_value("")
    holidays.screenshot(path="/tmp/shots/holidays.png")

    # The same day again overlaps.
    page.get_by_label("Navn på ferien").fill("Igjen")
    page.get_by_label("Første feriedag").fill(day.isoformat())
    page.get_by_label("Siste feriedag").fill(day.isoformat())
    page.locator("#save-holiday").click()
    expect(page.locator("#he-first_day")).to_contain_text("Det er alt lagt inn en skoleferie")

    mia = new_phone(browser, base_url)
    login_citizen(mia, "Mia")
    _pupil_sees(mia, day)
    expect(mia.get_by_role("button", name=label, exact=True)).to_have_count(0)

    # Removed (after Ja, fjern): the times are back for the pupil.
    page.get_by_role("button", name="Fjern Planleggingsdag").click()
    page.locator("#holiday-remove-yes").click()
    expect(page.locator("#holiday-status")).to_contain_text("Skoleferien er fjernet.")
    expect(page.locator("#holiday-list")).not_to_contain_text("Planleggingsdag")
    _pupil_sees(mia, day)
    expect(mia.get_by_role("button", name=label, exact=True)).to_be_visible()
    mia.context.close()

    # The shared server stays clean: the extra hours go too.
    _open_schedule(page)
    page.get_by_role("button", name=f"Slett Ekstra: {long_day(day)} 06.00–06.40").click()
    page.get_by_role("button", name="Ja, slett").click()
    expect(page.locator("#nurse-status")).to_contain_text("2")
