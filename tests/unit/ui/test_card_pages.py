"""The card pages' plumbing: reading the consultation form, and the display rows."""


from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import ConsultationDraft
from digihelse.ui.state.card import parse_consultation
from digihelse.ui.state.card_display import display


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
        held_on=today_oslo(), weight_kg=72.0, bp_systolic=150, bp_diastolic=95,
        sf_height_cm=27.0))
    with db.session(engine):
        shown = display(card.get_card(engine, nora, nora.pid), "nb", today_oslo())
    assert shown.ga_line == "uke 27+3 i dag"
    assert shown.consultations[0].title.endswith("27+3")
    assert shown.consultations[0].author == "Lise Haugen, jordmor"
    sf = next(c for c in shown.charts if c.key == "sf")
    assert sf.marks.count("<circle") == 1
    bp = next(c for c in shown.charts if c.key == "bp")
    assert bp.table[0][1] == "150/95" and bp.table[0][2]  # flagged as high
    assert len(shown.schedule) == 9


def test_tests_and_background_are_shown_to_her_and_what_she_hides_not_to_her_partner(
        engine, seeded):
    from dataclasses import replace

    from digihelse.access import fullmakt
    from digihelse.healthcard.validation import LabDraft

    lise = Actor(pid=seeded["lise"].nin, role="midwife", name="Lise Haugen",
                 hpr_number="9100004")
    nora = Actor(pid=seeded["nora"].nin, role="citizen", name="Nora Lie")
    jon = Actor(pid=seeded["jon"].nin, role="citizen", name="Jon Lie")
    today = today_oslo()
    card.record_lab_result(engine, lise, nora.pid, LabDraft("hb_first", today, "11,8"))
    hiv = card.record_lab_result(engine, lise, nora.pid, LabDraft("hiv", today, "neg"))
    card.record_lab_result(engine, lise, nora.pid, LabDraft("rhd", today, "neg"))
    record = card.get_card(engine, lise, nora.pid)
    draft = replace(card.draft_of(_record(engine, nora.pid)), height_cm=168.0,
                    weight_before_kg=62.0, health={"allergies": "Pollen", "folate": True},
                    lifestyle={"first": {"smoking": "no", "alcohol": "stopped"}})
    card.update_pregnancy(engine, lise, nora.pid, draft, "Første konsultasjon",
                          expected_version=record.version)
    card.set_hidden_from_proxy(engine, nora, nora.pid, "lab_result", hiv.id, True)
    card.set_hidden_from_proxy(engine, nora, nora.pid, "section", "health", True)
    fullmakt.give(engine, nora, jon.pid)

    own = display(card.get_card(engine, nora, nora.pid), "nb", today)
    values = {row.label: row.value for row in own.labs}
    assert values["Hb, første trimester"] == "11,8 g/dL" and values["HIV"] == "Negativ"
    assert next(row for row in own.labs if row.label == "HIV").hidden
    sections = {block.key: block for block in own.background}
    assert sections["before_pregnancy"].lines == ["Høyde (cm): 168",
                                                  "Vekt før svangerskapet (kg): 62",
                                                  "KMI før svangerskapet: 22"]
    assert sections["health"].hidden and "Allergier: Pollen" in sections["health"].lines
    assert sections["lifestyle"].lines == ["Første kontroll: røyk nei, alkohol sluttet"]
    assert sections["contacts"].lines == ["Ikke fylt ut ennå."]
    # RhD negative: the follow-up at weeks 24 and 28 is on her card.
    assert len(own.rhd_lines) == 2 and own.rhd_lines[0].startswith("Fosterets RhD-type")

    partner = display(card.get_card(engine, jon.acting_for(nora.pid), nora.pid), "nb", today)
    assert "HIV" not in {row.label for row in partner.labs}
    shown_to_him = {block.key for block in partner.background}
    assert "health" not in shown_to_him and "previous_pregnancies" not in shown_to_him
    assert "lifestyle" in shown_to_him


def _record(engine, pid):
    from sqlmodel import select

    from digihelse.healthcard.models import PregnancyRecord
    from digihelse.people.models import Person

    with db.session(engine) as s:
        return s.exec(select(PregnancyRecord).join(Person, Person.id == PregnancyRecord.woman_id)
                      .where(Person.nin == pid, PregnancyRecord.active)).one()
