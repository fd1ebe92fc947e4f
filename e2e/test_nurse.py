"""The school nurse's week on a phone: Kari publishes hours, sees who booked, marks
Møtt / Ikke møtt, cancels with a reason the pupil reads, and changes her schedule with a
preview that never silently removes a booking.

The tests share one server with the other journeys, so each uses its own times: one-off
hours at 07.00 and 15.00 on the next weekday, 16.00 a week later. Pupils may hold two
upcoming bookings: every booking made here is cancelled again or lies in the past."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from e2e.booking_steps import (
    OSLO,
    SCHOOL,
    book_time,
    booking_row,
    cancel_as_pupil,
    new_phone,
    next_weekday,
    open_day,
    publish_extra_hours,
    school_day,
    time_label,
    today,
)
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app


def test_kari_publishes_hours_mia_books_and_cancels(page: Page, browser: Browser,
                                                    base_url: str):
    day = next_weekday()
    label = time_label(day, "07.00")

    # (1) Kari publishes one-off hours before her usual day starts.
    login_personnel(page, "Kari")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Kari")
    publish_extra_hours(page, day, "07:00", "07:40", 20, expected_new=2)
    assert_accessible(page)

    # (2) Mia books 07.00 in three taps after login.
    mia = new_phone(browser, base_url)
    login_citizen(mia, "Mia")
    taps = 0
    mia.locator("#book-card").click()
    taps += 1
    expect(mia.locator(".week-strip")).to_be_visible()
    mia.get_by_role("button", name=label, exact=True).click()
    taps += 1
    mia.locator("#confirm").click()
    taps += 1
    expect(mia.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    expect(mia.locator("#booked")).to_contain_text(label)
    assert taps <= 3

    # (3) Kari sees Mia's booking on that day, and in the week.
    open_day(page, day)
    row = booking_row(page, "Mia Johansen")
    expect(row).to_contain_text("07.00")
    expect(row).to_contain_text("Bestilt")
    # Her age on that day and her class; Møtt waits until 15 minutes before, and says so.
    expect(row.locator(".pupil-detail")).to_have_text(re.compile(r"^1[23] år, 8A$"))
    expect(row.locator(".mark-from")).to_have_text("Kan markeres fra kl. 06.45")
    expect(row.get_by_role("button", name=re.compile("^Møtt"))).to_have_count(0)
    expect(row.get_by_role("button", name=re.compile("^Avlys"))).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/shots-nurse/day-future.png", full_page=True)
    monday = day - dt.timedelta(days=day.weekday())
    page.goto(f"/personell/uke?uke={monday.isoformat()}")
    wait_for_app(page)
    card = page.locator(f"#day-{day.isoformat()}")
    expect(card).to_contain_text("07.00")
    expect(card).to_contain_text("Mia Johansen")
    expect(card).to_contain_text(re.compile(r"\d+ bestilt"))
    assert_accessible(page)
    card.get_by_role("link").click()
    expect(page.locator("#day-title")).to_contain_text(day.strftime("%-d."))
    expect(booking_row(page, "Mia Johansen")).to_be_visible()

    # (4) Mia cancels it herself.
    cancel_as_pupil(mia, "kl. 07.00")

    # (5) Kari reloads: the booking is gone and 07.00 is free again.
    page.reload()
    wait_for_app(page)
    expect(page.locator("#day-list")).to_be_visible()
    expect(page.locator("#day-list")).not_to_contain_text("Mia Johansen")
    expect(page.locator("#day-list li.slot-free").filter(has_text="07.00")).to_contain_text(
        "Ledig")
    mia.context.close()


def test_avlys_needs_a_reason_and_the_pupil_reads_it(page: Page, browser: Browser,
                                                     base_url: str):
    day = next_weekday()
    login_personnel(page, "Kari")
    publish_extra_hours(page, day, "15:00", "15:20", 20, expected_new=1)
    emil = new_phone(browser, base_url)
    login_citizen(emil, "Emil")
    book_time(emil, day, "15.00")

    open_day(page, day)
    row = booking_row(page, "Emil Larsen")
    row.get_by_role("button", name=re.compile("^Avlys")).click()
    reason = page.get_by_label("Hva skal eleven få vite?")
    expect(reason).to_be_focused()
    assert_accessible(page)
    page.get_by_role("button", name="Avlys timen").click()
    expect(page.locator("#cancel-error")).to_have_text("Skriv en kort grunn. Eleven får se den.")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(row).to_contain_text("Bestilt")
    assert_accessible(page)

    message = "Jeg er dessverre på kurs. Bestill gjerne en ny time."
    reason.fill(message)
    page.get_by_role("button", name="Avlys timen").click()
    expect(page.locator("#nurse-status")).to_have_text(
        "Timen kl. 15.00 er avlyst. Emil får beskjed.")
    expect(page.locator("#day-list")).not_to_contain_text("Emil Larsen")

    emil.goto("/timer")
    wait_for_app(emil)
    # Tomorrow's time is cancelled, not past.
    cancelled = emil.locator("#cancelled li").filter(has_text="kl. 15.00").first
    expect(cancelled).to_contain_text("Avlyst av helsesykepleieren")
    expect(cancelled).to_contain_text(f"Begrunnelse: {message}")
    emil.context.close()


def _started_booking(database_path, pupil_given: str) -> tuple[dt.date, str]:
    """A booking whose time began a few minutes ago, so Møtt can be recorded.

    A pupil cannot book closer than two hours ahead, and attendance can be recorded only
    from 15 minutes before the time, so the test books the way it would have happened
    three hours ago: the service's own calls with `now` three hours back, in the server's
    database. Returns the Oslo day and clock of the booking."""
    from digihelse.access.actors import Actor
    from digihelse.booking.citizen import book
    from digihelse.booking.opening_hours import ExtraHours, save_schedule_item
    from digihelse.booking.staff import day_view
    from digihelse.core.db import make_engine
    from digihelse.core.settings import BookingSettings
    from digihelse.people.models import Person, Place

    engine = make_engine(f"sqlite:///{database_path}")
    now = dt.datetime.now(dt.UTC)
    earlier = now - dt.timedelta(hours=3)
    with Session(engine) as s:
        kari = s.exec(select(Person).where(Person.given_name == "Kari")).one()
        pupil = s.exec(select(Person).where(Person.given_name == pupil_given)).one()
        place = s.exec(select(Place).where(Place.name == SCHOOL)).one()
    nurse = Actor(pid=kari.nin, role="school_nurse", name="Kari Lund")
    local = now.astimezone(OSLO)
    start = (local - dt.timedelta(minutes=25)).replace(second=0, microsecond=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    if (start + dt.timedelta(minutes=20)).date() != start.date():
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    settings = BookingSettings()
    save_schedule_item(engine, nurse, ExtraHours(
        place.id, start.date(), start.time(), (start + dt.timedelta(minutes=20)).time(),
        slot_minutes=20), now=earlier, settings=settings)
    # Her weekly hours may cover this time instead; take any free slot that has begun
    # ("Ikke møtt" opens at the start, "Møtt" 15 minutes before).
    candidates = [entry for day in {start.date(), local.date()}
                  for entry in day_view(engine, nurse, day).entries
                  if entry.is_free and now - dt.timedelta(minutes=55) < entry.start_at
                  <= now]
    slot = max(candidates, key=lambda entry: entry.start_at)
    book(engine, Actor(pid=pupil.nin, role="citizen"), slot_id=slot.slot_id,
         client_key=f"e2e-started-{uuid.uuid4().hex}", now=earlier, settings=settings)
    engine.dispose()
    begins = slot.start_at.astimezone(OSLO)
    return begins.date(), begins.strftime("%H.%M")


def test_kari_marks_attended_and_corrects_to_no_show(page: Page, server):
    day, clock = _started_booking(server.database_path, "Emil")
    login_personnel(page, "Kari")
    open_day(page, day)
    row = booking_row(page, "Emil Larsen").filter(has_text=clock)
    attended = row.get_by_role("button", name=f"Møtt – Emil Larsen, kl. {clock}", exact=True)
    no_show = row.get_by_role("button", name=f"Ikke møtt – Emil Larsen, kl. {clock}",
                              exact=True)
    expect(row.locator(".pupil-detail")).to_have_text(re.compile(r"^1[56] år, 10A$"))
    expect(row.locator(".mark-from")).to_have_count(0)
    expect(attended).to_have_attribute("aria-pressed", "false")
    page.screenshot(path="/tmp/shots-nurse/day-started.png", full_page=True)
    attended.click()
    expect(page.locator("#nurse-status")).to_have_text("Emil Larsen er registrert som møtt.")
    expect(attended).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".nurse-badge")).to_have_text("Møtt")
    # Once the pupil has come, the booking cannot be cancelled any more.
    expect(row.get_by_role("button", name=re.compile("^Avlys"))).to_have_count(0)
    assert_accessible(page)

    no_show.click()
    expect(page.locator("#nurse-status")).to_have_text(
        "Emil Larsen er registrert som ikke møtt.")
    expect(no_show).to_have_attribute("aria-pressed", "true")
    expect(attended).to_have_attribute("aria-pressed", "false")
    expect(row.locator(".nurse-badge")).to_have_text("Ikke møtt")


def test_schedule_form_explains_mistakes_and_keeps_what_was_typed(page: Page):
    login_personnel(page, "Kari", next_path="/personell/timeplan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min timeplan")
    expect(page.locator("main")).to_contain_text("Tirsdag 09.00–14.00")
    assert_accessible(page)

    page.get_by_label("Onsdag", exact=True).check()
    page.get_by_label("Fra kl.", exact=True).fill("13:00")
    page.get_by_label("Til kl.", exact=True).fill("12:00")
    page.get_by_label("Minutter per time", exact=True).fill("0")
    page.get_by_label("Pauser (valgfritt)", exact=True).fill("lunsj")
    page.get_by_role("button", name="Lagre", exact=True).click()

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Rett dette før du lagrer:")
    expect(summary).to_contain_text("Sluttiden må være etter starttiden.")
    expect(summary).to_contain_text("Skriv et helt antall minutter fra 5 til 240")
    expect(summary).to_contain_text("Skriv pausen slik: 11:30-12:00.")
    expect(page.get_by_label("Til kl.", exact=True)).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost.
    expect(page.get_by_label("Onsdag", exact=True)).to_be_checked()
    expect(page.get_by_label("Fra kl.", exact=True)).to_have_value("13:00")
    expect(page.get_by_label("Til kl.", exact=True)).to_have_value("12:00")
    expect(page.get_by_label("Pauser (valgfritt)", exact=True)).to_have_value("lunsj")
    assert_accessible(page)
    # The summary's links lead to the fields.
    summary.get_by_role("link", name="Sluttiden må være etter starttiden.").click()
    expect(page.get_by_label("Til kl.", exact=True)).to_be_focused()
    expect(page.locator("main")).not_to_contain_text("Onsdag 13.00–12.00")


def test_closing_a_day_keeps_the_booking_and_says_what_to_do(page: Page, browser: Browser,
                                                             base_url: str):
    day = school_day(next_weekday() + dt.timedelta(days=7))
    login_personnel(page, "Kari")
    publish_extra_hours(page, day, "16:00", "17:00", 20, expected_new=3)
    emil = new_phone(browser, base_url)
    login_citizen(emil, "Emil")
    book_time(emil, day, "16.00")

    # Closing the day would remove free times: the preview comes first.
    page.get_by_role("button", name="Stengt", exact=True).click()
    page.get_by_label("Første dag", exact=True).fill(day.isoformat())
    page.get_by_label("Navn (valgfritt)", exact=True).fill("Kurs")
    page.get_by_role("button", name="Lagre", exact=True).click()
    preview = page.locator("#schedule-preview")
    expect(preview).to_contain_text(re.compile(r"Dette fjerner \d+ ledige tider\."))
    conflicts = page.locator("#preview-conflicts")
    expect(conflicts).to_contain_text("Disse timene har elever og blir ikke fjernet:")
    expect(conflicts.get_by_role("link")).to_contain_text("kl. 16.00")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, lagre endringen").click()
    expect(page.locator("#nurse-status")).to_contain_text("Lagret.")
    expect(page.locator("main")).to_contain_text("Kurs:")
    expect(page.locator("#result-conflicts")).to_contain_text("kl. 16.00")

    # The booking stayed; Kari follows the link and cancels it with a reason.
    page.locator("#result-conflicts").get_by_role("link").first.click()
    row = booking_row(page, "Emil Larsen")
    expect(row).to_contain_text("16.00")
    expect(page.locator("#day-list")).not_to_contain_text("Ledig")
    row.get_by_role("button", name=re.compile("^Avlys")).click()
    page.get_by_label("Hva skal eleven få vite?").fill("Jeg er på kurs den dagen.")
    page.get_by_role("button", name="Avlys timen").click()
    expect(page.locator("#nurse-status")).to_contain_text("er avlyst")

    # Opening the day again brings the free times back.
    page.goto("/personell/timeplan")
    wait_for_app(page)
    item = page.locator(".sched-item").filter(has_text="Kurs:")
    item.get_by_role("button", name=re.compile("^Slett")).click()
    expect(item.locator("#delete-effect")).to_contain_text(
        re.compile(r"Dette lager \d+ nye ledige tider\."))
    item.get_by_role("button", name="Ja, slett").click()
    expect(page.locator("#nurse-status")).to_contain_text("Slettet.")
    expect(page.locator("main")).not_to_contain_text("Kurs:")
    emil.context.close()


def test_personnel_pages_have_a_menu_and_pass_axe(page: Page):
    login_personnel(page, "Kari")
    menu = page.get_by_role("navigation", name="Meny for helsepersonell")
    expect(menu.get_by_role("link", name="I dag")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    menu.get_by_role("link", name="Uke").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Uke {today().isocalendar().week}")
    expect(page.get_by_role("navigation", name="Meny for helsepersonell").get_by_role(
        "link", name="Uke")).to_have_attribute("aria-current", "page")
    expect(page.locator("#week-days > li")).to_have_count(7)
    assert_accessible(page)
    page.get_by_role("link", name="Neste uke").click()
    expect(page.get_by_role("link", name="Denne uken")).to_be_visible()
    page.get_by_role("navigation", name="Meny for helsepersonell").get_by_role(
        "link", name="Min timeplan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min timeplan")
    assert_accessible(page)
