"""The card's list sections (healthcard/sections.py) without Reflex: as the carer form's
strings and back (one row of fields per entry, a fixed number of rows), and as the card's
lines ("Legemidler: Folsyre, 0,4 mg daglig (ATC B03BB01), startet 1. oktober 2026")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import long_date
from digihelse.healthcard.sections import CONTACT_ROLES, FORM_SLOTS, KEYS

# The list columns the form shows in the health section, and their row counts.
HEALTH_LISTS = ("medical_conditions", "medications", "genetic_disorders")
POC = "points_of_contact"
LISTS = (*HEALTH_LISTS, POC)

# Each list's heading, and each field's label (full keys, so `pybabel extract` finds them).
LIST_TITLES = {"medical_conditions": "card.list.medical_conditions",
               "medications": "card.list.medications",
               "genetic_disorders": "card.list.genetic_disorders",
               POC: "card.list.points_of_contact"}
ENTRY_LABELS = {
    ("medical_conditions", "system"): "card.entry.system",
    ("medical_conditions", "code"): "card.entry.code",
    ("medical_conditions", "text"): "card.entry.text",
    ("medical_conditions", "since"): "card.entry.since",
    ("medications", "name"): "card.entry.medication_name",
    ("medications", "atc"): "card.entry.atc",
    ("medications", "dose"): "card.entry.dose",
    ("medications", "started"): "card.entry.started",
    ("medications", "stopped"): "card.entry.stopped",
    ("genetic_disorders", "relation"): "card.entry.relation",
    ("genetic_disorders", "code"): "card.entry.code",
    ("genetic_disorders", "text"): "card.entry.text",
    (POC, "name"): "card.entry.name",
    (POC, "organisation"): "card.entry.organisation",
    (POC, "phone"): "card.entry.phone",
}
# How a date is introduced on the card's line ("startet 1. oktober 2026").
DATE_WORDS = {"since": "card.entry.since", "started": "card.entry.started",
              "stopped": "card.entry.stopped"}


def slots(column: str) -> int:
    return len(CONTACT_ROLES) if column == POC else FORM_SLOTS[column]


def form_keys(column: str) -> tuple[str, ...]:
    """The fields of one row (a point of contact's role is its row's)."""
    return tuple(key for key in KEYS[column] if not (column == POC and key == "role"))


def field_names() -> tuple[str, ...]:
    """Every list field of the form, in its order (for the list of problems)."""
    return tuple(f"{column}.{slot}.{key}" for column in LISTS
                 for slot in range(slots(column)) for key in form_keys(column))


def row_legend(column: str, slot: int, lang: str) -> str:
    """"Legemidler, nr. 2"; a point of contact's row is its role ("Fastlege")."""
    if column == POC:
        return t(keyed("card.contact", CONTACT_ROLES[slot]), lang)
    return f"{t(LIST_TITLES[column], lang)}, {t('card.list.row', lang, n=slot + 1).lower()}"


def field_label(name: str, lang: str) -> str | None:
    """A list field's label for the list of problems ("Legemidler, nr. 1: Legemiddel"),
    or None when the name is not a list field."""
    parts = name.split(".")
    if len(parts) == 1 and parts[0] in LIST_TITLES:
        return t(LIST_TITLES[parts[0]], lang)
    if len(parts) < 2 or parts[0] not in LIST_TITLES or not parts[1].isdigit():
        return None
    column, slot = parts[0], int(parts[1])
    legend = row_legend(column, slot, lang) if slot < slots(column) else \
        f"{t(LIST_TITLES[column], lang)}, {t('card.list.row', lang, n=slot + 1).lower()}"
    label = ENTRY_LABELS.get((column, parts[2])) if len(parts) == 3 else None
    return f"{legend}: {t(label, lang)}" if label else legend


def _rows(column: str, entries: Any) -> list[Mapping[str, Any]]:
    entries = tuple(entries or ())
    if column == POC:  # one row per role: the first entry with that role
        return [next((e for e in entries if e.get("role") == role), {}) for role in
                CONTACT_ROLES]
    return list(entries[:slots(column)]) + [{}] * max(0, slots(column) - len(entries))


def list_values(entries: Mapping[str, Any]) -> dict[str, str]:
    """The list sections (column -> entries) as the form's strings."""
    values: dict[str, str] = {}
    for column in LISTS:
        for slot, entry in enumerate(_rows(column, entries.get(column))):
            for key in form_keys(column):
                values[f"{column}.{slot}.{key}"] = str(entry.get(key) or "")
    return values


def parse_lists(form: Mapping[str, Any], current: Mapping[str, Any]
                ) -> dict[str, tuple[dict[str, Any], ...]]:
    """The form's rows as entries, slot by slot (the checks number their fields by slot, so
    an empty row stays in place: sections.with_ids leaves it out on save). Entries the form
    has no row for (past its rows, a second contact with the same role) are kept as they
    are; `current` is what the record held when the form was loaded."""
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for column in LISTS:
        existing = tuple(current.get(column) or ())
        loaded = _rows(column, existing)
        rows: list[dict[str, Any]] = []
        for slot in range(slots(column)):
            entry = {key: str(form.get(f"{column}.{slot}.{key}", "") or "").strip()
                     for key in form_keys(column)}
            if column == POC:
                entry["role"] = CONTACT_ROLES[slot]
            # A row keeps the id of the entry it was loaded with (ids never reach the page).
            entry["id"] = str(loaded[slot].get("id") or "")
            rows.append({k: v for k, v in entry.items() if v})
        shown = {id(e) for e in loaded}
        kept = [dict(e) for e in existing if id(e) not in shown]
        out[column] = (*rows, *kept)
    return out


def _day(raw: Any, lang: str) -> str:
    try:
        return long_date(dt.date.fromisoformat(str(raw)), lang)
    except ValueError:
        return str(raw)


def entry_text(column: str, entry: Mapping[str, Any], lang: str) -> str:
    """One entry as a short line of text."""
    if column == POC:
        phone = str(entry.get("phone") or "").replace(" ", "\u00a0")  # one line on a phone
        parts = [entry.get("name"), entry.get("organisation"), phone]
        return f"{t(keyed('card.contact', entry.get('role', 'other')), lang)}: " + \
            ", ".join(str(p) for p in parts if p)
    if column == "medications":
        text = ", ".join(str(entry[k]) for k in ("name", "dose") if entry.get(k))
        if entry.get("atc"):
            text += f" (ATC {entry['atc']})"
    else:
        text = str(entry.get("text") or "")
        if entry.get("code"):
            system = entry.get("system") or "icd10"
            name = t(keyed("card.system", system), lang) if column == "medical_conditions" \
                else t("card.system.icd10", lang)
            text += f" ({name} {entry['code']})"
    for key in ("since", "started", "stopped"):
        if entry.get(key):
            text += f", {t(DATE_WORDS[key], lang).lower()} {_day(entry[key], lang)}"
    if column == "genetic_disorders" and entry.get("relation"):
        text += f", {t(keyed('card.relation', entry['relation']), lang).lower()}"
    return text


def section_lines(column: str, entries: Any, lang: str) -> list[str]:
    """The card's lines for one list ("Legemidler: …"), none when it is empty."""
    if not entries:
        return []
    if column == POC:
        return [entry_text(column, e, lang) for e in entries]
    label = t(LIST_TITLES[column], lang)
    return [f"{label}: {entry_text(column, e, lang)}" for e in entries]
