"""Consultations: a midwife or GP records one check-up (the mobile form) or corrects it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard import dating
from digihelse.healthcard.errors import check_version, fail_if
from digihelse.healthcard.guard import log, require
from digihelse.healthcard.lookup import item, record_for
from digihelse.healthcard.models import Consultation, FetusObservation
from digihelse.healthcard.validation import (
    ConsultationDraft,
    validate_consultation,
    validate_reason,
)
from digihelse.healthcard.versioning import E_CONSULTATION, author_of, write_version
from digihelse.healthcard.views import FetusView


def fetus_rows(s: Session, consultation_ids: Sequence[int]) -> dict[int, list[FetusView]]:
    """Each consultation's fetus observations, by consultation id."""
    rows: dict[int, list[FetusView]] = {}
    if not consultation_ids:
        return rows
    for row in s.exec(select(FetusObservation)
                      .where(col(FetusObservation.consultation_id).in_(consultation_ids))
                      .order_by(FetusObservation.fetus_no)):
        rows.setdefault(row.consultation_id, []).append(
            FetusView(row.fetus_no, row.heart_rate, row.presentation, row.movements))
    return rows


def _write_fetuses(s: Session, consultation: Consultation, draft: ConsultationDraft) -> None:
    for old in s.exec(select(FetusObservation)
                      .where(FetusObservation.consultation_id == consultation.id)):
        s.delete(old)
    s.flush()
    for fetus in sorted(draft.fetuses, key=lambda f: f.fetus_no):
        s.add(FetusObservation(consultation_id=consultation.id, fetus_no=fetus.fetus_no,
                               heart_rate=fetus.heart_rate, presentation=fetus.presentation,
                               movements=fetus.movements))
    s.flush()


def _fill(consultation: Consultation, draft: ConsultationDraft, due: dt.date) -> None:
    consultation.held_on = draft.held_on
    consultation.ga_days = dating.gestational_age_days(due, draft.held_on)
    consultation.weight_kg = draft.weight_kg
    consultation.bp_systolic, consultation.bp_diastolic = draft.bp_systolic, draft.bp_diastolic
    consultation.urine_protein = draft.urine_protein
    consultation.oedema = draft.oedema
    consultation.sf_height_cm = draft.sf_height_cm
    consultation.note = plain_text(draft.note)


def _fetus_snapshot(draft: ConsultationDraft) -> list[dict[str, Any]]:
    return [{"fetus_no": f.fetus_no, "heart_rate": f.heart_rate,
             "presentation": f.presentation, "movements": f.movements}
            for f in sorted(draft.fetuses, key=lambda f: f.fetus_no)]


def record_consultation(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                        draft: ConsultationDraft, now: dt.datetime | None = None
                        ) -> Consultation:
    """A midwife or GP records one consultation (the mobile form).

    Raises AccessDenied (logged), CardNotFound, or ValidationFailed(errors) without writing
    anything, so the form keeps the draft."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_CONSULTATION)
        _woman, record = record_for(s, woman_pid)
        fail_if(validate_consultation(draft, due_date=record.due_date,
                                      fetuses=record.fetuses, today=to_oslo(now).date()))
        assert record.due_date is not None  # validation refuses a card without one
        author = author_of(s, actor)
        consultation = Consultation(record_id=record.id, held_on=draft.held_on, ga_days=0,
                                    hidden_from_proxy=draft.hidden_from_proxy,
                                    author_personnel_id=author.personnel_id,
                                    created_at=now, updated_at=now)
        _fill(consultation, draft, record.due_date)
        s.add(consultation)
        s.flush()
        _write_fetuses(s, consultation, draft)
        write_version(s, record.id, E_CONSULTATION, consultation, author, action="create",
                      at=now, fetuses=_fetus_snapshot(draft))
        log(s, actor, woman_pid, "create", E_CONSULTATION, consultation.id)
        return consultation


def edit_consultation(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                      consultation_id: int, draft: ConsultationDraft, reason: str, *,
                      now: dt.datetime | None = None, expected_version: int | None = None
                      ) -> Consultation:
    """Correct a consultation; a reason is required and kept with the new version.

    Hiding from fullmakt receivers is the woman's choice: an edit can hide, never show."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_CONSULTATION,
                object_id=consultation_id)
        _woman, record = record_for(s, woman_pid)
        consultation = item(s, Consultation, consultation_id, record)
        check_version(consultation, expected_version)
        fail_if({**validate_consultation(draft, due_date=record.due_date,
                                         fetuses=record.fetuses, today=to_oslo(now).date()),
                 **validate_reason(reason)})
        assert record.due_date is not None
        _fill(consultation, draft, record.due_date)
        consultation.hidden_from_proxy = consultation.hidden_from_proxy or draft.hidden_from_proxy
        consultation.version += 1
        consultation.updated_at = now
        s.add(consultation)
        s.flush()
        _write_fetuses(s, consultation, draft)
        write_version(s, record.id, E_CONSULTATION, consultation, author_of(s, actor),
                      action="update", at=now, reason=plain_text(reason),
                      fetuses=_fetus_snapshot(draft))
        log(s, actor, woman_pid, "update", E_CONSULTATION, consultation.id)
        return consultation
