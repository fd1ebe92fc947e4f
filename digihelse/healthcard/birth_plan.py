"""Her wishes for the birth ("Ønsker for fødselen"): a short form she fills in on her
phone, read by her midwife and GP and printed with her card. She may leave any field
empty and come back; a partner with fullmakt reads it only if she has not hidden it.

Every read and write is checked by the card's rules and written to the access log, and
each change is a version of the card, as her notes are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import select

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc
from digihelse.healthcard.errors import fail_if
from digihelse.healthcard.guard import is_proxy, log, require
from digihelse.healthcard.lookup import record_for
from digihelse.healthcard.models import BirthPlan, PainRelief
from digihelse.healthcard.validation import BIRTH_PLAN_LIMITS, validate_birth_plan
from digihelse.healthcard.versioning import E_BIRTH_PLAN, author_of, write_version

TEXT_FIELDS = tuple(BIRTH_PLAN_LIMITS)


@dataclass(frozen=True)
class BirthPlanDraft:
    """What she wrote, as the form sends it."""

    pain_relief: tuple[str, ...] = ()
    pain_relief_text: str = ""
    companions: str = ""
    language: str = ""
    interpreter: bool = False
    fears: str = ""
    feeding: str = ""
    other: str = ""
    hidden_from_proxy: bool = False


@dataclass(frozen=True)
class BirthPlanView:
    """Her birth plan as the viewer may see it; `written` False when she has not begun."""

    draft: BirthPlanDraft = field(default_factory=BirthPlanDraft)
    written: bool = False
    updated_at: dt.datetime | None = None
    may_edit: bool = False


def _draft_of(row: BirthPlan) -> BirthPlanDraft:
    return BirthPlanDraft(
        pain_relief=tuple(p for p in PainRelief if p.value in (row.pain_relief or [])),
        pain_relief_text=row.pain_relief_text, companions=row.companions,
        language=row.language, interpreter=row.interpreter, fears=row.fears,
        feeding=row.feeding, other=row.other, hidden_from_proxy=row.hidden_from_proxy)


def birth_plan(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str) -> BirthPlanView:
    """Her birth plan, for her, her carers, or a partner with fullmakt (who gets an empty
    one, as if none were written, when she hid it). CardNotFound without a card."""
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Action.VIEW_CARD, object_type=E_BIRTH_PLAN)
        _woman, record = record_for(s, woman_pid)
        row = s.exec(select(BirthPlan).where(BirthPlan.record_id == record.id)).first()
        may_edit = decision.allows(Action.WRITE_OWN_NOTES)
        if row is None or (row.hidden_from_proxy and is_proxy(decision.relation)):
            return BirthPlanView(may_edit=may_edit)
        log(s, actor, woman_pid, "read", E_BIRTH_PLAN, row.id)
        return BirthPlanView(_draft_of(row), written=True, updated_at=row.updated_at,
                             may_edit=may_edit)


def save_birth_plan(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                    draft: BirthPlanDraft, *, now: dt.datetime | None = None) -> BirthPlan:
    """She saves her birth plan (only she writes it). Free text loses control characters;
    a field too long or a choice not offered is refused with every problem at once."""
    now = aware_utc(now)
    texts = {name: getattr(draft, name) or "" for name in TEXT_FIELDS}
    fail_if(validate_birth_plan(list(draft.pain_relief), draft.feeding, texts))
    values = {
        "pain_relief": [p.value for p in PainRelief if p.value in draft.pain_relief],
        **{name: plain_text(value) for name, value in texts.items()},
        "interpreter": bool(draft.interpreter), "feeding": draft.feeding,
        "hidden_from_proxy": bool(draft.hidden_from_proxy),
    }
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_BIRTH_PLAN)
        _woman, record = record_for(s, woman_pid, lock=True)
        row = s.exec(select(BirthPlan).where(BirthPlan.record_id == record.id)).first()
        action = "update"
        if row is None:
            row, action = BirthPlan(record_id=record.id, created_at=now, updated_at=now,
                                    **values), "create"
        elif all(getattr(row, name) == value for name, value in values.items()):
            return row  # nothing changed: no new version
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.version, row.updated_at = row.version + 1, now
        s.add(row)
        s.flush()
        write_version(s, record.id, E_BIRTH_PLAN, row, author_of(s, actor), action=action,
                      at=now)
        log(s, actor, woman_pid, action, E_BIRTH_PLAN, row.id)
        return row
