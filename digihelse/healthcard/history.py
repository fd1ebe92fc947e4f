"""The card's history: every version of everything on it, with who changed what and why."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.healthcard.guard import (
    ENDING_FIELDS,
    check_ended_card,
    is_proxy,
    log,
    notes_visible,
    previous_for,
    require,
)
from digihelse.healthcard.lookup import record_for
from digihelse.healthcard.models import CardVersion, PregnancyRecord, Section
from digihelse.healthcard.sections import HIDDEN_WITH
from digihelse.healthcard.versioning import E_HOME_READING, E_NOTE, E_RECORD, HIDEABLE
from digihelse.healthcard.views import AuthorView, FieldChange, VersionView

# Which record columns belong to which section a woman can hide from fullmakt receivers.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    Section.BEFORE_PREGNANCY: ("height_cm", "weight_before_kg"),
    Section.PREVIOUS_PREGNANCIES: ("previous_pregnancies",),
    Section.HEALTH: ("health",),
    Section.LIFESTYLE: ("lifestyle",),
    Section.CONTACTS: ("contacts",),
}
# The list sections (issue #20) are hidden with the section they belong to.
for _column, _section in HIDDEN_WITH.items():
    if _column not in SECTION_FIELDS[_section]:
        SECTION_FIELDS[_section] = (*SECTION_FIELDS[_section], _column)


def _hidden_entities(s: Session, record: PregnancyRecord) -> set[tuple[str, int]]:
    hidden: set[tuple[str, int]] = set()
    for entity, model in HIDEABLE.items():
        ids = s.exec(select(model.id).where(model.record_id == record.id,
                                            model.hidden_from_proxy))
        hidden |= {(entity, item_id) for item_id in ids}
    return hidden


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    names = sorted(set(before) | set(after))
    return tuple(FieldChange(name, before.get(name), after.get(name)) for name in names
                 if before.get(name) != after.get(name))


def history(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
            ) -> list[VersionView]:
    """Every version of everything on the woman's active card, newest first, with who made
    it (name, HPR number, role, organisation), when, why, and what changed.

    A fullmakt receiver sees neither hidden items nor changes to hidden sections."""
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Action.VIEW_CARD, object_type="history")
        _woman_row, record = record_for(s, woman_pid)
        check_ended_card(decision.relation, record)
        rows = list(s.exec(select(CardVersion).where(CardVersion.record_id == record.id)
                           .order_by(col(CardVersion.entity), col(CardVersion.entity_id),
                                     col(CardVersion.version))))
        proxy = is_proxy(decision.relation)
        hidden_items = _hidden_entities(s, record) if proxy else set()
        hidden_fields = {name for section in (record.hidden_sections or ())
                         for name in SECTION_FIELDS.get(section, ())} if proxy else set()
        hidden_fields |= {"hidden_sections"} if proxy else set()
        # Her readings at home: none while she hides the section, and not one she hid
        # (also once deleted: its last version still says it was hidden).
        home_hidden = proxy and Section.HOME_READINGS in (record.hidden_sections or ())
        hidden_items |= {(E_HOME_READING, row.entity_id) for row in rows
                         if proxy and row.entity == E_HOME_READING
                         and (home_hidden or (row.snapshot or {}).get("hidden_from_proxy"))}
        # How the pregnancy ended (and any correction of it) is not in his history.
        hidden_fields |= ENDING_FIELDS if proxy else set()
        views: list[VersionView] = []
        previous: dict[tuple[str, int], dict[str, Any]] = {}
        for row in rows:
            key = (row.entity, row.entity_id)
            snapshot = {k: v for k, v in (row.snapshot or {}).items()
                        if not (row.entity == E_RECORD and k in hidden_fields)}
            if proxy and row.entity == E_RECORD and "previous_pregnancies" in snapshot:
                snapshot["previous_pregnancies"] = previous_for(
                    snapshot["previous_pregnancies"], proxy)
            changes = _changes(previous.get(key, {}), snapshot)
            previous[key] = snapshot
            if key in hidden_items or (proxy and not changes and row.action != "create") \
                    or (row.entity == E_NOTE and not notes_visible(decision.relation)):
                continue
            views.append(VersionView(
                row.entity, row.entity_id, row.version, row.action, row.at,
                AuthorView(row.author_name, row.author_role, row.author_hpr,
                           row.author_organisation), row.reason, changes))
        views.sort(key=lambda v: (v.at, v.entity, v.entity_id, v.version), reverse=True)
        log(s, actor, woman_pid, "read", "history", record.id)
        return views
