"""The carer's forms on the pregnancy card ("Ny prøve", "Svangerskapet og bakgrunn"): reading
the forms' strings, the round trip from the record to the form and back, the service's
read for the form, and stale forms."""

import datetime as dt
from dataclasses import replace

import pytest

from digihelse.access.actors import AccessDenied, Actor
from digihelse.core.i18n import LANGS, TEXTS
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.healthcard.sections import with_ids
from digihelse.healthcard.service import StaleEdit, ValidationFailed
from digihelse.healthcard.validation import LabDraft, PregnancyDraft, validate_pregnancy
from digihelse.ui.presenters.carer_forms import error_list, field_id, field_label
from digihelse.ui.presenters.lab_form import LAB_FIELDS, lab_shape, lab_title, lab_values, parse_lab
from digihelse.ui.presenters.pregnancy_form import (
    PREGNANCY_FIELDS,
    bmi_line,
    parse_pregnancy,
    pregnancy_values,
)
from tests.factories import staff_as

FULL = PregnancyDraft(
    last_period=dt.date(2026, 3, 2), scan_date=dt.date(2026, 5, 4), scan_method="crl",
    scan_mm=45.5, transfer_date=None, embryo_age_days=None, fetuses=2,
    assisted_conception=True, height_cm=168.0, weight_before_kg=62.5,
    previous_pregnancies={"births": 1, "caesareans": 0, "notes": "Rask fødsel"},
    health={"allergies": "Pollen", "folate": False},
    lifestyle={"first": {"smoking": "no", "snus": "stopped", "activity": "Går tur"},
               "w36": {"alcohol": "no"}},
    points_of_contact=({"id": "a1", "role": "gp", "name": "Ole Strand",
                        "organisation": "Fjordvik legesenter", "phone": "22 33 44 55"},
                       {"id": "a2", "role": "birth_institution", "name": "Fjordvik sykehus"},
                       # a second GP: the form has one row per role, the save keeps him
                       {"id": "a3", "role": "gp", "name": "Per Vikar"}),
    medical_conditions=({"id": "b1", "system": "icd10", "code": "E03.9",
                         "text": "Lavt stoffskifte", "since": "2019-04-01"},),
    medications=({"id": "c1", "name": "Levaxin", "atc": "H03AA01", "dose": "50 µg daglig",
                  "started": "2019-04-02"},),
    genetic_disorders=({"id": "d1", "relation": "partner", "text": "Cystisk fibrose, bærer"},),
)
LISTS = ("points_of_contact", "medical_conditions", "medications", "genetic_disorders")




# --- Reading the forms ------------------------------------------------------------------

def test_a_record_survives_the_round_trip_through_the_form():
    values = pregnancy_values(FULL, "nb")
    assert values["height_cm"] == "168" and values["weight_before_kg"] == "62,5"
    assert values["scan_mm"] == "45,5" and values["fetuses"] == "2"
    assert values["health.folate"] == "no" and values["lifestyle.first.snus"] == "stopped"
    assert values["lifestyle.w36.smoking"] == "" and values["previous_pregnancies.births"] == "1"
    assert pregnancy_values(FULL, "en")["weight_before_kg"] == "62.5"
    assert values["medications.0.name"] == "Levaxin" and values["medications.1.name"] == ""
    assert values["points_of_contact.0.phone"] == "22 33 44 55"  # the gp's row
    assert not any(name.endswith(".id") for name in values)  # ids stay on the server
    loaded = {column: list(getattr(FULL, column)) for column in LISTS}
    draft, errors = parse_pregnancy({**values, "reason": "x"}, loaded)
    assert errors == {}
    # Empty rows are left out on save; each entry keeps its id, the second GP is kept.
    assert {column: with_ids(column, getattr(draft, column)) for column in LISTS} == \
        {column: [dict(e) for e in getattr(FULL, column)] for column in LISTS}
    assert replace(draft, **dict.fromkeys(LISTS)) == replace(FULL, **dict.fromkeys(LISTS))
    # Without what the record held, the lists are left as they are.
    assert parse_pregnancy(values)[0].medications is None


def test_a_row_filled_in_on_the_form_becomes_a_new_entry():
    values = pregnancy_values(PregnancyDraft(last_period=dt.date(2026, 9, 1)), "nb")
    values.update({"medications.1.name": "Folsyre", "medications.1.dose": "0,4 mg"})
    draft, errors = parse_pregnancy(values, {})
    assert errors == {}
    [entry] = with_ids("medications", draft.medications)
    assert entry["name"] == "Folsyre" and len(entry["id"]) == 8
    # The checks number a row's fields by its place on the form.
    values["medications.2.dose"] = "1 tablett"
    draft, _ = parse_pregnancy(values, {})
    errors = validate_pregnancy(draft, today=dt.date(2026, 12, 5))
    assert errors == {"medications.2.name": "card.error.required"}
    [line] = error_list(errors, PREGNANCY_FIELDS, "nb")
    assert line == {"href": "#f-medications-2-name",
                    "text": "Legemidler, nr. 3: Legemiddel: Fyll ut dette feltet."}


def test_empty_fields_leave_the_sections_and_bad_numbers_become_field_errors():
    draft, errors = parse_pregnancy({
        "last_period": "2026-03-02", "height_cm": "hundre", "weight_before_kg": " 70,2 ",
        "previous_pregnancies.births": "1,5", "previous_pregnancies.stillbirths": "",
        "embryo_age_days": "fem", "lifestyle.first.smoking": "", "contacts.gp": "  ",
        "scan_date": "i går", "fetuses": "",
    })
    assert errors == {"height_cm": "card.error.lab_number",
                      "previous_pregnancies.births": "card.error.count_range",
                      "embryo_age_days": "card.error.embryo_age",
                      "scan_date": "card.error.invalid"}
    # What could be read is kept, so everything else can be checked at once.
    assert draft.weight_before_kg == 70.2 and draft.height_cm is None and draft.fetuses == 1
    assert draft.previous_pregnancies == {} and draft.lifestyle == {} and draft.contacts == {}


def test_the_lab_form():
    draft, errors = parse_lab({"kind": "hb_third", "taken_on": "2026-10-01", "value": " 11,8 ",
                               "note": "", "hidden_from_proxy": "1"})
    assert errors == {} and draft == LabDraft("hb_third", dt.date(2026, 10, 1), "11,8",
                                              hidden_from_proxy=True)
    assert parse_lab({"kind": "", "taken_on": "x"}) == (
        None, {"kind": "card.error.choice", "taken_on": "card.error.invalid"})


def test_each_test_has_one_kind_of_result_field():
    assert lab_shape("hb_first") == lab_shape("hb_third") == "g/dL"
    assert lab_shape("ferritin") == "µg/L" and lab_shape("ogtt_2h") == "mmol/L"
    assert lab_shape("blood_type") == "A|B|AB|O" and lab_shape("hiv") == "neg|pos"
    assert lab_shape("rh_prophylaxis") == "given|not_given" and lab_shape("nope") == ""


def test_bmi_is_shown_once_both_values_are_there():
    assert bmi_line("168", "62", "nb") == "KMI før svangerskapet: 22"
    assert bmi_line("1,68 m", "62", "nb") == TEXTS["cforms.preg.bmi_missing"]["nb"]
    assert bmi_line("170", "65", "en") == "BMI before pregnancy: 22.5"


def test_errors_are_listed_in_the_forms_order_with_their_labels():
    errors = error_list({"reason": "card.error.reason_required",
                         "lifestyle.w36.smoking": "card.error.choice",
                         "height_cm": "card.error.height_range"}, PREGNANCY_FIELDS, "nb")
    assert [e["href"] for e in errors] == ["#f-height_cm", "#f-lifestyle-w36-smoking",
                                           "#f-reason"]
    assert errors[0]["text"] == "Høyde (cm): Høyden må være mellom 120 og 220 cm."
    assert errors[1]["text"].startswith("Uke 36: Røyk: ")
    assert errors[2]["text"] == "Hvorfor endres dette? Skriv hvorfor du endrer."
    assert field_id("contacts.gp") == "f-contacts-gp"


@pytest.mark.parametrize("name", list(dict.fromkeys([*PREGNANCY_FIELDS, *LAB_FIELDS])))
def test_every_field_has_a_label_in_every_language(name):
    for lang in LANGS:
        assert field_label(name, lang) != name


# --- The service behind the forms -----------------------------------------------------------

def test_the_form_starts_from_the_record_and_a_stale_form_is_refused(engine, seeded):
    lise = staff_as(seeded["lise"], "midwife")
    ole = Actor(pid=seeded["ole"].nin, role="gp", name="Ole Strand")
    nora = seeded["nora"].nin
    form = card.pregnancy_form(engine, lise, nora)
    assert form.woman_name == "Nora Lie" and form.due_date is not None
    changed = replace(form.draft, height_cm=169.0, lifestyle={"w36": {"alcohol": "no"}})
    with pytest.raises(ValidationFailed) as refused:
        card.update_pregnancy(engine, lise, nora, changed, " ", expected_version=form.version)
    assert refused.value.errors == {"reason": "card.error.reason_required"}
    record = card.update_pregnancy(engine, lise, nora, changed, "Målt på nytt",
                                   expected_version=form.version)
    again = card.pregnancy_form(engine, ole, nora)
    assert again.version == record.version == form.version + 1
    assert again.draft.height_cm == 169.0 and again.draft.lifestyle == {"w36": {"alcohol": "no"}}
    # Ole's form was opened before Lise saved: refused, nothing written.
    with pytest.raises(StaleEdit):
        card.update_pregnancy(engine, ole, nora, replace(changed, height_cm=170.0), "Retting",
                              expected_version=form.version)
    assert card.pregnancy_form(engine, ole, nora).draft.height_cm == 169.0


def test_only_her_carers_get_the_form(engine, seeded):
    nora = seeded["nora"]
    with pytest.raises(AccessDenied):
        card.pregnancy_form(engine, Actor(nora.nin, "citizen", nora.full_name), nora.nin)
    with pytest.raises(AccessDenied):
        card.pregnancy_form(engine, Actor(seeded["kari"].nin, "school_nurse", "Kari Lund"),
                            nora.nin)


def test_a_lab_result_as_the_form_shows_it_and_corrects_it(engine, seeded):
    lise = staff_as(seeded["lise"], "midwife")
    nora = seeded["nora"].nin
    row = card.record_lab_result(engine, lise, nora, LabDraft("hb_third", today_oslo(), "11,8"))
    view = next(r for r in card.get_card(engine, lise, nora).lab_results if r.id == row.id)
    values = lab_values(view)
    assert values == {"kind": "hb_third", "taken_on": today_oslo().isoformat(),
                      "value": "11,8", "note": "", "version": "1"}
    assert lab_title(view, "nb").startswith("Hb, tredje trimester: 11,8 g/dL (")
    draft, _ = parse_lab({**values, "value": "12,1"})
    with pytest.raises(ValidationFailed):
        card.edit_lab_result(engine, lise, nora, row.id, draft, "", expected_version=1)
    card.edit_lab_result(engine, lise, nora, row.id, draft, "Feil avlest", expected_version=1)
    with pytest.raises(StaleEdit):
        card.edit_lab_result(engine, lise, nora, row.id, draft, "Igjen", expected_version=1)
