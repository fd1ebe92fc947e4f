"""Her own measurements at home, on a phone (issue #20): Nora records a blood pressure of
145/95 and sees a calm message with what to do today and when to call 113; a mistyped
value gets a plain message and keeps what she typed; Lise sees the reading on Nora's card,
marked as measured by Nora herself. axe on every page. Nora's readings go afterwards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.healthcard.home_readings import delete_home_reading, home_readings
from digihelse.people.models import Person
from e2e.booking_steps import new_phone
from e2e.helpers import assert_accessible, login_citizen, login_personnel, wait_for_app

SHOTS = "e2e/artifacts"
ALARMING = re.compile(r"fare|farlig|alarm|akutt|!", re.IGNORECASE)


def _remove_noras_readings(database: Path) -> None:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        with db.session(engine) as s:
            nora = s.exec(select(Person).where(Person.given_name == "Nora")).one()
        actor = Actor(pid=nora.nin, role="citizen", name="Nora Lie")
        for reading in home_readings(engine, actor, nora.nin).readings:
            delete_home_reading(engine, actor, nora.nin, reading.id)
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def noras_readings_removed(server):
    _remove_noras_readings(server.database_path)
    yield
    _remove_noras_readings(server.database_path)


def test_nora_records_145_95_at_home_and_lise_sees_it_marked(page: Page, browser: Browser,
                                                             base_url: str):
    login_citizen(page, "Nora", next_path="/helsekort")
    page.locator("#home-readings-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine målinger")
    wait_for_app(page)
    expect(page.locator("#home-readings")).to_have_count(0)  # nothing yet
    assert_accessible(page)

    # A slip first: the lower number is too high to be real; what she typed stays.
    page.get_by_label("Øvre tall").fill("145")
    page.get_by_label("Nedre tall").fill("950")
    page.get_by_label("Puls (hvis måleren viser den)").fill("7o")
    page.locator("#home-save").click()
    expect(page.locator("#home-bp_diastolic-error")).to_be_visible()
    # A letter for a digit: she is told what to type, not only that it is wrong.
    expect(page.locator("#home-pulse-error")).to_have_text(
        "Skriv et helt tall, for eksempel 120.")
    expect(page.get_by_label("Øvre tall")).to_have_value("145")
    page.locator("main").screenshot(path=f"{SHOTS}/home_reading_errors.png")
    assert_accessible(page)

    page.get_by_label("Nedre tall").fill("95")
    page.get_by_label("Puls (hvis måleren viser den)").fill("")
    page.locator("#home-save").click()
    advice = page.locator("#home-advice")
    expect(advice).to_contain_text("Blodtrykket ditt var 145/95.")
    expect(advice).to_contain_text("jordmoren din eller fødeavdelingen i dag")
    expect(advice).to_contain_text("Ring 113 med en gang hvis du i tillegg har noe av dette:")
    expect(page.locator("#home-call-113")).to_have_attribute("href", "tel:113")
    assert not ALARMING.search(advice.inner_text()), advice.inner_text()
    reading = page.locator("#home-readings li").first
    expect(reading).to_contain_text("Målt selv")
    expect(reading).to_contain_text("145/95")
    page.locator("main").screenshot(path=f"{SHOTS}/home_reading_advice.png")
    reading.screenshot(path=f"{SHOTS}/home_reading_row.png")
    assert_accessible(page)
    expect(reading.get_by_role("button", name="Endre")).to_be_visible()
    expect(reading.get_by_role("button", name="Slett")).to_be_visible()

    # On her card the chart carries it as her own, in another style, with a key.
    page.goto("/helsekort")
    wait_for_app(page)
    expect(page.get_by_text("Målt selv: stiplet linje, åpne ringer").first).to_be_visible()
    page.locator("figure").filter(has_text="Blodtrykk").first.screenshot(
        path=f"{SHOTS}/home_reading_chart.png")
    assert_accessible(page)
    page.context.close()

    lise = new_phone(browser, base_url)
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    section = lise.locator("#carer-home-readings")
    expect(section).to_contain_text("Målt selv hjemme")
    expect(section.locator("li").first).to_contain_text("Målt selv")
    expect(section.locator("li").first).to_contain_text("145/95")
    expect(section).to_contain_text("140/90 eller høyere")
    section.screenshot(path=f"{SHOTS}/home_reading_carer.png")
    assert_accessible(lise)
    lise.context.close()
