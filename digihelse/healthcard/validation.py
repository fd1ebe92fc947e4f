"""Plausibility checks for what midwives, GPs and the woman write on the card. Pure.

Each check returns every problem at once as ``{field: i18n key}`` (texts_card), so a form
can keep the whole draft and show each message next to its field. An empty dict means the
draft may be saved.

The limits are plausibility limits, chosen to catch typing errors (BP 300/20, 5 kg, week
46, SF height 80 cm), not clinical thresholds: a value inside them may still need action,
and the charts (reference.py) flag those. Each limit is written into its message text,
so a change here needs the same change in texts_card (tests/test_healthcard_validation.py
checks that they agree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from digihelse.core.i18n.families import keyed
from digihelse.core.text import plain_text
from digihelse.healthcard import dating, sections
from digihelse.healthcard.dating import DatingError, DatingMethod, UltrasoundDating
from digihelse.healthcard.models import (
    Feeding,
    LabKind,
    NoteKind,
    PainRelief,
    Presentation,
    UrineProtein,
)

Errors = dict[str, str]

# --- Limits (plausibility, our choice) ----------------------------------------------------
WEIGHT_KG = (30.0, 250.0)
SYSTOLIC = (70, 250)
DIASTOLIC = (30, 150)
GA_AT_CONSULTATION = (dating.ga_days_of(4), dating.ga_days_of(44))  # 4+0 to 44+0
SF_FROM_WEEK = 20  # the card records it from week 24; earlier than 20 is a mistake
SF_CM = (10.0, 50.0)
FETAL_HEART_RATE = (90, 200)
OEDEMA = (0, 3)
HEIGHT_CM = (120.0, 220.0)
FETUSES = (1, 5)
PREVIOUS_COUNT = (0, 20)
LMP_MAX_AGO_DAYS = dating.ga_days_of(44)  # a last period longer ago is not this pregnancy
NOTE_MAX = 2000
SHORT_TEXT_MAX = 500
REASON_MAX = 500

# --- Drafts: what a form sends --------------------------------------------------------------


@dataclass(frozen=True)
class FetusDraft:
    fetus_no: int = 1
    heart_rate: int | None = None
    presentation: str | None = None  # a Presentation value
    movements: bool | None = None


@dataclass(frozen=True)
class ConsultationDraft:
    """One consultation as the midwife or GP fills it in (one mobile form)."""

    held_on: dt.date
    weight_kg: float | None = None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    urine_protein: str | None = None  # a UrineProtein value
    oedema: int | None = None
    sf_height_cm: float | None = None
    fetuses: tuple[FetusDraft, ...] = ()
    note: str = ""
    hidden_from_proxy: bool = False


@dataclass(frozen=True)
class PregnancyDraft:
    """The record's dating and background, written whole (the form loads the current values
    with service.draft_of, the carer changes some, and sends it all back)."""

    last_period: dt.date | None = None
    # A dating scan with its measurement ...
    scan_date: dt.date | None = None
    scan_method: str | None = None  # "crl" or "bpd"
    scan_mm: float | None = None
    # ... or an ultrasound due date from elsewhere (e.g. the hospital's eSnurra report).
    due_date_ultrasound: dt.date | None = None
    # IVF: transfer day and embryo age in days.
    transfer_date: dt.date | None = None
    embryo_age_days: int | None = None
    # A due date set by hand overrides all of the above.
    due_date_manual: dt.date | None = None
    fetuses: int = 1
    assisted_conception: bool = False
    height_cm: float | None = None
    weight_before_kg: float | None = None
    previous_pregnancies: Mapping[str, Any] = field(default_factory=dict)
    health: Mapping[str, Any] = field(default_factory=dict)
    lifestyle: Mapping[str, Any] = field(default_factory=dict)
    contacts: Mapping[str, Any] = field(default_factory=dict)
    # The list sections (healthcard/sections.py); None: keep what the record has.
    points_of_contact: tuple[Mapping[str, Any], ...] | None = None
    medical_conditions: tuple[Mapping[str, Any], ...] | None = None
    medications: tuple[Mapping[str, Any], ...] | None = None
    genetic_disorders: tuple[Mapping[str, Any], ...] | None = None


@dataclass(frozen=True)
class LabDraft:
    kind: str  # a LabKind value
    taken_on: dt.date
    value: str
    note: str = ""
    hidden_from_proxy: bool = False


# --- Sections: the keys each background section may hold ---------------------------------

PREVIOUS_COUNTS = ("births", "caesareans", "miscarriages", "terminations", "stillbirths",
                   "ectopic")
HEALTH_TEXTS = ("illnesses", "medication", "allergies")
HABIT_CHOICES = ("no", "stopped", "yes")  # before / during pregnancy
LIFESTYLE_HABITS = ("smoking", "snus", "alcohol", "substances")  # substances: other drugs
LIFESTYLE_TIMES = ("first", "w36")  # at the first consultation and in week 36 (DOMAIN.md)
CONTACT_TEXTS = ("gp", "midwife", "birth_institution", "other")


@dataclass(frozen=True)
class LabRule:
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    unit: str | None = None

    @property
    def numeric(self) -> bool:
        return self.low is not None


_NEG_POS = ("neg", "pos")
LAB_RULES: dict[str, LabRule] = {
    LabKind.BLOOD_TYPE: LabRule(("A", "B", "AB", "O")),
    LabKind.RHD: LabRule(_NEG_POS),
    LabKind.ANTIBODIES: LabRule(_NEG_POS),
    LabKind.HB_FIRST: LabRule(low=5.0, high=20.0, unit="g/dL"),
    LabKind.HB_THIRD: LabRule(low=5.0, high=20.0, unit="g/dL"),
    LabKind.FERRITIN: LabRule(low=1.0, high=1000.0, unit="µg/L"),
    LabKind.HBV: LabRule(_NEG_POS),
    LabKind.HIV: LabRule(_NEG_POS),
    LabKind.SYPHILIS: LabRule(_NEG_POS),
    LabKind.OGTT_FASTING: LabRule(low=2.0, high=20.0, unit="mmol/L"),
    LabKind.OGTT_2H: LabRule(low=2.0, high=30.0, unit="mmol/L"),
    LabKind.FETAL_RHD: LabRule(_NEG_POS),
    LabKind.RH_PROPHYLAXIS: LabRule(("given", "not_given")),
}


# --- Helpers --------------------------------------------------------------------------------

def _outside(value: float | None, limits: tuple[float, float]) -> bool:
    return value is not None and not limits[0] <= value <= limits[1]


def parse_number(raw: str) -> float | None:
    """A number as a Norwegian writes it ("12,5" or "12.5"); None if it is not one."""
    try:
        return float(raw.strip().replace(",", ".").replace(" ", ""))
    except (ValueError, AttributeError):
        return None


def _text_errors(errors: Errors, name: str, value: Any, limit: int) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        errors[name] = "card.error.invalid"
    elif len(value) > limit:
        errors[name] = "card.error.too_long"


# --- Consultation ---------------------------------------------------------------------------

def validate_consultation(draft: ConsultationDraft, *, due_date: dt.date | None,
                          fetuses: int, today: dt.date) -> Errors:
    """Every problem with a consultation, by field.

    Field names are the draft's; per fetus ``fetus.<n>.<field>``. The gestational age comes
    from the due date in use (40+0 on the due date, dating.GA_ON_DUE_DATE)."""
    errors: Errors = {}
    ga: int | None = None
    if draft.held_on > today:
        errors["held_on"] = "card.error.date_in_future"
    elif due_date is None:
        errors["held_on"] = "card.error.no_due_date"
    else:
        ga = dating.gestational_age_days(due_date, draft.held_on)
        if _outside(ga, GA_AT_CONSULTATION):
            errors["held_on"] = "card.error.ga_out_of_range"
    if _outside(draft.weight_kg, WEIGHT_KG):
        errors["weight_kg"] = "card.error.weight_range"
    _bp_errors(errors, draft.bp_systolic, draft.bp_diastolic)
    if draft.urine_protein is not None and draft.urine_protein not in set(UrineProtein):
        errors["urine_protein"] = "card.error.urine_protein_choice"
    if _outside(draft.oedema, OEDEMA):
        errors["oedema"] = "card.error.oedema_range"
    if draft.sf_height_cm is not None:
        if ga is not None and ga < dating.ga_days_of(SF_FROM_WEEK):
            errors["sf_height_cm"] = "card.error.sf_too_early"
        elif _outside(draft.sf_height_cm, SF_CM):
            errors["sf_height_cm"] = "card.error.sf_range"
    _fetus_errors(errors, draft.fetuses, fetuses)
    _text_errors(errors, "note", draft.note, NOTE_MAX)
    if not has_findings(draft):
        errors[NO_FINDINGS] = "card.error.no_findings"
    return errors


# The error of a check-up with nothing in it: of the form as a whole, not of one field.
NO_FINDINGS = "findings"


def has_findings(draft: ConsultationDraft) -> bool:
    """A check-up records something: a measurement, a finding about a fetus, or a note.
    With only a date it would count as done on the schedule while telling nothing."""
    measured = (draft.weight_kg, draft.bp_systolic, draft.bp_diastolic, draft.urine_protein,
                draft.oedema, draft.sf_height_cm)
    fetus = any(v is not None for f in draft.fetuses
                for v in (f.heart_rate, f.presentation, f.movements))
    return any(v is not None for v in measured) or fetus or bool(plain_text(draft.note))


def _bp_errors(errors: Errors, systolic: int | None, diastolic: int | None) -> None:
    if (systolic is None) != (diastolic is None):
        errors["bp_systolic" if systolic is None else "bp_diastolic"] = "card.error.bp_pair"
        return
    if systolic is None or diastolic is None:
        return
    if _outside(systolic, SYSTOLIC):
        errors["bp_systolic"] = "card.error.bp_systolic_range"
    if _outside(diastolic, DIASTOLIC):
        errors["bp_diastolic"] = "card.error.bp_diastolic_range"
    if "bp_systolic" not in errors and "bp_diastolic" not in errors and systolic <= diastolic:
        errors["bp_diastolic"] = "card.error.bp_order"


def _fetus_errors(errors: Errors, drafts: tuple[FetusDraft, ...], fetuses: int) -> None:
    seen: set[int] = set()
    for fetus in drafts:
        prefix = f"fetus.{fetus.fetus_no}"
        if not 1 <= fetus.fetus_no <= fetuses or fetus.fetus_no in seen:
            errors[f"{prefix}.fetus_no"] = "card.error.fetus_number"
            continue
        seen.add(fetus.fetus_no)
        if _outside(fetus.heart_rate, FETAL_HEART_RATE):
            errors[f"{prefix}.heart_rate"] = "card.error.fhr_range"
        if fetus.presentation is not None and fetus.presentation not in set(Presentation):
            errors[f"{prefix}.presentation"] = "card.error.presentation_choice"


# --- Pregnancy record -----------------------------------------------------------------------

@dataclass(frozen=True)
class ResolvedDating:
    """The due dates a draft gives, and which one is in use."""

    due_date_lmp: dt.date | None
    due_date_ultrasound: dt.date | None
    due_date: dt.date | None
    method: DatingMethod
    ultrasound: UltrasoundDating | None = None


def resolve_dating(draft: PregnancyDraft) -> ResolvedDating:
    """Compute the due dates. Raises DatingError (with its i18n key) on bad measurements."""
    lmp_due = dating.due_date_from_lmp(draft.last_period) if draft.last_period else None
    scan: UltrasoundDating | None = None
    # The ultrasound due date is the hospital's (eSnurra), as the carer typed it; a
    # measurement is computed only as the personnel's cross-check (dating.cross_check) and
    # never replaces it (issue #20).
    us_due = draft.due_date_ultrasound
    us_method: DatingMethod | None = DatingMethod.ULTRASOUND if us_due else None
    if draft.scan_method is not None or draft.scan_mm is not None:
        if draft.scan_date is None or draft.scan_method is None or draft.scan_mm is None:
            raise DatingError("card.error.scan_incomplete", "scan date, method and mm needed")
        scan = dating.date_by_ultrasound(draft.scan_date, draft.scan_method, draft.scan_mm)
    ivf_due = None
    if draft.transfer_date is not None or draft.embryo_age_days is not None:
        if draft.transfer_date is None or draft.embryo_age_days is None:
            raise DatingError("card.error.embryo_age", "transfer date and embryo age needed")
        ivf_due = dating.due_date_from_embryo_transfer(draft.transfer_date,
                                                       draft.embryo_age_days)
    due, method = dating.corrected_due_date(lmp_due, us_due, ultrasound_method=us_method,
                                            ivf_due=ivf_due)
    if draft.due_date_manual is not None:
        due, method = draft.due_date_manual, DatingMethod.MANUAL
    return ResolvedDating(lmp_due, us_due, due, method or DatingMethod.LMP, scan)


_DATING_FIELD = {"card.error.crl_range": "scan_mm", "card.error.bpd_range": "scan_mm",
                 "card.error.scan_method": "scan_method",
                 "card.error.scan_incomplete": "scan_date",
                 "card.error.embryo_age": "embryo_age_days"}


def validate_pregnancy(draft: PregnancyDraft, *, today: dt.date) -> Errors:
    """Every problem with the record's dating and background, by field (sections as
    ``<section>.<key>``)."""
    errors: Errors = {}
    if draft.last_period is not None:
        if draft.last_period > today:
            errors["last_period"] = "card.error.date_in_future"
        elif (today - draft.last_period).days > LMP_MAX_AGO_DAYS:
            errors["last_period"] = "card.error.lmp_range"
    for name in ("scan_date", "transfer_date"):
        day = getattr(draft, name)
        if day is not None and day > today:
            errors[name] = "card.error.date_in_future"
    if draft.scan_method is not None and draft.scan_method not in (DatingMethod.CRL,
                                                                   DatingMethod.BPD):
        errors["scan_method"] = "card.error.scan_method"
    if not errors:
        try:
            resolved = resolve_dating(draft)
        except DatingError as problem:
            errors[_DATING_FIELD.get(problem.key, "scan_mm")] = problem.key
        else:
            if resolved.due_date is None:
                errors["last_period"] = "card.error.no_due_date"
    if draft.due_date_ultrasound is None and (draft.scan_method is not None
                                              or draft.scan_mm is not None):
        # A measurement alone would date nothing (the app's computation is a cross-check
        # only): the form asks for the due date the hospital gave (issue #20).
        errors.setdefault("due_date_ultrasound", "card.error.hospital_due_missing")
    if draft.due_date_ultrasound is not None and draft.scan_date is None:
        errors.setdefault("scan_date", "card.error.scan_date_missing")
    if not FETUSES[0] <= draft.fetuses <= FETUSES[1]:
        errors["fetuses"] = "card.error.fetuses_range"
    if _outside(draft.height_cm, HEIGHT_CM):
        errors["height_cm"] = "card.error.height_range"
    if _outside(draft.weight_before_kg, WEIGHT_KG):
        errors["weight_before_kg"] = "card.error.weight_range"
    _section_errors(errors, draft)
    errors.update(sections.validate_sections(
        {column: getattr(draft, column) for column in sections.COLUMNS}, today=today))
    return errors


def _section_errors(errors: Errors, draft: PregnancyDraft) -> None:
    def unknown(section: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in set(data) - set(allowed):
            errors[f"{section}.{key}"] = "card.error.unknown_field"

    previous = draft.previous_pregnancies
    unknown("previous_pregnancies", previous, (*PREVIOUS_COUNTS, "notes"))
    for key in PREVIOUS_COUNTS:
        value = previous.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or _outside(value, PREVIOUS_COUNT)):
            errors[f"previous_pregnancies.{key}"] = "card.error.count_range"
    _text_errors(errors, "previous_pregnancies.notes", previous.get("notes"), NOTE_MAX)

    health = draft.health
    unknown("health", health, (*HEALTH_TEXTS, "folate"))
    for key in HEALTH_TEXTS:
        _text_errors(errors, f"health.{key}", health.get(key), NOTE_MAX)
    if health.get("folate") is not None and not isinstance(health.get("folate"), bool):
        errors["health.folate"] = "card.error.invalid"

    lifestyle = draft.lifestyle
    unknown("lifestyle", lifestyle, LIFESTYLE_TIMES)
    for time in LIFESTYLE_TIMES:
        entry = lifestyle.get(time)
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            errors[f"lifestyle.{time}"] = "card.error.invalid"
            continue
        for key in set(entry) - {*LIFESTYLE_HABITS, "activity", "notes"}:
            errors[f"lifestyle.{time}.{key}"] = "card.error.unknown_field"
        for habit in LIFESTYLE_HABITS:
            if entry.get(habit) is not None and entry.get(habit) not in HABIT_CHOICES:
                errors[f"lifestyle.{time}.{habit}"] = "card.error.choice"
        for key in ("activity", "notes"):
            _text_errors(errors, f"lifestyle.{time}.{key}", entry.get(key), SHORT_TEXT_MAX)

    contacts = draft.contacts
    unknown("contacts", contacts, CONTACT_TEXTS)
    for key in CONTACT_TEXTS:
        _text_errors(errors, f"contacts.{key}", contacts.get(key), SHORT_TEXT_MAX)


# --- Tests, notes, reasons ------------------------------------------------------------------

def validate_lab(draft: LabDraft, *, today: dt.date) -> Errors:
    errors: Errors = {}
    rule = LAB_RULES.get(draft.kind)
    if rule is None:
        return {"kind": "card.error.lab_kind"}
    if draft.taken_on > today:
        errors["taken_on"] = "card.error.date_in_future"
    if rule.numeric:
        number = parse_number(draft.value)
        if number is None:
            errors["value"] = "card.error.lab_number"
        elif _outside(number, (rule.low, rule.high)):  # type: ignore[arg-type]
            errors["value"] = keyed("card.error.lab_range", draft.kind)
    elif draft.value not in rule.choices:
        errors["value"] = "card.error.choice"
    _text_errors(errors, "note", draft.note, SHORT_TEXT_MAX)
    return errors


def validate_note(kind: str, text: str) -> Errors:
    errors: Errors = {}
    if kind not in set(NoteKind):
        errors["kind"] = "card.error.choice"
    if not plain_text(text):  # hidden controls alone are no note
        errors["text"] = "card.error.note_empty"
    else:
        _text_errors(errors, "text", text, NOTE_MAX)
    return errors


def validate_reason(reason: str | None) -> Errors:
    """An edit must say why (every change is versioned with its reason)."""
    if reason is None or not plain_text(reason):
        return {"reason": "card.error.reason_required"}
    if len(reason) > REASON_MAX:
        return {"reason": "card.error.too_long"}
    return {}


def bmi(height_cm: float | None, weight_kg: float | None) -> float | None:
    """Body mass index before pregnancy, one decimal; None without both values."""
    if not height_cm or not weight_kg:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


# --- Her birth plan --------------------------------------------------------------------------

BIRTH_PLAN_LIMITS = {"pain_relief_text": 500, "companions": 300, "language": 100,
                     "fears": 1000, "other": 1000}


def validate_birth_plan(pain_relief: list[str], feeding: str, texts: Mapping[str, str]
                        ) -> Errors:
    """Every problem with her birth plan, by field. Every field may be left empty: she
    writes what she has thought about, and can come back."""
    errors: Errors = {}
    if any(choice not in set(PainRelief) for choice in pain_relief):
        errors["pain_relief"] = "card.error.choice"
    if feeding and feeding not in set(Feeding):
        errors["feeding"] = "card.error.choice"
    for name, limit in BIRTH_PLAN_LIMITS.items():
        _text_errors(errors, name, texts.get(name, ""), limit)
    return errors


# --- Her own measurements at home ("målt selv") ---------------------------------------------

PULSE = (30, 220)  # beats per minute, as a home blood-pressure monitor shows it
HOME_CLOCK_SKEW = dt.timedelta(minutes=10)  # her phone's clock may run a little ahead
HOME_MAX_AGO = dt.timedelta(days=dating.ga_days_of(44))  # older is not this pregnancy
# The error of a reading with nothing in it: of the form as a whole, not of one field.
NO_READING = "reading"


@dataclass(frozen=True)
class HomeReadingDraft:
    """What she measured, as the form sends it (measured_at tz-aware)."""

    measured_at: dt.datetime | None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    pulse: int | None = None
    weight_kg: float | None = None
    hidden_from_proxy: bool = False


def validate_home_reading(draft: HomeReadingDraft, *, now: dt.datetime) -> Errors:
    """Every problem with a reading she took herself, by field, with the same plausibility
    limits as the carers' consultations. A blood pressure needs both numbers; the pulse
    goes with a blood pressure; the reading holds a blood pressure or a weight."""
    errors: Errors = {}
    if draft.measured_at is None:
        errors["measured_at"] = "card.error.home_when_missing"
    elif draft.measured_at > now + HOME_CLOCK_SKEW:
        errors["measured_at"] = "card.error.home_in_future"
    elif draft.measured_at < now - HOME_MAX_AGO:
        errors["measured_at"] = "card.error.home_too_old"
    _bp_errors(errors, draft.bp_systolic, draft.bp_diastolic)
    if draft.pulse is not None:
        if draft.bp_systolic is None and draft.bp_diastolic is None:
            errors["pulse"] = "card.error.pulse_alone"
        elif _outside(draft.pulse, PULSE):
            errors["pulse"] = "card.error.pulse_range"
    if _outside(draft.weight_kg, WEIGHT_KG):
        errors["weight_kg"] = "card.error.weight_range"
    if draft.bp_systolic is None and draft.bp_diastolic is None and draft.weight_kg is None \
            and draft.pulse is None:
        errors[NO_READING] = "card.error.home_empty"
    return errors
