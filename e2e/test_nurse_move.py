"""Kari moves a pupil's booking to another of her free times from I dag; the pupil sees
the new time, where the old one went (never a code), and a notice on her home page until
she has seen it; then Kari cancels it with a reason, and the home page says so, with her
reason and a link to book again. Its own hours (17.00 and 17.20, two weeks ahead) keep it
clear of the other journeys on the shared server."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e.booking_steps import (
    book_time,
    booking_row,
    new_phone,
    next_weekday,
    open_day,
    publish_extra_hours,
    school_day,
    time_label,
)
from e2e.helpers import (
    assert_accessible,
    at_path,
    login_citizen,
    login_personnel,
    wait_for_app,
)

SHOTS = Path("/tmp/h13b")


def _when(day: dt.date, clock: str, lang: str = "nb") -> str:
    from digihelse.core.i18n.formatting import weekday_day_month

    at = {"nb": "kl.", "nn": "kl.", "en": "at"}[lang]
    return f"{weekday_day_month(day, lang)} {at} {clock}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_kari_moves_emils_booking_and_emil_sees_the_new_time(page: Page, browser: Browser,
                                                             base_url: str):
    day = school_day(next_weekday() + dt.timedelta(days=10))
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
    # The old time is not "past" (its time has not gone) and not "cancelled": it moved.
    old = emil.locator("#cancelled li").filter(has_text=time_label(day, "17.00"))
    expect(old).to_contain_text(f"Flyttet til {_when(day, '17.20')}")
    expect(old).not_to_contain_text("Avbestilt")
    expect(emil.locator("#past li").filter(has_text=time_label(day, "17.00"))).to_have_count(0)
    assert_accessible(emil)
    _shot(emil, "appointments-moved-nb")
    raw = emil.locator("main p").filter(has_text=re.compile(r"^\s*moved\s*$"))
    expect(raw).to_have_count(0)
    for lang, label, moved in (("nn", "Språk", "Flytta til"), ("en", "Språk", "Moved to")):
        emil.get_by_label(label).select_option(lang)
        expect(emil.locator("#cancelled")).to_contain_text(
            f"{moved} {_when(day, '17.20', lang)}")
        expect(raw).to_have_count(0)
    _shot(emil, "appointments-moved-en")
    emil.get_by_label("Language").select_option("nb")
    expect(old).to_contain_text("Flyttet til")

    # Her home page says what Kari changed, until she has seen it (on any device).
    emil.goto("/hjem")
    wait_for_app(emil)
    notice = emil.locator("#changes li").filter(has_text="flyttet timen din")
    expect(notice).to_have_text(re.compile(
        f"Helsesykepleieren har flyttet timen din fra {_when(day, '17.00')} "
        f"til {_when(day, '17.20')}."))
    assert_accessible(emil)
    _shot(emil, "home-moved")
    notice.get_by_role("button", name="Ok, jeg har sett det").click()
    expect(notice).to_have_count(0)
    emil.reload()
    wait_for_app(emil)
    expect(emil.locator("#next-appointments")).to_contain_text("17.20")
    expect(emil.locator("#changes li").filter(has_text="flyttet timen din")).to_have_count(0)

    # Kari cancels it with a reason; the home page tells him, and where to book again.
    open_day(page, day)
    row = booking_row(page, "Emil")
    row.get_by_role("button", name=re.compile("^Avlys")).click()
    reason = "Jeg er på kurs den dagen. Bestill gjerne en ny time."
    page.get_by_label("Hva skal eleven få vite?").fill(reason)
    page.get_by_role("button", name="Avlys timen").click()
    expect(page.locator("#nurse-status")).to_contain_text("er avlyst")
    emil.goto("/hjem")
    wait_for_app(emil)
    notice = emil.locator("#changes li").filter(has_text=_when(day, "17.20"))
    expect(notice).to_contain_text(
        f"Helsesykepleieren har avlyst timen din {_when(day, '17.20')}.")
    expect(notice).to_contain_text(f"Begrunnelse: {reason}")
    assert_accessible(emil)
    _shot(emil, "home-cancelled")
    notice.get_by_role("link", name="Bestill ny time").click()
    emil.wait_for_url(at_path("/bestill"))
    wait_for_app(emil)
    emil.goto("/timer")
    wait_for_app(emil)
    cancelled = emil.locator("#cancelled li").filter(
        has=emil.locator("h3", has_text=time_label(day, "17.20")))
    expect(cancelled).to_contain_text("Avlyst av helsesykepleieren")
    expect(cancelled).to_contain_text(f"Begrunnelse: {reason}")
    emil.context.close()
