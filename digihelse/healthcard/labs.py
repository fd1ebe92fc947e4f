"""Test results on the card (blood type, Hb, infections, ...): recorded by a midwife or GP,
corrected with a reason."""

from __future__ import annotations

import datetime as dt

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard.errors import check_version, fail_if
from digihelse.healthcard.guard import log, require
from digihelse.healthcard.lookup import item, record_for
from digihelse.healthcard.models import LabResult
from digihelse.healthcard.validation import (
    LAB_RULES,
    LabDraft,
    parse_number,
    validate_lab,
    validate_reason,
)
from digihelse.healthcard.versioning import E_LAB, author_of, write_version


def _fill_lab(row: LabResult, draft: LabDraft) -> None:
    rule = LAB_RULES[draft.kind]
    row.kind, row.taken_on = draft.kind, draft.taken_on
    row.value = plain_text(draft.value)
    row.value_num = parse_number(draft.value) if rule.numeric else None
    row.unit = rule.unit
    row.note = plain_text(draft.note)


def record_lab_result(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                      draft: LabDraft, *, now: dt.datetime | None = None) -> LabResult:
    """A midwife or GP records a test result (blood type, Hb, infections, ...)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_LAB)
        _woman, record = record_for(s, woman_pid)
        fail_if(validate_lab(draft, today=to_oslo(now).date()))
        author = author_of(s, actor)
        row = LabResult(record_id=record.id, kind=draft.kind, taken_on=draft.taken_on,
                        value="", hidden_from_proxy=draft.hidden_from_proxy,
                        author_personnel_id=author.personnel_id, created_at=now,
                        updated_at=now)
        _fill_lab(row, draft)
        s.add(row)
        s.flush()
        write_version(s, record.id, E_LAB, row, author, action="create", at=now)
        log(s, actor, woman_pid, "create", E_LAB, row.id)
        return row


def edit_lab_result(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                    lab_id: int, draft: LabDraft, reason: str, *,
                    now: dt.datetime | None = None, expected_version: int | None = None
                    ) -> LabResult:
    """Correct a test result; as with consultations, an edit can hide it, never show it."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_LAB, object_id=lab_id)
        _woman, record = record_for(s, woman_pid)
        row = item(s, LabResult, lab_id, record)
        check_version(row, expected_version)
        fail_if({**validate_lab(draft, today=to_oslo(now).date()), **validate_reason(reason)})
        _fill_lab(row, draft)
        row.hidden_from_proxy = row.hidden_from_proxy or draft.hidden_from_proxy
        row.version += 1
        row.updated_at = now
        s.add(row)
        s.flush()
        write_version(s, record.id, E_LAB, row, author_of(s, actor), action="update", at=now,
                      reason=plain_text(reason))
        log(s, actor, woman_pid, "update", E_LAB, row.id)
        return row
