"""The confirm step before a fullmakt: to whom, what he sees and what not, in each language."""

import datetime as dt

import pytest

from digihelse.access.fullmakt import Receiver
from digihelse.ui.state.sharing import check_lines


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_names_him_his_birth_year_and_what_he_will_not_see(lang):
    who = Receiver("Jon Lie", 1990, dt.date(2026, 12, 3), None, updated=False)
    title, lines = check_lines(who, lang)
    assert "Jon Lie" in title and "1990" in title
    assert len(lines) == 3 and all("{" not in line for line in [title, *lines])
    assert all("Jon Lie" in line for line in lines[:2])


def test_says_an_existing_view_only_changes_its_end():
    who = Receiver("Jon Lie", 1990, dt.date(2026, 12, 3), dt.date(2027, 3, 1), updated=True)
    title, lines = check_lines(who, "nb")
    assert title == "Du gir Jon Lie (født 1990) tilgang til helsekortet ditt"
    assert "ser ikke dine egne notater" in lines[1]
    assert "1. mars 2027" in lines[2] or "2027" in lines[2]
    assert "har tilgang fra før" in lines[3]
