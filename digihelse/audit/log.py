"""Writing and verifying the access log.

Each row's hash covers its content and the previous row's hash, so removing, changing or
reordering rows breaks the chain; the database refuses UPDATE, DELETE and any insert
that does not append besides. The hash is an HMAC with the audit key, which lives in the
settings and never in the database: whoever can write the database cannot write a row
that verifies. Checkpoints (the head and the row count, signed with the same key) are
taken at intervals, so a cut-off tail or a chain rebuilt from scratch is found too. Rows
are appended inside the caller's write transaction, so an action and its record commit
together or not at all."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from digihelse.audit.models import AccessLog, AuditCheckpoint
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import aware_utc, utcnow

GENESIS = "0" * 64
_CHAINED_FIELDS = (
    "at", "actor_pid", "actor_role", "actor_name", "actor_hpr", "organisation",
    "on_behalf_of_pid", "subject_pid", "object_type", "object_id", "action", "channel",
    "outcome", "detail", "hidden_from_parents",
)


def _canonical(row: AccessLog) -> str:
    return _canonical_values({name: getattr(row, name) for name in _CHAINED_FIELDS})


def _canonical_values(fields: dict) -> str:
    values = {}
    for name in _CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=4)
def _key(configured: str | None, data_dir: Path) -> bytes:
    """DIGIHELSE_AUDIT_KEY; outside production, else a key file made once in the data
    folder (never the database), shared by every worker on the machine."""
    if configured:
        return configured.encode()
    path = data_dir / "audit.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def audit_key() -> bytes:
    settings = get_settings()
    return _key(settings.audit_key, settings.data_dir)


def row_hash(prev_hash: str, row: AccessLog, key: bytes | None = None) -> str:
    """The row's link: an HMAC with the audit key (or, for rows written before there
    was one, keyed = 0, a plain SHA-256)."""
    text = f"{prev_hash}|{_canonical(row)}".encode()
    if row.keyed == 0:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key or audit_key(), text, hashlib.sha256).hexdigest()


_TABLE = AccessLog.__table__
_LAST_HASH = select(_TABLE.c.row_hash).order_by(_TABLE.c.id.desc()).limit(1)


def chained_rows(prev_hash: str, entries: list[Entry], at: dt.datetime) -> list[dict]:
    """The access_log rows of these entries, linked onto prev_hash (the head now), as
    append() makes them: each row's HMAC covers its content and the row before."""
    key, rows = audit_key(), []
    for entry in entries:
        fields = {**entry.__dict__, "at": at}
        link = hmac.new(key, f"{prev_hash}|{_canonical_values(fields)}".encode(),
                        hashlib.sha256).hexdigest()
        rows.append({**fields, "prev_hash": prev_hash, "row_hash": link, "keyed": 1})
        prev_hash = link
    return rows


def write_reads(engine: Engine, entries: list[Entry]) -> None:
    """Append the access-log rows of a read that is done, and return once they are
    committed (durably: synchronous=FULL, or PostgreSQL's commit).

    What the log promises, and this keeps: no read of health data goes unlogged, even on
    a crash. The reader calls this after her reads and before their data leaves the
    service (enforcement.reading()), so data that was shown has a committed row: if the
    process or the machine dies before the commit, nothing was shown. The reader does not
    hold the write lock while she reads, nor wait for a commit of her own: on SQLite the
    rows join the writer's next group commit (core/writer.py) with whatever else is
    being written; on PostgreSQL they take a short transaction of their own (the chain's
    advisory lock orders several writers, as for append())."""
    if not entries:
        return
    from digihelse.core.writer import writer_for

    group = writer_for(engine)
    if group is not None:
        group.run(lambda conn: append_rows(conn, entries))
        return
    with engine.begin() as conn:
        append_rows(conn, entries)


async def write_reads_async(engine: Engine, entries: list[Entry]) -> None:
    """write_reads() for a caller on an event loop: it awaits the commit without holding a
    worker thread while the group commit is under way. The same promise."""
    if not entries:
        return
    from digihelse.core.writer import writer_for

    group = writer_for(engine)
    if group is not None:
        await asyncio.wrap_future(group.submit(lambda conn: append_rows(conn, entries)))
    else:
        await asyncio.to_thread(write_reads, engine, entries)


def append_rows(conn: Connection, entries: list[Entry], at: dt.datetime | None = None) -> None:
    """Append records on a Core connection, in its transaction (the lean path: one read of
    the head and one INSERT a row). The same rows, hashes and locks as append()."""
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    prev = conn.execute(_LAST_HASH).scalar() or GENESIS
    for row in chained_rows(prev, entries, at or utcnow()):
        # One by one: the guard trigger checks each against the row before it.
        conn.execute(_TABLE.insert(), row)


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
    row = AccessLog(at=at or utcnow(), prev_hash=last or GENESIS, row_hash="", keyed=1,
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


def verify(s: Session, key: bytes | None = None) -> ChainReport:
    """Walk the whole log and check every link of the chain, then the latest checkpoint:
    its signature, and that the row it names is still there with the same hash."""
    key = key or audit_key()
    last = s.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
    prev = GENESIS
    count = 0
    keyed_seen = False
    head_now = None  # the checkpoint's head row's hash as it is now
    for row in s.exec(select(AccessLog).order_by(AccessLog.id)):
        count += 1
        if row.prev_hash != prev:
            return ChainReport(count, False, row.id, "the link to the previous row is broken")
        if row.keyed == 0 and keyed_seen:
            return ChainReport(count, False, row.id, "an unkeyed row after keyed ones")
        keyed_seen = keyed_seen or row.keyed != 0
        if not hmac.compare_digest(row_hash(prev, row, key), row.row_hash):
            return ChainReport(count, False, row.id, "the row's content does not match its hash")
        prev = row.row_hash
        if last is not None and row.id == last.head_id:
            head_now = row.row_hash
    if last is not None:
        if not hmac.compare_digest(_signature(last, key), last.signature):
            return ChainReport(count, False, None, "the latest checkpoint is not ours")
        if head_now != last.head_hash or count < last.rows:
            return ChainReport(count, False, last.head_id,
                               "rows are missing or rewritten since the latest checkpoint")
    return ChainReport(count, True)


def _signature(point: AuditCheckpoint, key: bytes) -> str:
    at = aware_utc(point.at).isoformat(timespec="microseconds")
    text = f"{point.rows}|{point.head_id}|{point.head_hash}|{at}".encode()
    return hmac.new(key, b"checkpoint|" + text, hashlib.sha256).hexdigest()


def checkpoint(s: Session, now: dt.datetime | None = None) -> AuditCheckpoint | None:
    """Sign the chain's head as it is now (the caller commits); None for an empty log."""
    _lock_chain(s)
    head = s.exec(select(AccessLog).order_by(AccessLog.id.desc()).limit(1)).first()
    if head is None:
        return None
    rows = s.exec(select(func.count()).select_from(AccessLog)).one()
    point = AuditCheckpoint(at=aware_utc(now or utcnow()), rows=rows,
                            head_id=head.id, head_hash=head.row_hash, signature="")
    point.signature = _signature(point, audit_key())
    s.add(point)
    s.flush()
    return point
