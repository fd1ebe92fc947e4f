""""Ny prøve" without Reflex: a test result as the form's strings and back, its title in
the list of results, and what kind of field its value needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import LAB_RULES, LabDraft

# The form's fields, in the order the form shows them.
LAB_FIELDS = ("kind", "taken_on", "value", "note", "reason")
LAB_LABELS = {"kind": "cforms.lab.kind", "taken_on": "cforms.lab.taken_on",
              "value": "cforms.lab.value", "note": "card.field.note",
              "reason": "card.field.reason"}


def lab_shape(kind: str) -> str:
    """What a test's result looks like: its unit ("g/dL") or its choices ("neg|pos"). The
    form shows one kind of field per shape, and keeps what was typed while the shape stays."""
    rule = LAB_RULES.get(kind)
    if rule is None:
        return ""
    return (rule.unit or "") if rule.numeric else "|".join(rule.choices)


def lab_values(row: card.LabResultView) -> dict[str, str]:
    """A recorded test result as the form's strings, to correct it."""
    return {"kind": row.kind, "taken_on": row.taken_on.isoformat(), "value": row.value,
            "note": row.note, "version": str(row.version)}


def lab_title(row: card.LabResultView, lang: str) -> str:
    """ "Hb, første trimester: 12,4 g/dL (3. oktober)"."""
    value = t(keyed("card.value", row.value), lang) if row.value.islower() else row.value
    unit = f" {row.unit}" if row.unit else ""
    return f"{t(row.label_key, lang)}: {value}{unit} ({day_month(row.taken_on, lang)})"


def parse_lab(form: Mapping[str, Any]) -> tuple[LabDraft | None, dict[str, str]]:
    """The form's strings as a draft; a missing test or an unreadable date are field errors
    (the service checks the rest)."""
    errors: dict[str, str] = {}
    kind = str(form.get("kind", "")).strip()
    if not kind:
        errors["kind"] = "card.error.choice"
    try:
        taken_on = dt.date.fromisoformat(str(form.get("taken_on", "")).strip())
    except ValueError:
        errors["taken_on"] = "card.error.invalid"
    if errors:
        return None, errors
    return LabDraft(kind=kind, taken_on=taken_on, value=str(form.get("value", "")).strip(),
                    note=str(form.get("note", "")).strip(),
                    hidden_from_proxy=bool(form.get("hidden_from_proxy"))), {}
