"""The card's list sections (healthcard/sections.py) without Reflex: as the carer form's
strings and back (one row of fields per entry, a fixed number of rows), and as the card's
lines ("Legemidler: Folsyre, 0,4 mg daglig (ATC B03BB01), startet 1. okt.")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.healthcard.sections import CONTACT_ROLES, FORM_SLOTS, KEYS, QUALIFIERS

# The list columns the form shows in the health section, and their row counts.
HEALTH_LISTS = ("medical_conditions", "medications", "genetic_disorders")
POC = "points_of_contact"


def slots(column: str) -> int:
    return len(CONTACT_ROLES) if column == POC else FORM_SLOTS[column]


def form_keys(column: str) -> tuple[str, ...]:
    """The fields of one row (a point of contact's role is its row's)."""
    return tuple(key for key in KEYS[column] if not (column == POC and key == "role"))


def field_names() -> tuple[str, ...]:
    return tuple(f"{column}.{slot}.{key}" for column in (*HEALTH_LISTS, POC)
                 for slot in range(slots(column)) for key in ("id", *form_keys(column)))


def _rows(column: str, entries: tuple[Mapping[str, Any], ...] | None
          ) -> list[Mapping[str, Any]]:
    entries = tuple(entries or ())
    if column == POC:  # one row per role: the first entry with that role
        return [next((e for e in entries if e.get("role") == role), {}) for role in
                CONTACT_ROLES]
    return list(entries[:slots(column)]) + [{}] * max(0, slots(column) - len(entries))


def list_values(draft: Any) -> dict[str, str]:
    """The draft's list sections as the form's strings."""
    values: dict[str, str] = {}
    for column in (*HEALTH_LISTS, POC):
        for slot, entry in enumerate(_rows(column, getattr(draft, column))):
            for key in ("id", *form_keys(column)):
                values[f"{column}.{slot}.{key}"] = str(entry.get(key) or "")
    return values


def parse_lists(form: Mapping[str, Any], draft: Any) -> dict[str, tuple[dict[str, Any], ...]]:
    """The form's rows as entries, slot by slot (the checks number their fields by slot, so
    an empty row stays in place: sections.with_ids leaves it out on save). Entries the form
    has no row for (more than its rows, a second contact with the same role) are kept."""
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for column in (*HEALTH_LISTS, POC):
        rows: list[dict[str, Any]] = []
        for slot in range(slots(column)):
            entry = {key: str(form.get(f"{column}.{slot}.{key}", "") or "").strip()
                     for key in ("id", *form_keys(column))}
            if column == POC:
                entry["role"] = CONTACT_ROLES[slot]
            rows.append({k: v for k, v in entry.items() if v})
        shown = {row.get("id") for row in rows if row.get("id")}
        kept = [dict(e) for e in (getattr(draft, column, None) or ())
                if e.get("id") and e.get("id") not in shown
                and e not in _rows(column, getattr(draft, column, None))]
        out[column] = (*rows, *kept)
    return out


def _day(raw: Any, lang: str) -> str:
    try:
        return day_month(dt.date.fromisoformat(str(raw)), lang)
    except ValueError:
        return str(raw)


def entry_text(column: str, entry: Mapping[str, Any], lang: str) -> str:
    """One entry as a short line of text."""
    if column == POC:
        parts = [entry.get("name"), entry.get("organisation"), entry.get("phone")]
        return f"{t(keyed('card.contact', entry.get('role', 'other')), lang)}: " + \
            ", ".join(str(p) for p in parts if p)
    if column == "medications":
        text = ", ".join(str(entry[k]) for k in ("name", "dose") if entry.get(k))
        if entry.get("atc"):
            text += f" (ATC {entry['atc']})"
        for key in ("started", "stopped"):
            if entry.get(key):
                text += f", {t(f'card.entry.{key}', lang).lower()} {_day(entry[key], lang)}"
        return text
    text = str(entry.get("text") or "")
    if entry.get("code"):
        text += f" ({entry['code']})"
    if column == "medical_conditions" and entry.get("since"):
        text += f", {t('card.entry.since', lang).lower()} {_day(entry['since'], lang)}"
    if column == "genetic_disorders" and entry.get("relation"):
        text += f", {t(keyed('card.relation', entry['relation']), lang).lower()}"
    return text


def section_lines(column: str, entries: tuple[Mapping[str, Any], ...] | None, lang: str
                  ) -> list[str]:
    """The card's lines for one list ("Legemidler: …"), none when it is empty."""
    if not entries:
        return []
    label = t(f"card.list.{column}", lang)
    if column == POC:
        return [entry_text(column, e, lang) for e in entries]
    return [f"{label}: {entry_text(column, e, lang)}" for e in entries]


__all__ = ["HEALTH_LISTS", "POC", "QUALIFIERS", "entry_text", "field_names", "form_keys",
           "list_values", "parse_lists", "section_lines", "slots"]
