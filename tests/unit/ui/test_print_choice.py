"""Induced abortions are a line of their own on the card, printed only when she ticks it;
the other earlier pregnancies print as always."""

from __future__ import annotations

from digihelse.healthcard.views import Background
from digihelse.ui.state.card_display import background_blocks


def _bg(previous: dict) -> Background:
    return Background(height_cm=None, weight_before_kg=None, bmi=None,
                      previous_pregnancies=previous, health=None, lifestyle=None,
                      contacts=None, hidden=())


def test_terminations_are_the_print_choice_line():
    [block] = [b for b in background_blocks(_bg({"births": 1, "terminations": 2}), "nb",
                                            proxy=False) if b.key == "previous_pregnancies"]
    assert block.print_choice == "Svangerskapsavbrudd: 2"
    assert not any("Svangerskapsavbrudd" in line for line in block.lines)
    assert any(line.endswith(": 1") for line in block.lines)


def test_without_terminations_there_is_no_choice():
    blocks = background_blocks(_bg({"births": 1}), "nb", proxy=False)
    assert all(b.print_choice == "" for b in blocks)
    [only] = [b for b in background_blocks(_bg({"terminations": 1}), "nb", proxy=False)
              if b.key == "previous_pregnancies"]
    assert only.lines == [] and only.print_choice  # no "nothing recorded" beside it
