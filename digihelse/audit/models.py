"""The access log: who did what to whose data, append-only and hash-chained."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow


class AccessLog(SQLModel, table=True):
    __tablename__ = "access_log"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_pid: str | None = Field(default=None, max_length=11, index=True)
    actor_role: str = Field(max_length=32)
    actor_name: str | None = None
    actor_hpr: str | None = None
    organisation: str | None = None
    on_behalf_of_pid: str | None = Field(default=None, max_length=11)
    subject_pid: str | None = Field(default=None, max_length=11, index=True)
    object_type: str = Field(max_length=64)
    object_id: str | None = None
    action: str = Field(max_length=32)
    channel: str = Field(max_length=8)  # web, api, system
    outcome: str = Field(max_length=16)  # ok, denied, error, failed
    detail: str | None = None
    hidden_from_parents: bool = False
    prev_hash: str = Field(max_length=64)
    row_hash: str = Field(max_length=64, unique=True)
    # 1: row_hash is an HMAC with the audit key (DIGIHELSE_AUDIT_KEY), which the database
    # never holds; 0: a plain SHA-256, as rows written before the key existed.
    keyed: int = Field(default=1)


class AuditCheckpoint(SQLModel, table=True):
    """The chain's head at a moment (how many rows, the last row's id and hash), signed
    with the audit key: a cut-off tail or a chain rebuilt from scratch no longer matches."""

    __tablename__ = "audit_checkpoint"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    rows: int
    head_id: int
    head_hash: str = Field(max_length=64)
    signature: str = Field(max_length=64)
