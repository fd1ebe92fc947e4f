"""Server-side login state: pending login attempts and user sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow


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


# -- the embedded test providers' flow state, shared by every worker -------------------
# Times are epoch seconds from the provider's clock (tests pass their own clock).


class ProviderRequest(SQLModel, table=True):
    """An authorization request at an embedded provider: pushed (PAR, waiting for the
    browser to bring its request_uri) or open (the login page is showing). Used once."""

    __tablename__ = "idp_request"
    key_hash: str = Field(primary_key=True, max_length=64)  # sha256 of request_uri / form id
    issuer: str = Field(max_length=255)
    kind: str = Field(max_length=8)  # "pushed" or "login"
    data: str  # the validated request, as JSON
    expires: float = Field(index=True)


class ProviderCode(SQLModel, table=True):
    """An authorization code an embedded provider issued; spent by its first redemption."""

    __tablename__ = "idp_code"
    code_hash: str = Field(primary_key=True, max_length=64)
    issuer: str = Field(max_length=255)
    client_id: str = Field(max_length=255)
    data: str  # what the tokens will say, as JSON
    expires: float = Field(index=True)
    spent: bool = False
    access_jti: str | None = Field(default=None, max_length=64)  # revoked if the code is reused
    access_expires: float | None = None


class ProviderSession(SQLModel, table=True):
    """An embedded provider's own login session (ID-porten's SSO session)."""

    __tablename__ = "idp_session"
    sid: str = Field(primary_key=True, max_length=64)
    issuer: str = Field(max_length=255)
    browser_hash: str = Field(unique=True, max_length=64)  # sha256 of the provider's cookie
    pid: str = Field(max_length=11)
    auth_time: int
    expires: float = Field(index=True)
    clients: str = "[]"  # JSON list of the client_ids that were given this sid


class ProviderMarker(SQLModel, table=True):
    """A single-use marker at an embedded provider: a client assertion's jti already seen
    ("jti"), or a revoked access token ("revoked"). The key makes a second insert fail."""

    __tablename__ = "idp_marker"
    issuer: str = Field(primary_key=True, max_length=255)
    kind: str = Field(primary_key=True, max_length=8)
    value_hash: str = Field(primary_key=True, max_length=64)
    expires: float = Field(index=True)


class SigningKey(SQLModel, table=True):
    """A private RSA key made here, once for every worker: an embedded provider's keys
    (generation n+1 is published as the next key; rotation adds one) or our client key."""

    __tablename__ = "auth_signing_key"
    owner: str = Field(primary_key=True, max_length=255)  # an issuer, or "client:<name>:<id>"
    generation: int = Field(primary_key=True)
    kid: str = Field(max_length=64)
    private_pem: str
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuthSecret(SQLModel, table=True):
    """A random value made once and shared by every worker (a provider's pairwise salt)."""

    __tablename__ = "auth_secret"
    name: str = Field(primary_key=True, max_length=255)
    value: str
    created_at: dt.datetime = Field(default_factory=utcnow)
