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
    # How the login proved who she is (an access.policy.Assurance value): "eid" for an
    # OpenID Connect login, or a passkey's ("passkey_nurse", "passkey_eid").
    assurance: str = Field(default="eid", max_length=16)
    passkey_id: int | None = Field(default=None, index=True)  # the passkey it was made with
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


# -- passkeys (WebAuthn): digihelse/auth/passkeys.py -----------------------------------


class Passkey(SQLModel, table=True):
    """One WebAuthn credential of a person: its public key, never anything secret.

    `assurance` is what a login with it proves ("passkey_nurse": she was verified in person
    by her school nurse; "passkey_eid": added in a MinID/BankID session, which it keeps for
    a set number of days after `eid_verified_at`)."""

    __tablename__ = "passkey"
    id: int | None = Field(default=None, primary_key=True)
    pid: str = Field(max_length=11, index=True)
    credential_id: str = Field(unique=True, max_length=1400)  # base64url, as WebAuthn sends it
    public_key: str  # COSE key, base64url
    sign_count: int = 0
    user_handle: str = Field(max_length=100)  # base64url; one per person
    assurance: str = Field(max_length=16)
    device: str = Field(default="", max_length=80)  # "iPhone", "Android", "Windows" ...
    transports: str = Field(default="", max_length=120)
    onboarded_by_pid: str | None = Field(default=None, max_length=11, index=True)
    onboarded_by_name: str | None = None
    onboarded_by_hpr: str | None = Field(default=None, max_length=9)
    eid_acr: str | None = None  # the eID level it was added under
    eid_verified_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=16)  # "self" or "nurse"


class PasskeyActivation(SQLModel, table=True):
    """A one-time activation code a school nurse made for a pupil she verified in person.
    Only a keyed hash of the code is stored; it is bound to the pupil's national id number,
    expires, and is spent by the first passkey registered with it."""

    __tablename__ = "passkey_activation"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    pupil_pid: str = Field(max_length=11, index=True)
    nurse_pid: str = Field(max_length=11)
    nurse_name: str
    nurse_hpr: str = Field(max_length=9)
    verified_how: str = Field(max_length=16)  # "known" or "id_card"
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime = Field(index=True)
    used_at: dt.datetime | None = None


class PasskeyChallenge(SQLModel, table=True):
    """A WebAuthn challenge we issued, taken once by its ceremony's answer."""

    __tablename__ = "passkey_challenge"
    challenge_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the challenge
    purpose: str = Field(max_length=8)  # "activate", "add" or "login"
    pid: str | None = Field(default=None, max_length=11)  # whom a registration is for
    activation_id: int | None = None
    user_handle: str | None = Field(default=None, max_length=100)
    acr: str | None = None  # "add": the eID level of the session it was asked in
    next_path: str = "/"
    expires_at: dt.datetime = Field(index=True)


class PasskeyCodeFailure(SQLModel, table=True):
    """A wrong activation code, by whom (a hash of the client address), for the rate limit."""

    __tablename__ = "passkey_code_failure"
    id: int | None = Field(default=None, primary_key=True)
    client_hash: str = Field(max_length=64, index=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
