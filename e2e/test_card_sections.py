"""The card's sections level with the national card (issue #20), on a phone: Lise fills in a
medical condition and a medicine on "Svangerskapet og bakgrunn" (a bad code is caught, the
draft kept), and Nora reads them on her card. Screenshots in /tmp/shots-sections/."""

from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from e2e.conftest import PHONE
from e2e.helpers import assert_accessible, login_citizen, login_personnel, pid_of

SHOTS = Path("/tmp/shots-sections")
LISTS = ("points_of_contact", "medical_conditions", "medications", "genetic_disorders")


def _engine(server):
    from digihelse.core.db import make_engine

    return make_engine(f"sqlite:///{server.database_path}")


def _lise(engine):
    from sqlmodel import select

    from digihelse.access.actors import Actor
    from digihelse.core.db import session
    from digihelse.people.models import Person, Personnel

    with session(engine) as s:
        person, worker = s.exec(select(Person, Personnel).join(
            Personnel, Personnel.person_id == Person.id).where(Person.given_name == "Lise")
        ).one()
    return Actor(pid=person.nin, role=worker.role, name=person.full_name,
                 hpr_number=worker.hpr_number, organisation=worker.organisation)


def _nora_pid(engine) -> str:
    from sqlmodel import select

    from digihelse.core.db import session
    from digihelse.people.models import Person

    with session(engine) as s:
        return s.exec(select(Person.nin).where(Person.given_name == "Nora")).one()


@pytest.fixture(autouse=True)
def noras_lists_as_they_were(server):
    """Nora's list sections are put back as they were (a versioned change, like any)."""
    from digihelse.healthcard import service

    engine = _engine(server)
    lise, pid = _lise(engine), _nora_pid(engine)
    before = service.pregnancy_form(engine, lise, pid).draft
    yield
    now = service.pregnancy_form(engine, lise, pid)
    if any(getattr(now.draft, c) != getattr(before, c) for c in LISTS):
        service.update_pregnancy(engine, lise, pid, replace(
            now.draft, **{c: getattr(before, c) for c in LISTS}), "Tilbakestilt etter test",
            expected_version=now.version)
    engine.dispose()


def test_lise_fills_in_the_lists_and_nora_reads_them(browser: Browser, base_url: str):
    SHOTS.mkdir(exist_ok=True)
    lise = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_personnel(lise, "Lise", next_path="/personell/gravide")
    lise.locator("#my-women").get_by_role("button", name="Nora Lie").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    assert pid_of(lise, "Nora") not in lise.url
    lise.locator("#edit-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Svangerskapet og bakgrunn")
    # The demo card's points of contact are in their rows (one per role).
    expect(lise.locator("#f-points_of_contact-0-name")).to_have_value("Ole Strand")
    expect(lise.locator("#f-points_of_contact-2-name")).to_have_value("Fjordvik sykehus")
    expect(lise.locator("#f-medications-0-name")).to_have_value("Folsyre")
    condition = lise.locator("#f-medical_conditions-0")
    expect(condition.locator("legend")).to_have_text("Sykdommer, Nr. 1")
    condition.get_by_label("Beskrivelse").fill("Lavt stoffskifte")
    condition.get_by_label("Diagnosekode (valgfritt)").fill("e03")
    lise.locator("#f-medications-1").get_by_label("Legemiddel").fill("Levaxin")
    lise.locator("#f-medications-1").get_by_label("ATC-kode (valgfritt)").fill("H03AA01")
    lise.locator("#f-medications-1").get_by_label("Dosering").fill("50 µg daglig")
    lise.locator("#f-points_of_contact-2-phone").fill("77 00 00 00")
    lise.get_by_label("Hvorfor endres dette?").fill("Første konsultasjon")
    lise.locator("#save-pregnancy").click()
    expect(lise.locator("#f-medical_conditions-0-code-error")).to_contain_text(
        "ICD-10-kode ser slik ut: O24.4")
    expect(lise.locator("#form-message").get_by_role("link")).to_contain_text(
        "Sykdommer, nr. 1: Diagnosekode (valgfritt)")
    expect(lise.locator("#f-medications-1-name")).to_have_value("Levaxin")  # kept
    assert_accessible(lise)
    lise.locator("#sec-health").scroll_into_view_if_needed()
    condition.screenshot(path=str(SHOTS / "carer-condition-error.png"))
    lise.locator("#sec-contacts").locator("..").screenshot(
        path=str(SHOTS / "carer-contacts.png"))
    lise.locator("#f-medications-0").locator("..").screenshot(
        path=str(SHOTS / "carer-health-lists.png"))
    condition.get_by_label("Diagnosekode (valgfritt)").fill("E03.9")
    lise.locator("#save-pregnancy").click()
    expect(lise.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    expect(lise.locator("#nurse-status")).to_contain_text("Svangerskap og bakgrunn er lagret")
    lise.context.close()

    nora = browser.new_context(base_url=base_url, **PHONE).new_page()
    login_citizen(nora, "Nora", next_path="/helsekort")
    health = nora.locator("#section-health")
    expect(health).to_contain_text("Sykdommer: Lavt stoffskifte (ICD-10 E03.9)")
    expect(health).to_contain_text("Legemidler: Levaxin, 50 µg daglig (ATC H03AA01)")
    expect(nora.locator("#section-contacts")).to_contain_text(
        "Fødested: Fjordvik sykehus, 77 00 00 00")
    assert_accessible(nora)
    health.screenshot(path=str(SHOTS / "card-health.png"))
    nora.locator("#section-contacts").screenshot(path=str(SHOTS / "card-contacts.png"))
    nora.context.close()
