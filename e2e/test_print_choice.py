"""Nora decides whether her induced abortions are on the printed card: the line is on
screen, and on paper only when she ticks "Ta med svangerskapsavbrudd på utskriften"."""

from __future__ import annotations

import json
import sqlite3

from playwright.sync_api import Page, expect

from e2e.helpers import login_citizen


def _set_previous(database: str, previous: dict | None) -> dict | None:
    """Nora's earlier pregnancies as the midwife recorded them; returns what was there."""
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT pregnancyrecord.id, previous_pregnancies FROM pregnancyrecord "
                         "JOIN person ON person.id = woman_id WHERE given_name = 'Nora' "
                         "AND active").fetchone()
        if previous is not None:
            db.execute("UPDATE pregnancyrecord SET previous_pregnancies = ? WHERE id = ?",
                       (json.dumps(previous), row[0]))
        return json.loads(row[1]) if row[1] else {}


def test_terminations_print_only_when_she_ticks_it(page: Page, server):
    database = str(server.database_path)
    before = _set_previous(database, None)
    _set_previous(database, {**before, "births": 1, "terminations": 1})
    try:
        login_citizen(page, "Nora", next_path="/helsekort")
        line = page.locator("#section-previous_pregnancies .print-choice")
        expect(line).to_have_text("Svangerskapsavbrudd: 1")
        tick = page.get_by_label("Ta med svangerskapsavbrudd på utskriften")
        expect(tick).to_be_visible()
        tick.locator("xpath=..").screenshot(path="e2e/artifacts/print_choice.png")
        page.emulate_media(media="print")
        expect(line).to_be_hidden()
        expect(page.locator("#section-previous_pregnancies")).to_contain_text("Fødsler")
        page.emulate_media(media="screen")
        tick.check()
        page.emulate_media(media="print")
        expect(line).to_be_visible()
        page.emulate_media(media="screen")
    finally:
        _set_previous(database, before)
