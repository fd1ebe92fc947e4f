"""Server-side login state: pending login attempts and user sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from digihelse.timeutil import utcnow


class LoginAttempt(SQLModel, table=True):
    """One started login: state, nonce and PKCE verifier, used once, short-lived."""

    __tablename__ = "login_attempt"
    state_hash: str = Field(primary_key=True, max_length=64)  # sha256 of state
    provider: str = Field(max_length=16)  # "citizen" or "personnel"
    nonce: str
    code_verifier: str
    next_path: str = "/"
    locale: str = "nb"
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime


class UserSession(SQLModel, table=True):
    """A logged-in user. The cookie holds a random id; we store only its hash."""

    __tablename__ = "user_session"
    id_hash: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=16)
    pid: str = Field(max_length=11, index=True)
    sid: str | None = Field(default=None, index=True)  # the provider's session id
    issuer: str
    acr: str | None = None
    role: str = Field(max_length=32)  # "citizen" or a StaffRole
    hpr_number: str | None = None
    id_token: str | None = None  # kept as id_token_hint for logout
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen: dt.datetime = Field(default_factory=utcnow)
    ended_at: dt.datetime | None = None
    end_reason: str | None = None


class UsedAuthCode(SQLModel, table=True):
    """Authorization codes we have redeemed, so a replayed code is refused."""

    __tablename__ = "used_auth_code"
    code_hash: str = Field(primary_key=True, max_length=64)
    used_at: dt.datetime = Field(default_factory=utcnow)


class TabBinding(SQLModel, table=True):
    """A browser tab (its Reflex client token) bound to the session it was opened under,
    so that when the session ends, any worker can drop that tab's state."""

    __tablename__ = "tab_binding"
    token: str = Field(primary_key=True, max_length=64)
    session_hash: str = Field(max_length=64, index=True)  # UserSession.id_hash
    bound_at: dt.datetime = Field(default_factory=utcnow)
