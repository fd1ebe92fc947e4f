"""The card's structured background sections, level with NHN's HIT Maternity Record
(issue #20): points of contact, medical conditions, medication and genetic disorders, each
a list of entries with a stable ``id``. Pure: the keys, the code systems, and the checks.

Each check returns ``{field: i18n key}`` like validation.py, fields named
``<column>.<slot>.<key>`` (slot = the entry's place in the list, as the form numbers its
rows).

Codes. Where the national card uses a Volven code system we store the code and the system's
key; the OIDs below are the Volven OIDs HL7 Norway's no-basis profiles use for these
systems (ICD-10 7110, ICPC-2 7170, ATC 7180). Where we could not verify an official code
list (the roles of a point of contact, the relation of a genetic disorder, the lifestyle
answers), the values are OUR OWN stable keys, not official codes, and the export says so
(``system`` "digihelse")."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

Errors = dict[str, str]

# The record's columns holding these sections, and the section a woman hides them with
# (models.Section values: medical facts go with "health", contacts with "contacts").
COLUMNS = ("points_of_contact", "medical_conditions", "medications", "genetic_disorders")
HIDDEN_WITH = {"points_of_contact": "contacts", "medical_conditions": "health",
               "medications": "health", "genetic_disorders": "health"}

# Code systems: our key -> (Volven OID as used by HL7 Norway no-basis, code pattern).
CODE_SYSTEMS: dict[str, tuple[str, re.Pattern[str]]] = {
    "icd10": ("urn:oid:2.16.578.1.12.4.1.1.7110",
              re.compile(r"[A-Z][0-9]{2}(\.?[0-9A-Z]{1,2})?")),
    "icpc2": ("urn:oid:2.16.578.1.12.4.1.1.7170", re.compile(r"[A-Z][0-9]{2}")),
}
ATC_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.7180"
ATC = re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?")
# Our own keys (no verified national code list): marked as such in the export.
OWN_SYSTEM = "digihelse"
CONTACT_ROLES = ("gp", "midwife", "birth_institution", "other")
GENETIC_RELATIONS = ("self", "partner", "family")

# The keys of one entry in each list (besides "id").
KEYS: dict[str, tuple[str, ...]] = {
    "points_of_contact": ("role", "name", "organisation", "phone"),
    "medical_conditions": ("system", "code", "text", "since"),
    "medications": ("name", "atc", "dose", "started", "stopped"),
    "genetic_disorders": ("relation", "code", "text"),
}
REQUIRED = {"points_of_contact": ("role", "name"), "medical_conditions": ("text",),
            "medications": ("name",), "genetic_disorders": ("text",)}
DATES = {"medical_conditions": ("since",), "medications": ("started", "stopped")}
MAX_ENTRIES = 30
TEXT_MAX = 200
PHONE = re.compile(r"\+?[0-9 ]{3,20}")
ID = re.compile(r"[a-z0-9]{1,16}")

# How many rows of each list the carer's form shows (empty rows are left out on save).
FORM_SLOTS = {"medical_conditions": 3, "medications": 4, "genetic_disorders": 2}


# The keys that say what an entry is (the others qualify it: a role, a code system).
QUALIFIERS = frozenset({"role", "system", "relation"})


def new_id() -> str:
    return secrets.token_hex(4)


def is_empty(column: str, entry: Mapping[str, Any]) -> bool:
    """A row the form left empty (only its qualifiers set): not stored, not checked."""
    return not any(str(entry.get(key) or "").strip() for key in KEYS[column]
                   if key not in QUALIFIERS)


def with_ids(column: str, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The entries as stored: empty rows left out, empty values dropped, each entry keeps
    its id and a new one gets one."""
    return [{**{k: v.strip() if isinstance(v, str) else v for k, v in entry.items()
                if v not in (None, "")}, "id": entry.get("id") or new_id()}
            for entry in entries if not is_empty(column, entry)]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def validate_entries(column: str, entries: Any, *, today: dt.date) -> Errors:
    """Every problem with one list section, by field."""
    if entries is None:
        return {}
    if not isinstance(entries, list | tuple):
        return {column: "card.error.invalid"}
    if len(entries) > MAX_ENTRIES:
        return {column: "card.error.too_many"}
    errors: Errors = {}
    seen: set[str] = set()
    for slot, entry in enumerate(entries):
        prefix = f"{column}.{slot}"
        if not isinstance(entry, Mapping):
            errors[prefix] = "card.error.invalid"
            continue
        if is_empty(column, entry) and not set(entry) - {*KEYS[column], "id"}:
            continue
        for key in set(entry) - {*KEYS[column], "id"}:
            errors[f"{prefix}.{key}"] = "card.error.unknown_field"
        ident = entry.get("id")
        if ident is not None and (not isinstance(ident, str) or not ID.fullmatch(ident)
                                  or ident in seen):
            errors[f"{prefix}.id"] = "card.error.invalid"
        seen.add(str(ident))
        for key in KEYS[column]:
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                errors[f"{prefix}.{key}"] = "card.error.invalid"
            elif value is not None and len(value) > TEXT_MAX:
                errors[f"{prefix}.{key}"] = "card.error.too_long"
        for key in REQUIRED[column]:
            if not str(entry.get(key) or "").strip() and f"{prefix}.{key}" not in errors:
                errors[f"{prefix}.{key}"] = "card.error.required"
        for key in DATES.get(column, ()):
            raw = entry.get(key)
            if raw in (None, "") or f"{prefix}.{key}" in errors:
                continue
            day = _date(raw)
            if day is None:
                errors[f"{prefix}.{key}"] = "card.error.invalid"
            elif day > today:
                errors[f"{prefix}.{key}"] = "card.error.date_in_future"
        _entry_rules(errors, column, prefix, entry)
    return errors


def _entry_rules(errors: Errors, column: str, prefix: str, entry: Mapping[str, Any]) -> None:
    def ok(key: str) -> bool:
        return f"{prefix}.{key}" not in errors and bool(entry.get(key))

    if column == "points_of_contact":
        if ok("role") and entry["role"] not in CONTACT_ROLES:
            errors[f"{prefix}.role"] = "card.error.choice"
        if ok("phone") and not PHONE.fullmatch(entry["phone"].strip()):
            errors[f"{prefix}.phone"] = "card.error.phone"
    elif column == "medical_conditions":
        system = entry.get("system") or ""
        if system and system not in CODE_SYSTEMS:
            errors[f"{prefix}.system"] = "card.error.choice"
        elif ok("code"):
            pattern = CODE_SYSTEMS.get(system or "icd10")
            if pattern is not None and not pattern[1].fullmatch(entry["code"].strip()):
                errors[f"{prefix}.code"] = "card.error.code_format"
    elif column == "medications":
        if ok("atc") and not ATC.fullmatch(entry["atc"].strip()):
            errors[f"{prefix}.atc"] = "card.error.atc_format"
        started, stopped = _date(entry.get("started")), _date(entry.get("stopped"))
        if ok("stopped") and started and stopped and stopped < started:
            errors[f"{prefix}.stopped"] = "card.error.date_order"
    elif column == "genetic_disorders":
        if ok("relation") and entry["relation"] not in GENETIC_RELATIONS:
            errors[f"{prefix}.relation"] = "card.error.choice"
        if ok("code") and not CODE_SYSTEMS["icd10"][1].fullmatch(entry["code"].strip()):
            errors[f"{prefix}.code"] = "card.error.code_format"


def validate_sections(values: Mapping[str, Any], *, today: dt.date) -> Errors:
    """Every problem in every list section of a draft (``values``: column -> entries)."""
    errors: Errors = {}
    for column in COLUMNS:
        errors.update(validate_entries(column, values.get(column), today=today))
    return errors
