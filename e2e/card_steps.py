"""Steps shared by the pregnancy card's journeys: Hanne (seeded pregnant, without a card)
is the test pregnancy, so Nora's seeded card stays as it is for the other journeys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.healthcard.consent import withdraw_consent
from digihelse.people.models import Person
from e2e.booking_steps import today


def remove_hannes_cards(database: Path) -> None:
    """What a journey (or an earlier, failed run) gave Hanne, removed the way she would
    remove it herself: withdrawing her consent removes every card of hers, with all that
    hangs on it, and leaves no standing consent."""
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        with db.session(engine) as s:
            hanne = s.exec(select(Person).where(Person.given_name == "Hanne",
                                                Person.family_name == "Moe")).one()
        withdraw_consent(engine, Actor(pid=hanne.nin, role="citizen", name="Hanne Moe"),
                         hanne.nin)
    finally:
        engine.dispose()


def open_card(carer: Page, pid: str, *, in_person: bool = False, weeks: int = 10) -> None:
    """On "Mine gravide": open a card for the woman with this number, her last period
    `weeks` ago; `in_person` ticks that she consented to the carer in person."""
    if not carer.locator("#c-pid").is_visible():  # the form folds open once
        carer.get_by_text("Opprett helsekort").first.click()
    carer.get_by_label("Fødselsnummer (11 siffer)").fill(pid)
    carer.locator("#c-lmp").fill((today() - dt.timedelta(weeks=weeks)).isoformat())
    if in_person:
        carer.get_by_label("Hun har samtykket til helsekort i appen hos meg nå").check()
    carer.get_by_role("button", name="Opprett", exact=True).click()
