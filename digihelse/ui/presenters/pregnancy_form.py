""""Svangerskapet og bakgrunn" without Reflex: the record's dating, the measurements before
pregnancy and the background sections as the form's strings and back, and the BMI line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import number
from digihelse.healthcard.validation import (
    HEALTH_TEXTS,
    LIFESTYLE_HABITS,
    LIFESTYLE_TIMES,
    PREVIOUS_COUNTS,
    PregnancyDraft,
    bmi,
    parse_number,
)
from digihelse.ui.presenters import card_sections

# The form's fields, in the order the form shows them.
DATE_FIELDS = ("last_period", "due_date_ultrasound", "scan_date", "transfer_date",
               "due_date_manual")
PREGNANCY_FIELDS = (
    "last_period", "due_date_ultrasound", "scan_method", "scan_date", "scan_mm",
    "due_date_manual", "fetuses", "assisted_conception", "transfer_date", "embryo_age_days",
    "height_cm", "weight_before_kg",
    *(f"previous_pregnancies.{key}" for key in (*PREVIOUS_COUNTS, "notes")),
    *(f"health.{key}" for key in (*HEALTH_TEXTS, "folate")),
    *(f"lifestyle.{time}.{key}" for time in LIFESTYLE_TIMES
      for key in (*LIFESTYLE_HABITS, "activity", "notes")),
    # The list sections (points of contact in place of the old contact texts, issue #20).
    *card_sections.field_names(),
    "reason",
)
PREGNANCY_LABELS = {
    "last_period": "card.field.last_period", "due_date_ultrasound": "cforms.preg.us_report",
    "scan_method": "cforms.preg.scan_method", "scan_date": "card.field.scan_date",
    "scan_mm": "card.field.scan_mm", "due_date_manual": "card.field.due_date_manual",
    "fetuses": "card.field.fetuses", "assisted_conception": "card.field.assisted_conception",
    "transfer_date": "card.field.transfer_date",
    "embryo_age_days": "card.field.embryo_age_days", "height_cm": "card.field.height_cm",
    "weight_before_kg": "card.field.weight_before_kg", "reason": "card.field.reason",
}
_SECTION_LABEL = {"previous_pregnancies": "card.previous", "health": "card.health"}


def pregnancy_label(name: str, lang: str) -> str | None:
    """A field's label on this form, or None when the field is not one of its own."""
    if name in PREGNANCY_LABELS:
        return t(PREGNANCY_LABELS[name], lang)
    parts = name.split(".")
    if parts[0] == "lifestyle" and len(parts) == 3 and parts[1] in LIFESTYLE_TIMES:
        when = t(keyed("card.lifestyle", parts[1]), lang)
        what = t(keyed("card.lifestyle", parts[2]), lang)
        return f"{when}: {what}"
    if len(parts) == 2 and parts[0] in _SECTION_LABEL:
        return t(keyed(_SECTION_LABEL[parts[0]], parts[1]), lang)
    return card_sections.field_label(name, lang)


def number_text(value: float | int | None, lang: str) -> str:
    """A number as the carer writes it: "62,5" (a decimal point in English)."""
    return "" if value is None else number(value, lang)


def method_text(method: str, lang: str) -> str:
    """How the due date was set, to go inside a sentence ("ultralyd (CRL)")."""
    text = t(keyed("card.dating", method), lang)
    return text[:1].lower() + text[1:]


def pregnancy_values(draft: PregnancyDraft, lang: str) -> dict[str, str]:
    """The record's draft as the form's strings (service.draft_of gives the draft)."""
    values = {name: (getattr(draft, name).isoformat() if getattr(draft, name) else "")
              for name in DATE_FIELDS}
    values.update({
        "scan_method": draft.scan_method or "", "scan_mm": number_text(draft.scan_mm, lang),
        "embryo_age_days": "" if draft.embryo_age_days is None else str(draft.embryo_age_days),
        "fetuses": str(draft.fetuses),
        "assisted_conception": "1" if draft.assisted_conception else "",
        "height_cm": number_text(draft.height_cm, lang),
        "weight_before_kg": number_text(draft.weight_before_kg, lang),
    })
    previous = draft.previous_pregnancies
    for key in PREVIOUS_COUNTS:
        values[f"previous_pregnancies.{key}"] = "" if previous.get(key) is None \
            else str(previous[key])
    values["previous_pregnancies.notes"] = str(previous.get("notes") or "")
    for key in HEALTH_TEXTS:
        values[f"health.{key}"] = str(draft.health.get(key) or "")
    folate = draft.health.get("folate")
    values["health.folate"] = "" if folate is None else ("yes" if folate else "no")
    for time in LIFESTYLE_TIMES:
        entry = draft.lifestyle.get(time) or {}
        for key in (*LIFESTYLE_HABITS, "activity", "notes"):
            values[f"lifestyle.{time}.{key}"] = str(entry.get(key) or "")
    values.update(card_sections.list_values(
        {column: getattr(draft, column) for column in card_sections.LISTS}))
    return values


def parse_pregnancy(form: Mapping[str, Any], lists: Mapping[str, Any] | None = None
                    ) -> tuple[PregnancyDraft, dict[str, str]]:
    """The form's strings as a whole draft. Unreadable dates and numbers become field errors
    and are left out of the draft, so that the draft can still be checked for everything
    else at once. Empty fields are left out of the background sections."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(form.get(name, "") or "").strip()

    def day(name: str) -> dt.date | None:
        raw = text(name)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = "card.error.invalid"
            return None

    def number(name: str) -> float | None:
        raw = text(name)
        value = parse_number(raw) if raw else None
        if raw and value is None:
            errors[name] = "card.error.lab_number"
        return value

    def whole(name: str, key: str) -> int | None:
        raw = text(name)
        if raw and not (raw.isascii() and raw.isdigit()):
            errors[name] = key
            return None
        return int(raw) if raw else None

    previous: dict[str, Any] = {}
    for key in PREVIOUS_COUNTS:
        count = whole(f"previous_pregnancies.{key}", "card.error.count_range")
        if count is not None:
            previous[key] = count
    health: dict[str, Any] = {key: text(f"health.{key}") for key in HEALTH_TEXTS
                              if text(f"health.{key}")}
    folate = {"yes": True, "no": False}.get(text("health.folate"))
    if folate is not None:
        health["folate"] = folate
    lifestyle: dict[str, Any] = {}
    for time in LIFESTYLE_TIMES:
        entry = {key: text(f"lifestyle.{time}.{key}")
                 for key in (*LIFESTYLE_HABITS, "activity", "notes")
                 if text(f"lifestyle.{time}.{key}")}
        if entry:
            lifestyle[time] = entry
    notes = text("previous_pregnancies.notes")
    if notes:
        previous["notes"] = notes
    draft = PregnancyDraft(
        last_period=day("last_period"), due_date_ultrasound=day("due_date_ultrasound"),
        scan_date=day("scan_date"), scan_method=text("scan_method") or None,
        scan_mm=number("scan_mm"), transfer_date=day("transfer_date"),
        embryo_age_days=whole("embryo_age_days", "card.error.embryo_age"),
        due_date_manual=day("due_date_manual"),
        fetuses=whole("fetuses", "card.error.fetuses_range") or 1,
        assisted_conception=bool(text("assisted_conception")),
        height_cm=number("height_cm"), weight_before_kg=number("weight_before_kg"),
        previous_pregnancies=previous, health=health, lifestyle=lifestyle,
        # The list sections' rows; `lists` (what the record held) keeps the entries the
        # form has no row for. Without it the lists are left as the record has them.
        **(card_sections.parse_lists(form, lists) if lists is not None else {}),
    )
    return draft, errors


def bmi_line(height: str, weight: str, lang: str) -> str:
    value = bmi(parse_number(height), parse_number(weight))
    if value is None:
        return t("cforms.preg.bmi_missing", lang)
    return t("cforms.preg.bmi", lang, bmi=number_text(value, lang))
