"""The nurse's day view stays current without a reload, even for a day that had no times:
hours she publishes in another tab appear on the open day at once."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from e2e.booking_steps import (
    next_weekday,
    open_day,
    publish_extra_hours,
    school_day,
    today,
)
from e2e.helpers import login_personnel


def _day_without_kari() -> dt.date:
    """A school day within the weeks times are made for, on which Kari has no weekly hours
    (she works Tuesdays and Thursdays) and no other journey publishes hours."""
    taken = {next_weekday(), school_day(next_weekday() + dt.timedelta(days=7)),
             school_day(next_weekday() + dt.timedelta(days=10))}  # test_nurse*.py
    for ahead in range(3, 27):
        day = today() + dt.timedelta(days=ahead)
        if school_day(day) == day and day.weekday() not in (1, 3) and day not in taken:
            return day
    raise AssertionError("no free school day in the next four weeks")


def test_hours_published_in_another_tab_appear_on_the_open_empty_day(page: Page):
    day = _day_without_kari()
    login_personnel(page, "Kari")
    open_day(page, day)
    expect(page.locator("#day-empty")).to_be_visible()

    other = page.context.new_page()  # her second tab
    publish_extra_hours(other, day, "07:00", "07:20", 20, expected_new=1)

    # No reload of the first tab: the day's first time arrives on its own.
    expect(page.locator("#day-empty")).to_have_count(0, timeout=10_000)
    expect(page.locator("main")).to_contain_text("07.00")
