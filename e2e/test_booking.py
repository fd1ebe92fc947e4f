"""The pupil's booking journey on a phone: three taps from login to a confirmed time,
a slot taken in the meantime, cancelling; and what parents may and may not see."""

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE
from e2e.helpers import act_for, assert_accessible, login_citizen, wait_for_app


def test_pupil_books_in_three_taps_then_cancels(page: Page):
    login_citizen(page, "Mia")
    taps = 0
    page.locator("#book-card").click()
    taps += 1
    first_time = page.locator("#free-times .time-btn").first
    expect(first_time).to_be_visible()
    expect(page.locator("#published-ahead")).to_have_text("Timene legges ut 4 uker fram i tid.")
    assert_accessible(page)
    chosen = first_time.get_attribute("aria-label")
    first_time.click()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    expect(page.locator("#step-heading")).to_be_focused()  # a keyboard starts at the step
    expect(page.locator("#private-line")).to_have_text("Foreldrene dine kan ikke se denne timen.")
    expect(page.locator("#who-else")).to_contain_text("SMS som ikke sier hva timen gjelder")
    assert_accessible(page)
    page.locator("#confirm").click()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    expect(page.locator("#booked")).to_contain_text(chosen)
    expect(page.locator("#booked")).to_contain_text("SMS som ikke sier hva timen gjelder")
    assert taps <= 3
    assert_accessible(page)

    page.get_by_role("link", name="Avbestill eller endre").click()
    upcoming = page.locator("#upcoming li")
    expect(upcoming.first).to_contain_text(chosen.split(" kl. ")[1])
    expect(upcoming.first).to_contain_text("Foreldrene dine kan ikke se denne timen.")
    assert_accessible(page)
    upcoming.first.get_by_role("button", name="Avbestill").click()
    page.get_by_role("button", name="Ja, avbestill").click()
    expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")
    expect(page.locator("#cancelled")).to_contain_text("Avbestilt")


def test_calendar_file_only_when_asked(page: Page):
    login_citizen(page, "Emil")
    page.locator("#book-card").click()
    page.locator("#free-times .time-btn").first.click()
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    with page.expect_download() as download:
        page.get_by_role("link", name="Legg i kalenderen").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text and "helsesykepleier" in text.lower()
    # Cancel again so the limit of two bookings is not used up by other tests.
    page.goto("/timer")
    wait_for_app(page)
    page.locator("#upcoming li").first.get_by_role("button", name="Avbestill").click()
    page.get_by_role("button", name="Ja, avbestill").click()
    expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")


def test_a_slot_taken_meanwhile_offers_the_nearest_free_ones(browser: Browser, base_url: str):
    first = browser.new_context(base_url=base_url, **PHONE).new_page()
    second = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(first, "Ida")
    login_citizen(second, "Sara")
    for page in (first, second):
        page.locator("#book-card").click()
    label = first.locator("#free-times .time-btn").first.get_attribute("aria-label")
    first.get_by_role("button", name=label, exact=True).click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    # Ida's choice holds the time while she confirms: Sara, a moment late, is told at once.
    second.get_by_role("button", name=label, exact=True).click()
    error = second.locator("#booking-error")
    expect(error).to_contain_text("Noen rakk å ta denne timen. Her er de nærmeste ledige:")
    expect(error.get_by_role("button")).to_have_count(3)
    first.locator("#confirm").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    assert label not in error.inner_text()
    assert_accessible(second)
    # Nothing else changed: the second pupil can take an alternative at once.
    error.get_by_role("button").first.click()
    second.locator("#confirm").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    for page in (first, second):
        page.context.close()


def test_parent_sees_jonas_but_never_saras_youth_bookings(page: Page):
    login_citizen(page, "Per")
    act_for(page, "Jonas, 10 år – full tilgang")
    expect(page.get_by_role("heading", name="Timene til Jonas")).to_be_visible()
    expect(page.locator("#next-appointments")).to_contain_text("Fjordvik helsestasjon")
    page.get_by_role("link", name="Se alle timer").click()
    expect(page.locator("#upcoming")).to_contain_text("Fjordvik helsestasjon")
    assert_accessible(page)

    # Sara (13) booked the school nurse herself in the youth service: never shown.
    act_for(page, "Sara, 13 år")
    expect(page.get_by_role("heading", name="Timene til Sara")).to_be_visible()
    expect(page.get_by_text("Ingen timer.").first).to_be_visible()
    expect(page.locator("#upcoming")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("ungdomsskole")
    expect(page.locator("#acting-explain")).to_contain_text("Begrenset innsyn")


def test_pupil_moves_an_appointment_in_one_step(page: Page):
    login_citizen(page, "Ella")
    page.locator("#book-card").click()
    times = page.locator("#free-times .time-btn")
    first = times.nth(0).get_attribute("aria-label")
    times.nth(0).click()
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")

    page.goto("/timer")
    wait_for_app(page)
    page.locator("#upcoming li").first.get_by_role("link", name="Endre tid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Flytt timen din {first}")
    target = page.locator("#free-times .time-btn").nth(1)
    second = target.get_attribute("aria-label")
    assert second != first
    target.click()
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er flyttet")
    expect(page.locator("#booked")).to_contain_text(second)

    page.goto("/timer")
    wait_for_app(page)
    upcoming = page.locator("#upcoming li")
    expect(upcoming).to_have_count(1)
    expect(upcoming.first).to_contain_text(second.split(" kl. ")[1])
    # Clean up: cancel, so the shared server keeps Ella's limit free.
    upcoming.first.get_by_role("button", name="Avbestill").click()
    page.get_by_role("button", name="Ja, avbestill").click()
    expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")


def test_what_is_possible_is_said_before_she_tries(page: Page):
    """The place's phone is on the booking page; the confirm step says until when she can
    cancel online; at her limit of upcoming bookings she is told before choosing a time."""
    login_citizen(page, "Maja")
    booked = []
    for _ in range(2):
        page.get_by_role("navigation").get_by_role("link", name="Hjem").click()
        page.locator("#book-card").click()
        expect(page.locator("#place-phone")).to_have_text("77 00 12 15")
        page.locator("#free-times .time-btn").nth(len(booked)).click()
        expect(page.locator("#cancel-line")).to_contain_text(
            "Du kan avbestille eller endre timen på nett fram til")
        page.locator("#confirm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
        booked.append(1)
    page.get_by_role("navigation").get_by_role("link", name="Hjem").click()
    page.locator("#book-card").click()
    expect(page.locator("#booking-blocked")).to_contain_text(
        "Du har allerede 2 timer som ikke er brukt")
    expect(page.locator("#free-times")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Se timene").click()
    for _ in booked:  # the shared server keeps Maja's limit free
        page.locator("#upcoming li").first.get_by_role("button", name="Avbestill").click()
        page.get_by_role("button", name="Ja, avbestill").click()
        expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")
