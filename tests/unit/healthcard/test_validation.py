"""Plausibility checks: every implausible value refused by its field with the right message
key, all at once, and a good draft passing."""

import datetime as dt
import re

import pytest

from digihelse.core.i18n import LANGS, TEXTS
from digihelse.healthcard import validation as v
from digihelse.healthcard.validation import (
    ConsultationDraft,
    FetusDraft,
    LabDraft,
    PregnancyDraft,
)

DUE = dt.date(2026, 10, 11)
TODAY = dt.date(2026, 7, 20)  # 28+1
AT_28 = dt.date(2026, 7, 19)  # 28+0


def good(**changes) -> ConsultationDraft:
    base = ConsultationDraft(held_on=AT_28, weight_kg=72.5, bp_systolic=118, bp_diastolic=74,
                             urine_protein="neg", oedema=0, sf_height_cm=27.0,
                             fetuses=(FetusDraft(1, 140, "cephalic", True),), note="Fin.")
    return ConsultationDraft(**{**base.__dict__, **changes})


def check(draft: ConsultationDraft, fetuses: int = 1) -> dict[str, str]:
    return v.validate_consultation(draft, due_date=DUE, fetuses=fetuses, today=TODAY)


def test_a_plausible_consultation_passes():
    assert check(good()) == {}
    # Nothing measured and nothing written is not a check-up (issue #13: it counted as done).
    assert check(ConsultationDraft(held_on=AT_28)) == {v.NO_FINDINGS: "card.error.no_findings"}


@pytest.mark.parametrize("changes,field,key", [
    ({"bp_systolic": 300, "bp_diastolic": 20}, "bp_systolic", "card.error.bp_systolic_range"),
    ({"bp_systolic": 300, "bp_diastolic": 20}, "bp_diastolic", "card.error.bp_diastolic_range"),
    ({"weight_kg": 5}, "weight_kg", "card.error.weight_range"),
    ({"held_on": DUE + dt.timedelta(days=42)}, "held_on", "card.error.date_in_future"),
    ({"sf_height_cm": 80}, "sf_height_cm", "card.error.sf_range"),
    ({"bp_systolic": 80, "bp_diastolic": 90}, "bp_diastolic", "card.error.bp_order"),
    ({"bp_systolic": 120, "bp_diastolic": None}, "bp_diastolic", "card.error.bp_pair"),
    ({"urine_protein": "4+"}, "urine_protein", "card.error.urine_protein_choice"),
    ({"oedema": 4}, "oedema", "card.error.oedema_range"),
    ({"note": "x" * 2001}, "note", "card.error.too_long"),
])
def test_implausible_values_are_refused_by_field(changes, field, key):
    assert check(good(**changes))[field] == key


def test_week_46_is_refused():
    # A consultation in week 46 (due date 40+0, so six weeks after it), on a day that is
    # not in the future.
    at_46 = DUE + dt.timedelta(days=42)
    errors = v.validate_consultation(good(held_on=at_46, sf_height_cm=None), due_date=DUE,
                                     fetuses=1, today=at_46)
    assert errors == {"held_on": "card.error.ga_out_of_range"}


def test_every_problem_is_reported_at_once():
    errors = check(good(bp_systolic=300, bp_diastolic=20, weight_kg=5, sf_height_cm=80,
                        fetuses=(FetusDraft(1, 250),)))
    assert errors == {
        "bp_systolic": "card.error.bp_systolic_range",
        "bp_diastolic": "card.error.bp_diastolic_range",
        "weight_kg": "card.error.weight_range",
        "sf_height_cm": "card.error.sf_range",
        "fetus.1.heart_rate": "card.error.fhr_range",
    }


def test_sf_height_only_from_week_20():
    at_19 = DUE - dt.timedelta(days=280 - 19 * 7)
    assert check(good(held_on=at_19, sf_height_cm=18))["sf_height_cm"] == (
        "card.error.sf_too_early")
    at_20 = DUE - dt.timedelta(days=280 - 20 * 7)
    assert "sf_height_cm" not in check(good(held_on=at_20, sf_height_cm=19))


def test_no_due_date_no_consultation():
    assert v.validate_consultation(good(), due_date=None, fetuses=1, today=TODAY) == {
        "held_on": "card.error.no_due_date"}


def test_per_fetus_checks():
    twins = (FetusDraft(1, 140, "cephalic"), FetusDraft(2, 85, "sideways"))
    errors = check(good(fetuses=twins), fetuses=2)
    assert errors == {"fetus.2.heart_rate": "card.error.fhr_range",
                      "fetus.2.presentation": "card.error.presentation_choice"}
    # A second fetus on a singleton card, or the same number twice.
    assert check(good(fetuses=twins))["fetus.2.fetus_no"] == "card.error.fetus_number"
    same = (FetusDraft(1, 140), FetusDraft(1, 150))
    assert check(good(fetuses=same), fetuses=2) == {"fetus.1.fetus_no":
                                                    "card.error.fetus_number"}


@pytest.mark.parametrize("systolic,diastolic", [(70, 30), (250, 150), (139, 89), (140, 90)])
def test_limits_are_inclusive(systolic, diastolic):
    assert check(good(bp_systolic=systolic, bp_diastolic=diastolic)) == {}


# --- The record -----------------------------------------------------------------------------

def test_a_plausible_record_passes_and_resolves_its_dating():
    draft = PregnancyDraft(last_period=dt.date(2026, 1, 1), height_cm=168, weight_before_kg=64,
                           previous_pregnancies={"births": 1, "miscarriages": 0},
                           health={"allergies": "Penicillin", "folate": True},
                           lifestyle={"first": {"smoking": "stopped", "alcohol": "no"}},
                           contacts={"birth_institution": "St. Olavs hospital"})
    assert v.validate_pregnancy(draft, today=TODAY) == {}
    resolved = v.resolve_dating(draft)
    assert resolved.due_date == resolved.due_date_lmp == DUE
    assert resolved.method == "lmp"


HOSPITAL_DUE = dt.date(2026, 10, 20)  # as the hospital's eSnurra report gave it


def test_the_hospitals_due_date_is_the_one_recorded():
    draft = PregnancyDraft(last_period=dt.date(2026, 1, 1), scan_date=dt.date(2026, 3, 12),
                           due_date_ultrasound=HOSPITAL_DUE, scan_method="crl", scan_mm=33.0)
    resolved = v.resolve_dating(draft)
    assert resolved.method == "ultrasound" and resolved.due_date == HOSPITAL_DUE
    assert resolved.due_date_ultrasound == HOSPITAL_DUE
    assert resolved.due_date_lmp == DUE and resolved.ultrasound is not None
    # The app's own date from the CRL differs, and is only a cross-check.
    assert resolved.ultrasound.due_date != HOSPITAL_DUE
    assert v.validate_pregnancy(draft, today=TODAY) == {}


def test_a_measurement_alone_dates_nothing():
    draft = PregnancyDraft(last_period=dt.date(2026, 1, 1), scan_date=dt.date(2026, 3, 12),
                           scan_method="crl", scan_mm=33.0)
    assert v.resolve_dating(draft).due_date == DUE  # still the period's
    assert v.validate_pregnancy(draft, today=TODAY) == {
        "due_date_ultrasound": "card.error.hospital_due_missing"}


def test_the_hospitals_due_date_needs_its_scan_date():
    draft = PregnancyDraft(last_period=dt.date(2026, 1, 1), due_date_ultrasound=HOSPITAL_DUE)
    assert v.validate_pregnancy(draft, today=TODAY) == {
        "scan_date": "card.error.scan_date_missing"}


@pytest.mark.parametrize("draft,field,key", [
    (PregnancyDraft(last_period=dt.date(2026, 8, 1)), "last_period",
     "card.error.date_in_future"),
    (PregnancyDraft(last_period=dt.date(2025, 1, 1)), "last_period", "card.error.lmp_range"),
    (PregnancyDraft(), "last_period", "card.error.no_due_date"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), fetuses=0), "fetuses",
     "card.error.fetuses_range"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), height_cm=95), "height_cm",
     "card.error.height_range"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), weight_before_kg=5), "weight_before_kg",
     "card.error.weight_range"),
    (PregnancyDraft(scan_date=dt.date(2026, 3, 12), scan_method="crl", scan_mm=80),
     "scan_mm", "card.error.crl_range"),
    (PregnancyDraft(scan_date=dt.date(2026, 5, 4), scan_method="bpd", scan_mm=90),
     "scan_mm", "card.error.bpd_range"),
    (PregnancyDraft(scan_date=dt.date(2026, 5, 4), scan_method="hc", scan_mm=90),
     "scan_method", "card.error.scan_method"),
    (PregnancyDraft(scan_method="crl", scan_mm=30), "scan_date",
     "card.error.scan_incomplete"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), previous_pregnancies={"births": 40}),
     "previous_pregnancies.births", "card.error.count_range"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), previous_pregnancies={"twins": 1}),
     "previous_pregnancies.twins", "card.error.unknown_field"),
    (PregnancyDraft(last_period=dt.date(2026, 1, 1),
                    lifestyle={"first": {"smoking": "lots"}}),
     "lifestyle.first.smoking", "card.error.choice"),
    # A measurement without the hospital's due date: the form asks for that date.
    (PregnancyDraft(last_period=dt.date(2026, 1, 1), scan_date=dt.date(2026, 3, 12),
                    scan_method="crl", scan_mm=45), "due_date_ultrasound",
     "card.error.hospital_due_missing"),
])
def test_implausible_record_values(draft, field, key):
    assert v.validate_pregnancy(draft, today=TODAY)[field] == key


# --- Tests, notes, reasons ------------------------------------------------------------------

@pytest.mark.parametrize("draft,errors", [
    (LabDraft("hb_first", dt.date(2026, 3, 1), "12,5"), {}),
    (LabDraft("blood_type", dt.date(2026, 3, 1), "AB"), {}),
    (LabDraft("hb_first", dt.date(2026, 3, 1), "125"),
     {"value": "card.error.lab_range.hb_first"}),
    (LabDraft("hb_third", dt.date(2026, 3, 1), "lav"), {"value": "card.error.lab_number"}),
    (LabDraft("rhd", dt.date(2026, 3, 1), "maybe"), {"value": "card.error.choice"}),
    (LabDraft("rhd", dt.date(2026, 8, 1), "neg"), {"taken_on": "card.error.date_in_future"}),
    (LabDraft("cholesterol", dt.date(2026, 3, 1), "5"), {"kind": "card.error.lab_kind"}),
])
def test_lab_results(draft, errors):
    assert v.validate_lab(draft, today=TODAY) == errors


def test_reason_and_notes():
    assert v.validate_reason(None) == {"reason": "card.error.reason_required"}
    assert v.validate_reason("   ") == {"reason": "card.error.reason_required"}
    assert v.validate_reason("Feil vekt skrevet inn") == {}
    assert v.validate_note("question", " ") == {"text": "card.error.note_empty"}
    assert v.validate_note("question", "\u0000\u202e") == {"text": "card.error.note_empty"}
    assert v.validate_note("diary", "Hei") == {"kind": "card.error.choice"}


def test_bmi():
    assert v.bmi(168, 64) == 22.7
    assert v.bmi(None, 64) is None


# --- The messages ---------------------------------------------------------------------------

def _keys_used() -> set[str]:
    import inspect

    from digihelse.healthcard import dating, validation

    source = inspect.getsource(validation) + inspect.getsource(dating)
    from digihelse.core.i18n.families import FAMILIES

    keys = set(re.findall(r'"(card\.error\.[a-z_.0-9]+)"', source)) - set(FAMILIES)
    keys |= {f"card.error.lab_range.{kind}" for kind, rule in v.LAB_RULES.items()
             if rule.numeric}
    return keys


def test_every_message_key_has_a_text():
    missing = _keys_used() - set(TEXTS)
    assert not missing


def test_every_code_shown_to_users_has_a_text():
    from digihelse.healthcard import dating, models, service, versioning

    keys = {f"card.dating.{m}" for m in dating.DatingMethod}
    keys |= {f"card.visit.{visit.key}" for visit in (*dating.CONSULTATIONS, *dating.ULTRASOUNDS)}
    keys |= {f"card.lab.{kind}" for kind in models.LabKind}
    keys |= {f"card.urine.{value}" for value in models.UrineProtein}
    keys |= {f"card.presentation.{value}" for value in models.Presentation}
    keys |= {f"card.section.{value}" for value in models.Section}
    keys |= {f"card.value.{value}" for rule in v.LAB_RULES.values() for value in rule.choices
             if value.islower()}
    keys |= {f"card.habit.{value}" for value in v.HABIT_CHOICES}
    keys |= {f"card.previous.{key}" for key in (*v.PREVIOUS_COUNTS, "notes")}
    keys |= {f"card.health.{key}" for key in (*v.HEALTH_TEXTS, "folate")}
    keys |= {f"card.lifestyle.{key}" for key in (*v.LIFESTYLE_TIMES, *v.LIFESTYLE_HABITS,
                                                 "activity", "notes")}
    keys |= {f"card.contact.{key}" for key in v.CONTACT_TEXTS}
    keys |= {f"card.entity.{entity}" for entity in (versioning.E_RECORD, versioning.E_CONSULTATION,
                                                    versioning.E_LAB, versioning.E_NOTE)}
    keys |= {f"card.action.{action}" for action in ("create", "update", "hide", "show")}
    keys |= {f"card.flag.{flag}" for flag in ("below_p10", "above_p90", "high")}
    keys |= {f"card.rhd.{key}" for key in ("fetal_rhd", "prophylaxis")}
    keys |= {error.message_key for error in (service.CardError, service.CardNotFound,
                                             service.CardExists, service.ItemNotFound,
                                             service.StaleEdit, service.ValidationFailed)}
    assert not keys - set(TEXTS)


@pytest.mark.parametrize("key,limits", [
    ("card.error.weight_range", v.WEIGHT_KG),
    ("card.error.bp_systolic_range", v.SYSTOLIC),
    ("card.error.bp_diastolic_range", v.DIASTOLIC),
    ("card.error.sf_range", v.SF_CM),
    ("card.error.sf_too_early", (v.SF_FROM_WEEK,)),
    ("card.error.fhr_range", v.FETAL_HEART_RATE),
    ("card.error.height_range", v.HEIGHT_CM),
    ("card.error.fetuses_range", v.FETUSES),
    ("card.error.count_range", v.PREVIOUS_COUNT),
    ("card.error.ga_out_of_range", (f"{v.GA_AT_CONSULTATION[0] // 7}+0",
                                    f"{v.GA_AT_CONSULTATION[1] // 7}+0")),
])
def test_messages_name_the_limits_they_enforce(key, limits):
    for lang in LANGS:
        for limit in limits:
            number = f"{limit:g}" if isinstance(limit, float | int) else limit
            assert number in TEXTS[key][lang], (key, lang, number)


def test_a_checkup_needs_a_finding_or_a_note():
    from digihelse.healthcard.validation import NO_FINDINGS, ConsultationDraft, FetusDraft

    due, day = dt.date(2026, 3, 1), dt.date(2025, 12, 1)

    def errors(**kw):
        return v.validate_consultation(ConsultationDraft(held_on=day, **kw), due_date=due,
                                     fetuses=1, today=day)

    assert errors()[NO_FINDINGS] == "card.error.no_findings"
    assert errors(note="   ").get(NO_FINDINGS)
    for finding in ({"weight_kg": 70.0}, {"urine_protein": "neg"}, {"note": "Samtale"},
                    {"fetuses": (FetusDraft(1, 140, None, None),)}):
        assert NO_FINDINGS not in errors(**finding), finding
