"""The card's list sections level with NHN's maternity record (issue #20): points of contact,
medical conditions, medication and genetic disorders. Their checks, their ids, and the
service: versioned like every field, seen by a partner with fullmakt only as she allows."""

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digihelse.core.i18n import LANGS, TEXTS
from digihelse.healthcard import sections, service
from digihelse.healthcard.sections import validate_entries, validate_sections, with_ids
from digihelse.ui.presenters.card_sections import entry_text, section_lines
from digihelse.ui.state.card_display import background_blocks
from tests.factories import citizen, give_fullmakt, staff
from tests.unit.healthcard.card_lists import LISTS

TODAY = dt.date(2026, 12, 5)


def check(column: str, *entries: dict) -> dict[str, str]:
    return validate_entries(column, list(entries), today=TODAY)


# --- The checks ---------------------------------------------------------------------------

def test_codes_are_checked_against_their_code_system():
    ok = {"text": "Svangerskapsdiabetes", "system": "icd10", "code": "O24.4"}
    assert check("medical_conditions", ok) == {}
    assert check("medical_conditions", {**ok, "system": "icpc2", "code": "W84"}) == {}
    assert check("medical_conditions", {**ok, "code": "o24"}) == {
        "medical_conditions.0.code": "card.error.code_format"}
    assert check("medical_conditions", {**ok, "system": "icpc2", "code": "O24.4"}) == {
        "medical_conditions.0.code": "card.error.code_format"}
    assert check("medical_conditions", {**ok, "system": "snomed"}) == {
        "medical_conditions.0.system": "card.error.choice"}
    assert check("medications", {"name": "Folsyre", "atc": "B03BB01"}) == {}
    assert check("medications", {"name": "Folsyre", "atc": "B3BB01"}) == {
        "medications.0.atc": "card.error.atc_format"}
    assert check("genetic_disorders", {"text": "Cystisk fibrose", "code": "E84",
                                       "relation": "partner"}) == {}
    assert check("genetic_disorders", {"text": "x", "relation": "neighbour"}) == {
        "genetic_disorders.0.relation": "card.error.choice"}


def test_each_row_says_what_is_missing_or_wrong_by_its_place():
    errors = check("medications", {"name": "Folsyre"}, {"dose": "1 tablett"},
                   {"name": "Jern", "started": "2026-11-01", "stopped": "2026-10-01"},
                   {"name": "Paracet", "started": "2027-01-01"})
    assert errors == {"medications.1.name": "card.error.required",
                      "medications.2.stopped": "card.error.date_order",
                      "medications.3.started": "card.error.date_in_future"}
    assert check("points_of_contact", {"role": "gp", "name": "Ole", "phone": "tlf 22"}) == {
        "points_of_contact.0.phone": "card.error.phone"}
    assert check("points_of_contact", {"role": "nabo", "name": "Per"}) == {
        "points_of_contact.0.role": "card.error.choice"}
    assert check("medical_conditions", {"text": "x", "colour": "red"}) == {
        "medical_conditions.0.colour": "card.error.unknown_field"}
    assert check("medical_conditions", {"text": "x" * 201}) == {
        "medical_conditions.0.text": "card.error.too_long"}
    assert check("medications", {"id": "a1", "name": "A"}, {"id": "a1", "name": "B"}) == {
        "medications.1.id": "card.error.invalid"}
    assert check("medications", *[{"name": f"L{n}"} for n in range(31)]) == {
        "medications": "card.error.too_many"}
    assert validate_entries("medications", "Folsyre", today=TODAY) == {
        "medications": "card.error.invalid"}
    # An empty row (only its qualifiers set) is neither checked nor kept.
    assert check("medical_conditions", {"system": "icd10"}) == {}
    assert with_ids("medical_conditions", [{"system": "icd10", "code": " "}]) == []


def test_every_message_of_the_checks_is_written_in_every_language():
    for key in ("card.error.required", "card.error.too_many", "card.error.phone",
                "card.error.code_format", "card.error.atc_format", "card.error.date_order"):
        assert all(TEXTS[key][lang] for lang in LANGS)
    assert "30" in TEXTS["card.error.too_many"]["nb"] == "For mange oppføringer (høyst 30)."
    assert sections.MAX_ENTRIES == 30


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_value = st.one_of(st.none(), _text, st.integers(), st.booleans())
_entry = st.dictionaries(st.sampled_from(["id", "role", "name", "organisation", "phone",
                                          "system", "code", "text", "since", "atc", "dose",
                                          "started", "stopped", "relation", "other"]),
                         _value, max_size=8)


@settings(max_examples=150, deadline=None)
@given(column=st.sampled_from(sections.COLUMNS), entries=st.lists(_entry, max_size=5))
def test_any_input_gets_messages_never_an_exception(column, entries):
    """Whatever arrives (a form, an import), every problem is a known message on one of the
    list's own fields."""
    errors = validate_entries(column, entries, today=TODAY)
    for field, key in errors.items():
        assert field == column or field.startswith(f"{column}.")
        assert key in TEXTS
    if not errors:
        stored = with_ids(column, entries)
        # What is stored passes the checks again, and storing it twice changes nothing.
        assert validate_entries(column, stored, today=TODAY) == {}
        assert with_ids(column, stored) == stored
        assert len({e["id"] for e in stored}) == len(stored)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.text(st.characters(categories=("L",)), min_size=1, max_size=12),
                      min_size=1, max_size=6))
def test_an_entry_keeps_its_id_and_a_new_one_gets_its_own(names):
    first = with_ids("medications", [{"name": n} for n in names])
    again = with_ids("medications", [*first, {"name": "Ny"}])
    assert again[:-1] == first and again[-1]["id"] not in {e["id"] for e in first}
    assert sections.ID.fullmatch(again[-1]["id"])


# --- On the card ----------------------------------------------------------------------------

def test_the_card_shows_each_entry_as_a_line():
    assert entry_text("medications", {"name": "Folsyre", "dose": "0,4 mg daglig",
                                      "atc": "B03BB01", "started": "2026-10-01"}, "nb") == \
        "Folsyre, 0,4 mg daglig (ATC B03BB01), startet 1. oktober 2026"
    assert entry_text("medical_conditions", {"text": "Astma", "system": "icpc2",
                                             "code": "R96"}, "en") == "Astma (ICPC-2 R96)"
    assert section_lines("points_of_contact", ({"role": "gp", "name": "Ole Strand",
                                                "phone": "22 33 44 55"},), "nb") == \
        ["Fastlege: Ole Strand, 22\u00a033\u00a044\u00a055"]
    assert section_lines("medications", (), "nb") == []


# --- Through the service --------------------------------------------------------------------



@pytest.fixture
def people(engine, seeded):
    return {"nora": seeded["nora"], "jon": seeded["jon"], "lise": staff(engine, seeded["lise"])}


def test_the_midwife_writes_the_lists_and_they_are_versioned(engine, people):
    nora, lise = people["nora"], people["lise"]
    form = service.pregnancy_form(engine, lise, nora.nin)
    service.update_pregnancy(engine, lise, nora.nin, replace(form.draft, **LISTS),
                             "Første konsultasjon", expected_version=form.version)
    card = service.get_card(engine, citizen(nora), nora.nin)
    [medication] = card.background.medications
    assert medication["name"] == "Levaxin" and sections.ID.fullmatch(medication["id"])
    assert card.background.points_of_contact[0]["name"] == "Fjordvik sykehus"
    # A later change keeps the entry's id; the history says who changed the list and why.
    again = service.pregnancy_form(engine, lise, nora.nin)
    changed = ({**again.draft.medications[0], "dose": "75 µg"},)
    service.update_pregnancy(engine, lise, nora.nin, replace(again.draft, medications=changed),
                             "Økt dose", expected_version=again.version)
    after = service.get_card(engine, lise, nora.nin).background.medications
    assert after == ({**medication, "dose": "75 µg"},)
    [latest, *_] = service.history(engine, citizen(nora), nora.nin)
    assert latest.reason == "Økt dose" and latest.author.name == "Lise Haugen"
    assert [c.field for c in latest.changes] == ["medications"]
    # The lists left out of a draft (None) stay as they are.
    third = service.pregnancy_form(engine, lise, nora.nin)
    service.update_pregnancy(engine, lise, nora.nin,
                             replace(third.draft, **dict.fromkeys(LISTS)), "Ingen endring",
                             expected_version=third.version)
    assert service.get_card(engine, lise, nora.nin).background.medications == after


def test_a_bad_list_is_refused_with_its_field(engine, people):
    nora, lise = people["nora"], people["lise"]
    form = service.pregnancy_form(engine, lise, nora.nin)
    bad = replace(form.draft, medications=({"name": "Folsyre", "atc": "folsyre"},))
    with pytest.raises(service.ValidationFailed) as refused:
        service.update_pregnancy(engine, lise, nora.nin, bad, "x",
                                 expected_version=form.version)
    assert refused.value.errors == {"medications.0.atc": "card.error.atc_format"}


def test_a_partner_with_fullmakt_sees_the_lists_only_as_she_allows(engine, people):
    nora, jon, lise = people["nora"], people["jon"], people["lise"]
    give_fullmakt(engine, nora, jon)
    form = service.pregnancy_form(engine, lise, nora.nin)
    service.update_pregnancy(engine, lise, nora.nin, replace(form.draft, **LISTS), "Første",
                             expected_version=form.version)
    as_jon = citizen(jon, nora)
    shown = service.get_card(engine, as_jon, nora.nin).background
    assert shown.medications == service.get_card(engine, lise, nora.nin).background.medications
    # She hides her health: conditions, medication and genetic disorders go with it.
    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section", "health")
    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section", "contacts")
    hidden = service.get_card(engine, as_jon, nora.nin).background
    assert (hidden.medical_conditions, hidden.medications, hidden.genetic_disorders,
            hidden.points_of_contact) == (None, None, None, None)
    blocks = {b.key: b for b in background_blocks(hidden, "nb", proxy=True)}
    assert "health" not in blocks and "contacts" not in blocks
    for version in service.history(engine, as_jon, nora.nin):
        assert not set(sections.COLUMNS) & {c.field for c in version.changes}
    # She and her midwife still see everything.
    own = service.get_card(engine, citizen(nora), nora.nin).background
    assert own.genetic_disorders[0]["text"] == "Cystisk fibrose, bærer"
    lines = {b.key: b.lines for b in background_blocks(own, "nb", proxy=False)}
    assert "Arvelige sykdommer: Cystisk fibrose, bærer, barnets far eller medmor" in \
        lines["health"]
    assert "Fødested: Fjordvik sykehus, +47\u00a022\u00a000\u00a000\u00a000" in lines["contacts"]


def test_validate_sections_covers_every_list():
    errors = validate_sections({column: [{"bad": "x"}] for column in sections.COLUMNS},
                               today=TODAY)
    assert {field.split(".")[0] for field in errors} == set(sections.COLUMNS)


def test_the_migration_turns_the_old_contact_texts_into_points_of_contact(tmp_path):
    from sqlmodel import Session, select

    from alembic import command
    from digihelse.core import db
    from digihelse.healthcard.models import PregnancyRecord
    from digihelse.people.models import Person

    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(db.alembic_config(url), "head")
    engine = db.make_engine(url)
    with Session(engine) as s:
        woman = Person(nin="16899548438", given_name="Nora", family_name="Lie",
                       birth_date=dt.date(1995, 9, 16))
        s.add(woman)
        s.flush()
        s.add(PregnancyRecord(woman_id=woman.id, contacts={
            "gp": "Ole Strand, Fjordvik legesenter", "birth_institution": "Fjordvik sykehus",
            "other": " "}))
        s.commit()
    engine.dispose()
    # As a card written before 0021: back to 0018, then up again.
    command.downgrade(db.alembic_config(url), "0018")
    command.upgrade(db.alembic_config(url), "head")
    engine = db.make_engine(url)
    with Session(engine) as s:
        record = s.exec(select(PregnancyRecord)).one()
        assert [(e["role"], e["name"]) for e in record.points_of_contact] == [
            ("gp", "Ole Strand, Fjordvik legesenter"), ("birth_institution", "Fjordvik sykehus")]
        assert all(sections.ID.fullmatch(e["id"]) for e in record.points_of_contact)
        assert record.contacts == {} and record.medications == []
    engine.dispose()
