"""Writing and verifying the access log.

Each row's hash covers its content and the previous row's hash, so removing, changing or
reordering rows breaks the chain; the database refuses UPDATE and DELETE besides. Rows
are appended inside the caller's write transaction, so an action and its record commit
together or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from digihelse.audit.models import AccessLog
from digihelse.core.timeutil import utcnow

GENESIS = "0" * 64
_CHAINED_FIELDS = (
    "at", "actor_pid", "actor_role", "actor_name", "actor_hpr", "organisation",
    "on_behalf_of_pid", "subject_pid", "object_type", "object_id", "action", "channel",
    "outcome", "detail", "hidden_from_parents",
)


def _canonical(row: AccessLog) -> str:
    values = {}
    for name in _CHAINED_FIELDS:
        value = getattr(row, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(prev_hash: str, row: AccessLog) -> str:
    return hashlib.sha256(f"{prev_hash}|{_canonical(row)}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One thing to log. Actor fields describe who acted; subject whose data it was."""

    action: str  # read, create, update, delete, login, logout, ...
    object_type: str  # e.g. "appointment", "pregnancy_record", "session"
    outcome: str = "ok"  # ok, denied, failed, error
    channel: str = "web"  # web, api, system
    actor_pid: str | None = None
    actor_role: str = "anonymous"
    actor_name: str | None = None
    actor_hpr: str | None = None
    organisation: str | None = None
    on_behalf_of_pid: str | None = None
    subject_pid: str | None = None
    object_id: str | None = None
    detail: str | None = None
    hidden_from_parents: bool = False


def _lock_chain(s: Session) -> None:
    # SQLite writers are serialised by BEGIN IMMEDIATE; PostgreSQL needs a lock so two
    # transactions cannot both chain onto the same previous row.
    if s.get_bind().dialect.name == "postgresql":
        s.exec(text("SELECT pg_advisory_xact_lock(727274)"))


def append(s: Session, entry: Entry, at: dt.datetime | None = None) -> AccessLog:
    """Append one record in the session's transaction (the caller commits)."""
    _lock_chain(s)
    last = s.exec(select(AccessLog.row_hash).order_by(AccessLog.id.desc()).limit(1)).first()
    row = AccessLog(at=at or utcnow(), prev_hash=last or GENESIS, row_hash="",
                    **entry.__dict__)
    row.row_hash = row_hash(row.prev_hash, row)
    s.add(row)
    s.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    rows: int
    ok: bool
    first_bad_id: int | None = None
    problem: str | None = None


def verify(s: Session) -> ChainReport:
    """Walk the whole log and check every link of the chain."""
    prev = GENESIS
    count = 0
    for row in s.exec(select(AccessLog).order_by(AccessLog.id)):
        count += 1
        if row.prev_hash != prev:
            return ChainReport(count, False, row.id, "the link to the previous row is broken")
        if row_hash(prev, row) != row.row_hash:
            return ChainReport(count, False, row.id, "the row's content does not match its hash")
        prev = row.row_hash
    return ChainReport(count, True)
