"""Server-side user sessions behind an opaque 256-bit cookie value.

Only the SHA-256 of the cookie value is stored, so a database leak yields no usable
session ids. Idle and absolute timeouts are enforced on every lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from digihelse.auth.models import UserSession
from digihelse.core.db import session as db_session
from digihelse.core.db import write_session
from digihelse.core.timeutil import utcnow


@dataclass(frozen=True)
class SessionInfo:
    """What a page may know about the logged-in user; plain values only."""

    pid: str
    provider: str
    role: str
    acr: str | None
    hpr_number: str | None
    sid: str | None
    issuer: str
    id_token: str | None
    id_hash: str = ""  # names the session without being its cookie
    expires_at: dt.datetime | None = None  # the idle or absolute timeout, whichever is first
    assurance: str = "eid"  # an access.policy.Assurance value
    passkey_id: int | None = None  # the passkey the login used


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def cookie_value(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie in a Cookie header, or None."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel and morsel.value else None


# A lookup moves last_seen forward at most this often: a write per websocket event would
# cost a durable commit each, and idle timeouts of 30 minutes need no finer clock.
TOUCH_EVERY = dt.timedelta(seconds=60)


def _info(row: UserSession, expires_at: dt.datetime | None = None) -> SessionInfo:
    return SessionInfo(row.pid, row.provider, row.role, row.acr, row.hpr_number, row.sid,
                       row.issuer, row.id_token, row.id_hash, expires_at, row.assurance,
                       row.passkey_id)


class SessionStore:
    """Creates, looks up and ends sessions in the database."""

    def __init__(self, engine: Engine | None = None, *, idle_seconds: int,
                 absolute_seconds: int, now: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.idle = dt.timedelta(seconds=idle_seconds)
        self.absolute = dt.timedelta(seconds=absolute_seconds)
        self.now = now

    def create(self, *, provider: str, pid: str, role: str, issuer: str, sid: str | None,
               acr: str | None, hpr_number: str | None = None,
               id_token: str | None = None, assurance: str = "eid",
               passkey_id: int | None = None) -> str:
        """Store a new session and return the cookie value (never stored in clear).
        A passkey login names its passkey, so removing the passkey ends the session."""
        session_id = new_session_id()
        now = self.now()
        with write_session(self.engine) as s:
            s.add(UserSession(
                id_hash=hash_session_id(session_id), provider=provider, pid=pid, role=role,
                issuer=issuer, sid=sid, acr=acr, hpr_number=hpr_number, id_token=id_token,
                assurance=assurance, passkey_id=passkey_id, created_at=now, last_seen=now,
            ))
        return session_id

    def resolve(self, session_id: str | None, *, touch: bool = True) -> SessionInfo | None:
        """The live session for a cookie value; expired ones are ended on the way."""
        if not session_id:
            return None
        id_hash = hash_session_id(session_id)
        now = self.now()
        with db_session(self.engine) as s:
            row = s.get(UserSession, id_hash)
            if row is None or row.ended_at is not None:
                return None
            last_seen, created_at = row.last_seen, row.created_at
            expired = None
            if now - last_seen > self.idle:
                expired = "idle"
            elif now - created_at > self.absolute:
                expired = "absolute"
            touched = now if touch and now - last_seen >= TOUCH_EVERY else last_seen
            info = _info(row, min(touched + self.idle, created_at + self.absolute))
        if expired:
            self._end(id_hash, expired)
            return None
        if touched is now:
            with write_session(self.engine) as s:
                s.exec(update(UserSession).where(UserSession.id_hash == id_hash)
                       .values(last_seen=now))
        return info

    def end(self, session_id: str | None, reason: str = "logout") -> SessionInfo | None:
        """End a session; returns what it was so the caller can log out at the provider."""
        if not session_id:
            return None
        id_hash = hash_session_id(session_id)
        with db_session(self.engine) as s:
            row = s.get(UserSession, id_hash)
            if row is None or row.ended_at is not None:
                return None
            info = _info(row)
        self._end(id_hash, reason)
        return info

    def end_by_sid(self, issuer: str, sid: str, reason: str = "frontchannel_logout") -> int:
        """End every live session the provider knows by this sid (front-channel logout)."""
        with write_session(self.engine) as s:
            result = s.exec(
                update(UserSession)
                .where(UserSession.issuer == issuer, UserSession.sid == sid,
                       UserSession.ended_at.is_(None))
                .values(ended_at=self.now(), end_reason=reason, id_token=None)
            )
            return result.rowcount or 0

    def end_by_passkey(self, passkey_id: int, reason: str = "passkey_removed") -> int:
        """End every live session logged in with this passkey (it was removed)."""
        with write_session(self.engine) as s:
            result = s.exec(
                update(UserSession)
                .where(UserSession.passkey_id == passkey_id, UserSession.ended_at.is_(None))
                .values(ended_at=self.now(), end_reason=reason, id_token=None))
            return result.rowcount or 0

    def logged_out(self, issuer: str, sid: str) -> bool:
        """Whether the user ended the provider session `sid` here: our sessions from it
        exist and none is live. A token from a session we never saw is not judged."""
        with db_session(self.engine) as s:
            states = s.exec(select(UserSession.ended_at).where(
                UserSession.issuer == issuer, UserSession.sid == sid)).all()
        return bool(states) and all(ended is not None for ended in states)

    def end_expired(self) -> int:
        """End every session past its idle or absolute timeout (for tabs left open that
        send nothing more), with the same reason a lookup would give; returns how many."""
        now = self.now()
        ended = 0
        with write_session(self.engine) as s:
            for reason, past_limit in (("idle", UserSession.last_seen < now - self.idle),
                                       ("absolute", UserSession.created_at < now - self.absolute)):
                result = s.exec(
                    update(UserSession)
                    .where(UserSession.ended_at.is_(None), past_limit)
                    .values(ended_at=now, end_reason=reason, id_token=None))
                ended += result.rowcount or 0
        return ended

    def _end(self, id_hash: str, reason: str) -> None:
        with write_session(self.engine) as s:
            s.exec(update(UserSession).where(UserSession.id_hash == id_hash,
                                             UserSession.ended_at.is_(None))
                   .values(ended_at=self.now(), end_reason=reason, id_token=None))

    def live_sessions(self, pid: str) -> list[UserSession]:
        with db_session(self.engine) as s:
            return list(s.exec(select(UserSession).where(UserSession.pid == pid,
                                                         UserSession.ended_at.is_(None))))
