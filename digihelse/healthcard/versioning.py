"""Every change to the card writes a CardVersion row with its author, in the same
transaction as the change (the change, its version and its access-log row commit together
or not at all). A version holds a snapshot of the whole item; the history compares them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from digihelse.access.actors import Actor
from digihelse.healthcard.models import (
    BirthPlan,
    CardVersion,
    Consultation,
    HomeReading,
    LabResult,
    OwnNote,
)
from digihelse.healthcard.views import AuthorView
from digihelse.people.registry import person_by_pid, personnel_by_pid

# Entities in the version table, and the object types in the access log.
E_RECORD, E_CONSULTATION, E_LAB, E_NOTE = ("pregnancy_record", "consultation", "lab_result",
                                           "own_note")
E_BIRTH_PLAN = "birth_plan"
E_HOME_READING = "home_reading"  # her own measurements at home ("målt selv")
# The items the woman can hide from fullmakt receivers one by one.
HIDEABLE = {E_CONSULTATION: Consultation, E_LAB: LabResult, E_NOTE: OwnNote,
            E_BIRTH_PLAN: BirthPlan, E_HOME_READING: HomeReading}


@dataclass(frozen=True)
class Author:
    pid: str
    view: AuthorView
    personnel_id: int | None


def author_of(s: Session, actor: Actor) -> Author:
    """Who is writing, from the registry (HPR number, role and organisation as registered),
    falling back to what the login said."""
    if actor.is_personnel:
        found = personnel_by_pid(s, actor.pid)
        if found is not None:
            person, worker = found
            return Author(actor.pid, AuthorView(person.full_name, str(worker.role),
                                                worker.hpr_number, worker.organisation),
                          worker.id)
        return Author(actor.pid, AuthorView(actor.name, actor.role, actor.hpr_number,
                                            actor.organisation), None)
    person = person_by_pid(s, actor.pid)
    return Author(actor.pid, AuthorView(person.full_name if person else actor.name,
                                        "citizen"), None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# Bookkeeping, and the consultation's gestational age, which is derived from the due date
# (a due-date change is versioned on the record, not on every consultation it moves).
_NOT_SNAPSHOTTED = frozenset({"id", "version", "created_at", "updated_at", "ga_days"})


def _snapshot(row: Any, **extra: Any) -> dict[str, Any]:
    data = {column.name: _jsonable(getattr(row, column.name))
            for column in row.__table__.columns if column.name not in _NOT_SNAPSHOTTED}
    data.update({key: _jsonable(value) for key, value in extra.items()})
    return data


def write_version(s: Session, record_id: int, entity: str, row: Any, author: Author, *,
                  action: str, at: dt.datetime, reason: str | None = None,
                  **extra: Any) -> CardVersion:
    """Add the row's version as it is now (extra: parts kept in other tables, e.g. the
    fetuses of a consultation)."""
    version = CardVersion(
        record_id=record_id, entity=entity, entity_id=row.id, version=row.version,
        action=action, snapshot=_snapshot(row, **extra), reason=reason,
        author_pid=author.pid, author_name=author.view.name, author_role=author.view.role,
        author_hpr=author.view.hpr_number, author_organisation=author.view.organisation,
        at=at)
    s.add(version)
    return version
