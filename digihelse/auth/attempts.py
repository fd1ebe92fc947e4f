"""Our side of a login in the database: the attempt (state, nonce, PKCE verifier, where to
go next) taken exactly once by its callback, and the hashes of redeemed codes, so a
replayed code is refused on any worker."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from digihelse.auth.models import LoginAttempt, UsedAuthCode
from digihelse.core.db import write_session

USED_CODE_RETENTION = 24 * 3600  # seconds; a code is long dead at the provider by then


@dataclass(frozen=True)
class Attempt:
    """A plain copy of a consumed LoginAttempt row."""

    provider: str
    nonce: str
    code_verifier: str
    next_path: str
    locale: str
    expires_at: dt.datetime


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def utc(ts: float) -> dt.datetime:
    """Aware UTC: SQLModel maps datetime fields to UTCDateTime, which refuses naive values."""
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    # Some backends hand back naive values; those are UTC by our convention.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def store_attempt(engine: Engine | None, attempt: LoginAttempt, now: float) -> None:
    with write_session(engine) as s:
        # Abandoned attempts and old code hashes are swept here, so no job is needed.
        s.exec(delete(LoginAttempt).where(LoginAttempt.expires_at < utc(now)))
        s.exec(delete(UsedAuthCode).where(UsedAuthCode.used_at < utc(now - USED_CODE_RETENTION)))
        s.add(attempt)


def consume_attempt(engine: Engine | None, state_hash: str) -> Attempt | None:
    """The attempt for a state, taken once: None if unknown or already taken."""
    with write_session(engine) as s:
        row = s.get(LoginAttempt, state_hash)
        if row is None:
            return None
        copy = Attempt(
            provider=row.provider,
            nonce=row.nonce,
            code_verifier=row.code_verifier,
            next_path=row.next_path,
            locale=row.locale,
            expires_at=row.expires_at,
        )
        s.expunge(row)
        # Only the transaction whose DELETE removed the row may go on, so two
        # concurrent callbacks with one state cannot both succeed.
        result = s.exec(delete(LoginAttempt).where(LoginAttempt.state_hash == state_hash))
        return copy if result.rowcount == 1 else None


def mark_code_used(engine: Engine | None, code_hash: str, now: float) -> bool:
    """True for the first caller with this code hash, False for every replay."""
    try:
        with write_session(engine) as s:
            if s.get(UsedAuthCode, code_hash) is not None:
                return False
            s.add(UsedAuthCode(code_hash=code_hash, used_at=utc(now)))
    except IntegrityError:
        return False  # a concurrent request inserted it first
    return True
