"""The basic service's booking: a parent books a young child's health station, with a
child's topics and the parents' "who can see" wording; a parent of a 13-year-old learns
before any time is shown that she books herself; moving a health station time stays there."""

from playwright.sync_api import Page, expect

from e2e.helpers import act_for, assert_accessible, login_citizen, wait_for_app


def _act_for(page: Page, child: str) -> None:
    act_for(page, child)
    expect(page.get_by_role("heading", name=f"Timene til {child}")).to_be_visible()


def test_a_parent_books_the_health_station_for_a_three_year_old(page: Page):
    login_citizen(page, "Per")
    _act_for(page, "Emma")
    expect(page.locator("#book-card")).to_contain_text("Fjordvik helsestasjon")
    page.locator("#book-card").click()
    expect(page.get_by_role("heading", name="Fjordvik helsestasjon")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Helsestasjon for ungdom")
    first_time = page.locator("#free-times .time-btn").first
    chosen = first_time.get_attribute("aria-label")
    first_time.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft timen")
    expect(page.locator("#private-line")).to_have_text(
        "Foreldre med foreldreansvar kan se denne timen.")
    expect(page.locator("#who-else")).to_have_text(
        "Helsesykepleieren ser temaet og det du skriver. Du får en SMS som ikke sier hva timen "
        "gjelder.")
    expect(page.locator("#step-heading")).to_be_focused()
    expect(page.get_by_role("button", name="Prevensjon")).to_have_count(0)
    page.get_by_role("button", name="Vaksine").click()
    assert_accessible(page)
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timen er bestilt")
    expect(page.locator("#booked")).to_contain_text("Foreldre med foreldreansvar")
    expect(page.locator("#booked")).to_contain_text("SMS som ikke sier hva timen gjelder")

    page.goto("/timer")
    wait_for_app(page)
    row = page.locator("#upcoming li").filter(has_text=chosen.split(" kl. ")[1]).first
    expect(row).to_contain_text("Fjordvik helsestasjon")
    row.get_by_role("button", name="Avbestill").click()  # the shared server stays clean
    page.get_by_role("button", name="Ja, avbestill").click()
    expect(page.get_by_role("status")).to_have_text("Timen er avbestilt.")


def test_moving_jonass_health_station_time_offers_the_health_stations_times(page: Page):
    login_citizen(page, "Per")
    _act_for(page, "Jonas")
    page.get_by_role("link", name="Se alle timer").click()
    page.locator("#upcoming li").filter(has_text="Fjordvik helsestasjon").first \
        .get_by_role("link", name="Endre tid").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flytt timen din")
    expect(page.get_by_role("heading", name="Fjordvik helsestasjon")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Helsestasjon for ungdom")


def test_a_parent_of_a_thirteen_year_old_is_told_before_any_time_is_shown(page: Page):
    login_citizen(page, "Per")
    _act_for(page, "Sara")
    expect(page.locator("#book-card")).to_have_count(0)  # she books herself
    page.goto("/bestill")
    wait_for_app(page)
    expect(page.locator("#booking-blocked")).to_contain_text(
        "Du kan ikke bestille time for Sara her.")
    expect(page.locator("#booking-blocked")).to_contain_text("begrenset innsyn")
    expect(page.locator("#free-times")).to_have_count(0)
    assert_accessible(page)
