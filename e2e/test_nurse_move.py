"""Kari moves a pupil's booking to another of her free times from I dag; the pupil sees
the new time. Its own hours (17.00 and 17.20, two weeks ahead) keep it clear of the other
journeys on the shared server."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import (
    book_time,
    booking_row,
    cancel_as_pupil,
    new_phone,
    next_weekday,
    open_day,
    publish_extra_hours,
    time_label,
)
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def test_kari_moves_emils_booking_and_emil_sees_the_new_time(page: Page, browser: Browser,
                                                             base_url: str):
    day = next_weekday() + dt.timedelta(days=14)
    login_personnel(page, "Kari")
    publish_extra_hours(page, day, "17:00", "17:40", 20, expected_new=2)

    emil = new_phone(browser, base_url)
    login_citizen(emil, "Emil")
    book_time(emil, day, "17.00")

    open_day(page, day)
    row = booking_row(page, "Emil")
    row.get_by_role("button", name="Flytt – Emil", exact=False).click()
    expect(row.get_by_role("heading", name="Velg ny tid for Emil")).to_be_visible()
    assert_accessible(page)
    row.get_by_role("button", name=time_label(day, "17.20"), exact=True).click()
    expect(page.locator("#nurse-status")).to_contain_text(
        f"Timen til Emil er flyttet til {time_label(day, '17.20')}")
    expect(booking_row(page, "Emil")).to_contain_text("17.20")

    emil.goto("/timer")
    wait_for_app(emil)
    expect(emil.locator("#upcoming")).to_contain_text("17.20")
    expect(emil.locator("#upcoming")).not_to_contain_text("17.00")
    cancel_as_pupil(emil, "17.20")  # leave Emil's booking limit as it was
