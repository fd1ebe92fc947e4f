"""The card pages' plumbing: reading the consultation form, and the display rows."""

import datetime as dt

from digihelse import db
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import ConsultationDraft
from digihelse.people.actors import Actor
from digihelse.state.card import parse_consultation
from digihelse.state.card_display import display


def test_the_form_reads_norwegian_decimals_and_blank_fields():
    draft, errors = parse_consultation({
        "held_on": "2026-11-20", "weight_kg": "71,5", "bp_systolic": "118", "bp_diastolic": "",
        "sf_height_cm": " 27 ", "heart_rate": "142", "presentation": "cephalic",
        "movements": "yes", "urine_protein": "neg", "oedema": "0", "note": " Fin ",
    })
    assert errors == {}
    assert draft.weight_kg == 71.5 and draft.bp_systolic == 118 and draft.bp_diastolic is None
    assert draft.sf_height_cm == 27.0 and draft.note == "Fin"
    assert draft.fetuses[0].heart_rate == 142 and draft.fetuses[0].movements is True


def test_unreadable_numbers_and_dates_become_field_errors():
    draft, errors = parse_consultation({"held_on": "i går", "weight_kg": "sytti"})
    assert draft is None
    assert errors == {"held_on": "card.error.invalid", "weight_kg": "card.error.invalid"}


def test_display_says_the_week_today_and_draws_the_new_point(engine, seeded):
    lise = Actor(pid=seeded["lise"].nin, role="midwife", name="Lise Haugen",
                 hpr_number="9100004")
    nora = Actor(pid=seeded["nora"].nin, role="citizen", name="Nora Lie")
    card.record_consultation(engine, lise, nora.pid, ConsultationDraft(
        held_on=dt.date.today(), weight_kg=72.0, bp_systolic=150, bp_diastolic=95,
        sf_height_cm=27.0))
    with db.session(engine):
        shown = display(card.get_card(engine, nora, nora.pid), "nb", dt.date.today())
    assert shown.ga_line == "uke 27+3 i dag"
    assert shown.consultations[0].title.endswith("27+3")
    assert shown.consultations[0].author == "Lise Haugen, jordmor"
    sf = next(c for c in shown.charts if c.key == "sf")
    assert sf.svg.count("<circle") == 1 and "INTERGROWTH-21st" in sf.source
    bp = next(c for c in shown.charts if c.key == "bp")
    assert bp.table[0][1] == "150/95" and bp.table[0][2]  # flagged as high
    assert len(shown.schedule) == 9
