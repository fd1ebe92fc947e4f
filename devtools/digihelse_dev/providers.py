"""Embedded OpenID Connect test providers (like ID-porten's TestID and HelseID) as Starlette
routes, for development and tests only: synthetic persons. Every piece of flow state and
the signing keys live in the database (devtools/digihelse_dev/flowstore.py), so any worker serves
any hop of a login."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from jose import jwt
from jose.exceptions import JOSEError
from sqlalchemy.engine import Engine
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from digihelse.auth.keys import (
    CLIENT_ASSERTION_TYPE,
    RsaKey,
    b64url,
    generate_rsa_key,
    jwks,
    load_rsa_key,
)
from digihelse.auth.runtime import with_worker_header
from digihelse.core.timeutil import OSLO
from digihelse.people.nin import InvalidNin, parse_nin
from digihelse_dev import provider_page as page
from digihelse_dev.flowstore import FlowStore

ProviderKind = Literal["citizen", "personnel"]

ACR_SUBSTANTIAL = "idporten-loa-substantial"
ACR_HIGH = "idporten-loa-high"
CITIZEN_ACR_VALUES = (ACR_SUBSTANTIAL, ACR_HIGH)

CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105 (a method name, not a secret)
CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105
PRIVATE_KEY_JWT = "private_key_jwt"
ALL_AUTH_METHODS = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, PRIVATE_KEY_JWT)

HELSEID_PID = "helseid://claims/identity/pid"
HELSEID_HPR_NUMBER = "helseid://claims/hpr/hpr_number"
HELSEID_SECURITY_LEVEL = "helseid://claims/identity/security_level"
HELSEID_ASSURANCE_LEVEL = "helseid://claims/identity/assurance_level"
HELSEID_SCOPES = (
    "helseid://scopes/identity/pid",
    "helseid://scopes/identity/security_level",
    "helseid://scopes/identity/assurance_level",
    "helseid://scopes/hpr/hpr_number",
)

# Asymmetric algorithms only: an HMAC "assertion" would need the client secret as key.
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_KTY_FOR_ALG = {"RS": "RSA", "ES": "EC"}

# RFC 7636 section 4.1: 43-128 characters from the unreserved set.
_VERIFIER_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# An S256 challenge is a base64url SHA-256 digest: always 43 characters.
_S256_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43}")

_ASSERTION_MAX_LIFETIME = 600  # seconds; a longer-lived assertion is a replay risk
_CLOCK_SKEW = 30


@dataclass(frozen=True)
class TestUser:
    """A synthetic person the provider offers on its login page and in /testusers."""

    __test__ = False  # not a pytest test class, whatever its name says

    pid: str
    name: str
    birth_date: dt.date
    roles: Sequence[str] = ()
    description: str = ""
    hpr_number: str | None = None

    def as_json(self, *, personnel: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "pid": self.pid,
            "name": self.name,
            "birth_date": self.birth_date.isoformat(),
            "roles": list(self.roles),
            "description": self.description,
        }
        if personnel:
            data["hpr_number"] = self.hpr_number
        return data


@dataclass(frozen=True)
class ClientRegistration:
    """A relying party registered with a test provider. Without explicit auth methods,
    a secret allows client_secret_basic/post and a JWKS allows private_key_jwt."""

    client_id: str
    redirect_uris: Sequence[str]
    post_logout_redirect_uris: Sequence[str] = ()
    frontchannel_logout_uri: str | None = None
    client_secret: str | None = None
    # The client's public keys for private_key_jwt, or a function that returns them (our
    # own client key is read from the database at first use, not at import).
    jwks: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None
    token_endpoint_auth_methods: Sequence[str] | None = None
    client_name: str | None = None  # shown on the login page

    def __post_init__(self) -> None:
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))
        object.__setattr__(self, "post_logout_redirect_uris", tuple(self.post_logout_redirect_uris))
        methods = self.token_endpoint_auth_methods
        if methods is None:
            methods = (
                *((CLIENT_SECRET_BASIC, CLIENT_SECRET_POST) if self.client_secret else ()),
                *((PRIVATE_KEY_JWT,) if self.jwks else ()),
            )
        object.__setattr__(self, "token_endpoint_auth_methods", tuple(methods))
        unknown = set(self.token_endpoint_auth_methods) - set(ALL_AUTH_METHODS)
        if unknown:
            raise ValueError(f"{self.client_id}: unknown auth methods {sorted(unknown)}")
        if not self.token_endpoint_auth_methods:
            raise ValueError(f"{self.client_id}: needs a client_secret or a jwks")
        secret_methods = {CLIENT_SECRET_BASIC, CLIENT_SECRET_POST}
        if secret_methods & set(self.token_endpoint_auth_methods) and not self.client_secret:
            raise ValueError(f"{self.client_id}: client_secret methods need a client_secret")
        if PRIVATE_KEY_JWT in self.token_endpoint_auth_methods and not self.jwks:
            raise ValueError(f"{self.client_id}: private_key_jwt needs the client's jwks")
        if not self.redirect_uris:
            raise ValueError(f"{self.client_id}: at least one redirect_uri is needed")

    def public_keys(self) -> list[dict[str, Any]]:
        found = self.jwks() if callable(self.jwks) else self.jwks
        return list((found or {}).get("keys", []))


@dataclass(frozen=True)
class ProviderConfig:
    """Everything that tells the citizen provider from the personnel one."""

    issuer: str  # e.g. "http://localhost:8000/idp"
    mount_path: str  # e.g. "/idp": where routes() puts the endpoints
    kind: ProviderKind
    clients: Sequence[ClientRegistration]
    list_users: Callable[[], list[TestUser]]
    auth_methods: Sequence[str]  # token endpoint client auth this provider accepts
    amr: Sequence[str]
    acr_values: Sequence[str] = ()  # empty: the provider has no levels (personnel)
    default_acr: str | None = None
    scopes: Sequence[str] = ("openid", "profile")
    api_audience: str | None = None  # added to the access token's aud
    subject_salt: str | None = None  # pairwise sub salt; made once and stored when None
    code_lifetime: int = 60
    id_token_lifetime: int = 120
    access_token_lifetime: int = 300
    session_lifetime: int = 120 * 60
    pending_lifetime: int = 30 * 60  # how long a login page may stay open
    # RFC 9126: HelseID's FAPI 2.0 profile accepts authorization requests only when they
    # were pushed first (PAR); ID-porten offers PAR but also takes them in the URL.
    require_pushed_requests: bool = False
    pushed_request_lifetime: int = 60  # seconds a request_uri may wait to be used
    # When set, every response names the serving process in this header (test mode), so
    # a test can show that the hops of one login landed on different workers.
    worker_header: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "issuer", self.issuer.rstrip("/"))
        mount = "/" + self.mount_path.strip("/")
        object.__setattr__(self, "mount_path", mount)
        for name in ("clients", "auth_methods", "amr", "acr_values", "scopes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.kind not in ("citizen", "personnel"):
            raise ValueError(f"unknown provider kind {self.kind!r}")
        if not set(self.auth_methods) <= set(ALL_AUTH_METHODS) or not self.auth_methods:
            raise ValueError(f"unsupported auth methods {self.auth_methods!r}")
        if self.default_acr is not None and self.default_acr not in self.acr_values:
            raise ValueError("default_acr must be one of acr_values")
        if not urlsplit(self.issuer).path.rstrip("/").endswith(mount):
            raise ValueError(f"the issuer {self.issuer} does not end with {mount}")
        ids = [client.client_id for client in self.clients]
        if len(ids) != len(set(ids)):
            raise ValueError("client_ids must be unique")
        for client in self.clients:
            if not set(client.token_endpoint_auth_methods) & set(self.auth_methods):
                raise ValueError(f"{client.client_id}: no auth method this provider accepts")


def citizen_config(
    public_url: str,
    *,
    clients: Sequence[ClientRegistration],
    list_users: Callable[[], list[TestUser]],
    api_audience: str | None = None,
    subject_salt: str | None = None,
) -> ProviderConfig:
    """The citizen provider, like ID-porten's TestID, at <public_url>/idp."""
    return ProviderConfig(
        issuer=f"{public_url.rstrip('/')}/idp",
        mount_path="/idp",
        kind="citizen",
        clients=clients,
        list_users=list_users,
        auth_methods=ALL_AUTH_METHODS,
        amr=("TestID",),
        acr_values=CITIZEN_ACR_VALUES,
        default_acr=ACR_SUBSTANTIAL,
        scopes=("openid", "profile"),
        api_audience=api_audience,
        subject_salt=subject_salt,
    )


def personnel_config(
    public_url: str,
    *,
    clients: Sequence[ClientRegistration],
    list_users: Callable[[], list[TestUser]],
    api_audience: str | None = None,
    subject_salt: str | None = None,
) -> ProviderConfig:
    """The personnel provider, like HelseID, at <public_url>/helseid: private_key_jwt only."""
    return ProviderConfig(
        issuer=f"{public_url.rstrip('/')}/helseid",
        mount_path="/helseid",
        kind="personnel",
        clients=clients,
        list_users=list_users,
        auth_methods=(PRIVATE_KEY_JWT,),
        require_pushed_requests=True,
        amr=("pwd",),
        scopes=("openid", "profile", *HELSEID_SCOPES),
        api_audience=api_audience,
        subject_salt=subject_salt,
    )


@dataclass
class _Pending:
    """An authorization request waiting for the user to pick a person."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    scopes: tuple[str, ...]
    acr: str | None
    locale: str
    expires: float

    def as_data(self) -> dict[str, Any]:
        return {**asdict(self), "scopes": list(self.scopes)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> _Pending:
        return cls(**{**data, "scopes": tuple(data["scopes"])})


@dataclass
class _Code:
    """What the tokens for an authorization code will say."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    acr: str | None
    user: TestUser
    sid: str
    auth_time: int
    scopes: tuple[str, ...]
    locale: str

    def as_data(self) -> dict[str, Any]:
        user = {**asdict(self.user), "birth_date": self.user.birth_date.isoformat(),
                "roles": list(self.user.roles)}
        return {**asdict(self), "user": user, "scopes": list(self.scopes)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> _Code:
        user = dict(data["user"])
        user = TestUser(**{**user, "birth_date": dt.date.fromisoformat(user["birth_date"]),
                           "roles": tuple(user["roles"])})
        return cls(**{**data, "user": user, "scopes": tuple(data["scopes"])})


class OAuthError(Exception):
    """An error answered as JSON {error, error_description} (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class _PageError(Exception):
    """An authorization request we must not redirect back for: show a page instead."""

    def __init__(self, message_key: str, detail: str = "") -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.detail = detail


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers={**_NO_STORE, **(headers or {})})


def _basic_attempted(request: Request) -> bool:
    """Whether the client tried HTTP Basic, so a 401 names that scheme (RFC 6749 5.2)."""
    return request.headers.get("authorization", "")[:6].lower() == "basic "


def _oauth_error(exc: OAuthError, *, basic_attempted: bool = False) -> Response:
    headers = {}
    if exc.status == 401:
        # RFC 6749 5.2: answer a failed Basic attempt with the scheme it used.
        headers["WWW-Authenticate"] = 'Basic realm="token"' if basic_attempted else "Bearer"
    return _json({"error": exc.error, "error_description": exc.description}, exc.status, headers)


def _html(content: str, status: int = 200, *, script_nonce: str | None = None) -> Response:
    csp = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    if script_nonce:
        csp += f"; script-src 'nonce-{script_nonce}'"
    headers = {
        **_NO_STORE,
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",  # the login page must not be framed (clickjacking)
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(content, status_code=status, headers=headers)


def add_query(url: str, params: Mapping[str, str | None]) -> str:
    """The URL with parameters appended, keeping any query it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((key, value) for key, value in params.items() if value is not None)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _single(params: QueryParams | FormData, name: str) -> str | None:
    """A parameter given at most once (RFC 6749 section 3.1), as text."""
    values = params.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} was given more than once")
    if not values:
        return None
    value = values[0]
    if not isinstance(value, str):
        raise OAuthError("invalid_request", f"{name} must be text")
    return value


class TestProvider:
    """One embedded OpenID provider; build it from a ProviderConfig and add routes()
    to a Starlette app. `clock` returns epoch seconds; tests pass their own. The state
    lives in `engine`'s database (the app's when None), so several processes may serve
    one provider; memory holds only what it read there (parsed keys, the salt)."""

    __test__ = False  # not a pytest test class

    def __init__(self, config: ProviderConfig, *, clock: Callable[[], float] = time.time,
                 engine: Engine | None = None) -> None:
        self.config = config
        self._clock = clock
        self._clients = {client.client_id: client for client in config.clients}
        self._store = FlowStore(config.issuer, engine)
        self._salt: bytes | None = config.subject_salt.encode() if config.subject_salt else None
        self._parsed: dict[str, RsaKey] = {}  # kid -> key, parsed once per process
        self.cookie_name = f"testidp_{config.kind}_session"
        # The path the browser sees (the issuer's), which differs from mount_path when a
        # proxy adds a prefix; the form action and the cookie must use it.
        self._public_path = urlsplit(config.issuer).path.rstrip("/")

    # -- public API ------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.config.issuer

    @property
    def kind(self) -> ProviderKind:
        return self.config.kind

    def endpoint(self, name: str) -> str:
        """The public URL of an endpoint: authorize, token, userinfo, jwks, endsession."""
        return f"{self.issuer}/{name}"

    def routes(self) -> list[BaseRoute]:
        """The provider's endpoints under its mount path, for the app's Starlette routes."""
        mount = self.config.mount_path
        named = self._named_worker
        return [
            Route(f"{mount}/.well-known/openid-configuration", named(self._discovery),
                  methods=["GET"]),
            Route(f"{mount}/jwks", named(self._jwks), methods=["GET"]),
            Route(f"{mount}/authorize", named(self._authorize), methods=["GET", "POST"]),
            Route(f"{mount}/par", named(self._pushed_request), methods=["POST"]),
            Route(f"{mount}/token", named(self._token), methods=["POST"]),
            Route(f"{mount}/userinfo", named(self._userinfo), methods=["GET", "POST"]),
            Route(f"{mount}/endsession", named(self._end_session), methods=["GET", "POST"]),
            Route(f"{mount}/testusers", named(self._testusers), methods=["GET"]),
        ]

    def _named_worker(self, endpoint: Callable[[Request], Any]) -> Callable[[Request], Any]:
        return with_worker_header(endpoint, self.config.worker_header)

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The published keys: the active one first, then the next (rotation) key."""
        return jwks(self._keys()[:2])

    @property
    def active_kid(self) -> str:
        return self._keys()[0].kid

    def rotate_keys(self) -> None:
        """Make the next key active and publish a new next key. The retired key still
        verifies our own tokens (id_token_hint, userinfo) but is no longer published.
        Every worker sees the rotation: the keys live in the database."""
        self._store.rotate_keys(self._new_pem)

    def _keys(self) -> list[RsaKey]:
        """Active, next, then up to two retired keys (the database keeps generations;
        the newest is the next key, the one before it the active one)."""
        rows = self._store.signing_keys(self._new_pem)
        keys = []
        for kid, pem in rows:
            key = self._parsed.get(kid)
            if key is None:
                key = self._parsed[kid] = load_rsa_key(pem, kid)
            keys.append(key)
        return [keys[1], keys[0], *keys[2:]]

    def discovery_document(self) -> dict[str, Any]:
        cfg = self.config
        claims = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "jti"]
        if cfg.kind == "citizen":
            claims += ["pid", "acr", "locale"]
        else:
            claims += [
                HELSEID_PID,
                HELSEID_HPR_NUMBER,
                HELSEID_SECURITY_LEVEL,
                HELSEID_ASSURANCE_LEVEL,
                "name",
            ]
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("authorize"),
            "token_endpoint": self.endpoint("token"),
            "userinfo_endpoint": self.endpoint("userinfo"),
            "jwks_uri": self.endpoint("jwks"),
            "end_session_endpoint": self.endpoint("endsession"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": list(cfg.auth_methods),
            "scopes_supported": list(cfg.scopes),
            "ui_locales_supported": list(page.LOCALES),
            "frontchannel_logout_supported": True,
            "frontchannel_logout_session_supported": True,
            "authorization_response_iss_parameter_supported": True,
            "subject_types_supported": ["pairwise"],
            "claims_supported": claims,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "pushed_authorization_request_endpoint": self.endpoint("par"),
            "require_pushed_authorization_requests": cfg.require_pushed_requests,
        }
        if PRIVATE_KEY_JWT in cfg.auth_methods:
            document["token_endpoint_auth_signing_alg_values_supported"] = list(
                ASSERTION_ALGORITHMS
            )
        if cfg.acr_values:
            document["acr_values_supported"] = list(cfg.acr_values)
        return document

    def users(self) -> list[TestUser]:
        return list(self.config.list_users())

    # -- helpers ---------------------------------------------------------------------

    def _new_pem(self) -> tuple[str, str]:
        key = generate_rsa_key(f"{self.config.kind}-{secrets.token_hex(6)}")
        self._parsed[key.kid] = key
        return key.kid, key.private_pem

    def _now(self) -> float:
        return self._clock()

    def _today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self._now(), OSLO).date()

    def _subject(self, client_id: str, pid: str) -> str:
        """Pairwise sub: a keyed hash of client and person, so two clients cannot link
        their users by sub (ID-porten's behaviour)."""
        if self._salt is None:
            # One salt for every worker, or the same person would get two subs.
            self._salt = self._store.secret(
                "subject-salt", lambda: secrets.token_urlsafe(32)).encode()
        digest = hmac.new(self._salt, f"{client_id}\x00{pid}".encode(), hashlib.sha256)
        return b64url(digest.digest())

    def _sign(self, claims: Mapping[str, Any], *, typ: str = "JWT") -> str:
        return self._keys()[0].sign(claims, typ=typ)

    def _verify_own(self, token: str, *, check_exp: bool) -> dict[str, Any]:
        """Claims of a token we signed (with a published or recently retired key)."""
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise OAuthError("invalid_token", "the token is not a JWT", 401) from exc
        candidates = [k for k in self._keys() if k.kid == header.get("kid")]
        if not candidates or header.get("alg") != "RS256":
            raise OAuthError("invalid_token", "the token was not signed by this provider", 401)
        try:
            claims = jwt.decode(
                token,
                candidates[0].public_jwk,
                algorithms=["RS256"],
                issuer=self.issuer,
                # Time is checked below against our (injectable) clock.
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_at_hash": False,
                },
            )
        except JOSEError as exc:
            raise OAuthError("invalid_token", f"the token is not valid: {exc}", 401) from exc
        if check_exp and not (isinstance(claims.get("exp"), int) and claims["exp"] > self._now()):
            raise OAuthError("invalid_token", "the token has expired", 401)
        return claims

    def _known_users(self) -> dict[str, TestUser]:
        return {user.pid: user for user in self.config.list_users()}

    # -- discovery, keys, test users -------------------------------------------------

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(self.discovery_document())

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(self.public_jwks())

    async def _testusers(self, request: Request) -> Response:
        personnel = self.config.kind == "personnel"
        return JSONResponse([user.as_json(personnel=personnel) for user in self.users()])

    # -- authorization endpoint ------------------------------------------------------

    async def _authorize(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._authorize_form(request)
        params = request.query_params
        locale = page.pick_locale(params.get("ui_locales"))
        if "request_uri" in params:
            return self._authorize_pushed(params, locale)
        try:
            client, redirect_uri = self._client_and_redirect(params)
        except (_PageError, OAuthError) as exc:
            key = exc.message_key if isinstance(exc, _PageError) else "bad_request"
            detail = exc.detail if isinstance(exc, _PageError) else exc.description
            return _html(
                page.render_error_page(
                    kind=self.config.kind, locale=locale, message_key=key, detail=detail
                ),
                400,
            )
        state = params.get("state") if len(params.getlist("state")) == 1 else None
        try:
            if self.config.require_pushed_requests:
                raise OAuthError("invalid_request",
                                 "push the authorization request to the PAR endpoint first")
            pending = self._validate_authorization(params, client, redirect_uri, locale)
        except OAuthError as exc:
            return self._redirect_error(redirect_uri, exc.error, exc.description, state)
        return self._open_login(pending)

    def _open_login(self, pending: _Pending) -> Response:
        request_id = secrets.token_urlsafe(32)
        self._store.put_request(request_id, "login", pending.as_data(), pending.expires,
                                self._now())
        return self._login_page(request_id, pending)

    def _authorize_pushed(self, params: QueryParams, locale: str) -> Response:
        """The browser arrives with the request_uri a client pushed (RFC 9126 section 4).
        Only the pushed parameters count; a request_uri works once, for its own client."""
        try:
            client_id, request_uri = _single(params, "client_id"), _single(params, "request_uri")
        except OAuthError as exc:
            return _html(page.render_error_page(kind=self.config.kind, locale=locale,
                                                message_key="bad_request",
                                                detail=exc.description), 400)
        # Taken at once, whoever asks: a request_uri is single use (RFC 9126 section 4).
        pushed = self._store.take_request(request_uri or "", "pushed", self._now())
        if pushed is None:
            return _html(page.render_error_page(kind=self.config.kind, locale=locale,
                                                message_key="expired"), 400)
        if pushed["client_id"] != client_id:
            return _html(page.render_error_page(kind=self.config.kind, locale=locale,
                                                message_key="bad_client",
                                                detail=f"client_id: {client_id or '-'}"), 400)
        pending = _Pending.from_data(
            {**pushed, "expires": self._now() + self.config.pending_lifetime})
        return self._open_login(pending)

    async def _pushed_request(self, request: Request) -> Response:
        """The PAR endpoint (RFC 9126 section 2): an authenticated client posts the
        authorization request and gets a short-lived, single-use request_uri for it."""
        try:
            form, client = await self._client_request(request)
            if "request_uri" in form:
                raise OAuthError("invalid_request", "request_uri cannot be pushed")
            redirect_uri = _single(form, "redirect_uri")
            if redirect_uri is None or redirect_uri not in client.redirect_uris:
                raise OAuthError("invalid_request", "redirect_uri is not registered")
            locale = page.pick_locale(_single(form, "ui_locales"))
            pending = self._validate_authorization(form, client, redirect_uri, locale)
        except OAuthError as exc:
            return _oauth_error(exc, basic_attempted=_basic_attempted(request))
        request_uri = "urn:ietf:params:oauth:request_uri:" + secrets.token_urlsafe(32)
        lifetime = self.config.pushed_request_lifetime
        now = self._now()
        self._store.put_request(request_uri, "pushed", pending.as_data(), now + lifetime, now)
        return _json({"request_uri": request_uri, "expires_in": lifetime}, 201, _NO_STORE)

    def _client_and_redirect(self, params: QueryParams) -> tuple[ClientRegistration, str]:
        """Client and redirect_uri; errors here are shown as a page, never redirected,
        since an unchecked redirect_uri would make us an open redirector."""
        client_id = _single(params, "client_id")
        client = self._clients.get(client_id or "")
        if client is None:
            raise _PageError("bad_client", f"client_id: {client_id or '-'}")
        redirect_uri = _single(params, "redirect_uri")
        # Exact string comparison, as ID-porten and OAuth 2.1 require.
        if redirect_uri is None or redirect_uri not in client.redirect_uris:
            raise _PageError("bad_redirect", f"redirect_uri: {redirect_uri or '-'}")
        return client, redirect_uri

    def _validate_authorization(
        self,
        params: QueryParams | FormData,
        client: ClientRegistration,
        redirect_uri: str,
        locale: str,
    ) -> _Pending:
        for key in {key for key, _ in params.multi_items()}:
            _single(params, key)  # refuses any parameter given twice
        if "request" in params:
            raise OAuthError("request_not_supported", "request objects are not supported")
        if "request_uri" in params:
            raise OAuthError("request_uri_not_supported", "request_uri is not supported")
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "only response_type=code is supported")
        if params.get("response_mode", "query") != "query":
            raise OAuthError("invalid_request", "only response_mode=query is supported")
        scopes = (params.get("scope") or "").split()
        if "openid" not in scopes:
            raise OAuthError("invalid_scope", "the scope must include openid")
        method = params.get("code_challenge_method")
        challenge = params.get("code_challenge")
        if not challenge:
            raise OAuthError("invalid_request", "PKCE is required: send code_challenge (S256)")
        if method != "S256":
            # A missing method means "plain" (RFC 7636 4.3), which we refuse as well.
            raise OAuthError("invalid_request", "code_challenge_method must be S256")
        if not _S256_CHALLENGE_RE.fullmatch(challenge):
            raise OAuthError("invalid_request", "code_challenge is not an S256 challenge")
        state = params.get("state")
        if not state:
            raise OAuthError("invalid_request", "state is required")
        nonce = params.get("nonce")
        if not nonce:
            raise OAuthError("invalid_request", "nonce is required")
        if "none" in (params.get("prompt") or "").split():
            # Every login here needs the user to pick a person, so no silent login.
            raise OAuthError("login_required", "the user must log in")
        acr = None
        if self.config.acr_values:
            requested = (params.get("acr_values") or "").split()
            known = [value for value in requested if value in self.config.acr_values]
            if requested and not known:
                raise OAuthError("invalid_request", "unsupported acr_values")
            acr = known[0] if known else self.config.default_acr
        granted = tuple(scope for scope in dict.fromkeys(scopes) if scope in self.config.scopes)
        return _Pending(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
            scopes=granted,
            acr=acr,
            locale=locale,
            expires=self._now() + self.config.pending_lifetime,
        )

    def _redirect_error(
        self, redirect_uri: str, error: str, description: str, state: str | None
    ) -> Response:
        url = add_query(
            redirect_uri,
            {
                "error": error,
                "error_description": description,
                "state": state,
                "iss": self.issuer,
            },
        )
        return RedirectResponse(url, status_code=303, headers=_NO_STORE)

    def _login_page(
        self,
        request_id: str,
        pending: _Pending,
        *,
        pid_value: str = "",
        acr: str | None = None,
        error_key: str | None = None,
    ) -> Response:
        personnel = self.config.kind == "personnel"
        today = self._today()
        persons = [
            page.PersonChoice(
                pid=user.pid,
                name=user.name,
                details=page.describe_person(
                    pending.locale,
                    birth_date=user.birth_date,
                    today=today,
                    description=user.description,
                    roles=user.roles,
                    hpr_number=user.hpr_number,
                    personnel=personnel,
                ),
            )
            for user in self.users()
        ]
        client = self._clients[pending.client_id]
        html = page.render_login_page(
            kind=self.config.kind,
            locale=pending.locale,
            action=f"{self._public_path}/authorize",
            request_id=request_id,
            client_name=client.client_name or client.client_id,
            persons=persons,
            acr_values=self.config.acr_values,
            selected_acr=acr or pending.acr,
            pid_value=pid_value,
            error_key=error_key,
        )
        return _html(html)

    def _resolve_user(self, pid: str) -> TestUser | str:
        """The person for a typed or picked pid, or the key of an error message."""
        if not pid:
            return "pid_empty"
        users = self._known_users()
        if self.config.kind == "personnel":
            return users.get(pid, "pid_not_personnel")
        compact = pid.replace(" ", "")
        if len(compact) != 11 or not compact.isdigit():
            return "pid_format"
        try:
            nin = parse_nin(compact)
        except InvalidNin:
            return "pid_invalid"
        known = users.get(nin.value)
        if known is not None:
            return known
        return TestUser(pid=nin.value, name=f"Testperson {nin.value}", birth_date=nin.birth_date)

    async def _authorize_form(self, request: Request) -> Response:
        form = await request.form()
        request_id = form.get("request")
        now = self._now()
        found = (self._store.get_request(request_id, "login", now)
                 if isinstance(request_id, str) else None)
        pending = _Pending.from_data(found) if found is not None else None
        if pending is None:
            return _html(
                page.render_error_page(
                    kind=self.config.kind, locale=page.DEFAULT_LOCALE, message_key="expired"
                ),
                400,
            )
        assert isinstance(request_id, str)
        if form.get("cancel"):
            self._store.take_request(request_id, "login", now)
            return self._redirect_error(
                pending.redirect_uri,
                "access_denied",
                "the user cancelled the login",
                pending.state,
            )
        picked, typed = form.get("pick"), form.get("pid")
        pid = (picked if isinstance(picked, str) and picked else typed) or ""
        pid = pid.strip() if isinstance(pid, str) else ""
        acr: str | None = None
        if self.config.acr_values:
            raw_acr = form.get("acr") or pending.acr
            if raw_acr not in self.config.acr_values:
                return self._login_page(request_id, pending, pid_value=pid, error_key="acr_invalid")
            # The user may pick a lower level than the client asked for, as in TestID:
            # that is how a client's own acr check gets tested.
            acr = str(raw_acr)
        user = self._resolve_user(pid)
        if isinstance(user, str):
            return self._login_page(request_id, pending, pid_value=pid, acr=acr, error_key=user)

        browser_key = request.cookies.get(self.cookie_name)
        code = secrets.token_urlsafe(32)
        if self._store.take_request(request_id, "login", now) is None:
            # A concurrent submit of the same form won the race (on any worker).
            return _html(
                page.render_error_page(
                    kind=self.config.kind, locale=pending.locale, message_key="expired"
                ),
                400,
            )
        sid, cookie = self._store.session_for(browser_key, user.pid, pending.client_id, now,
                                              self.config.session_lifetime)
        record = _Code(
            client_id=pending.client_id,
            redirect_uri=pending.redirect_uri,
            code_challenge=pending.code_challenge,
            nonce=pending.nonce,
            acr=acr,
            user=user,
            sid=sid,
            auth_time=int(now),
            scopes=pending.scopes,
            locale=pending.locale,
        )
        self._store.put_code(code, pending.client_id, record.as_data(),
                             now + self.config.code_lifetime, now)
        url = add_query(
            pending.redirect_uri,
            {
                "code": code,
                "state": pending.state,
                "iss": self.issuer,
            },
        )
        response = RedirectResponse(url, status_code=303, headers=_NO_STORE)
        response.set_cookie(
            self.cookie_name,
            cookie,
            max_age=self.config.session_lifetime,
            path=self._public_path,
            secure=self.issuer.startswith("https://"),
            httponly=True,
            samesite="lax",
        )
        return response

    # -- token endpoint --------------------------------------------------------------

    async def _client_request(self, request: Request) -> tuple[FormData, ClientRegistration]:
        """A back-channel request (token, PAR): its form, each parameter at most once, and
        the client it authenticated as."""
        form = await request.form()
        for key in {key for key, _ in form.multi_items()}:
            _single(form, key)
        return form, self._authenticate_client(request, form)

    async def _token(self, request: Request) -> Response:
        try:
            form, client = await self._client_request(request)
            if form.get("grant_type") != "authorization_code":
                raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
            return _json(self._redeem_code(client, form))
        except OAuthError as exc:
            return _oauth_error(exc, basic_attempted=_basic_attempted(request))

    def _authenticate_client(self, request: Request, form: FormData) -> ClientRegistration:
        authorization = request.headers.get("authorization", "")
        presented = [
            method
            for method, present in (
                (CLIENT_SECRET_BASIC, authorization[:6].lower() == "basic "),
                (CLIENT_SECRET_POST, "client_secret" in form),
                (PRIVATE_KEY_JWT, "client_assertion" in form),
            )
            if present
        ]
        if len(presented) > 1:
            raise OAuthError("invalid_request", "use exactly one client authentication method")
        if not presented:
            raise OAuthError("invalid_client", "client authentication is required", 401)
        method = presented[0]
        if method not in self.config.auth_methods:
            raise OAuthError("invalid_client", f"{method} is not accepted by this provider", 401)
        form_client_id = _single(form, "client_id")
        if method == CLIENT_SECRET_BASIC:
            client_id, secret = self._basic_credentials(authorization)
            if form_client_id is not None and form_client_id != client_id:
                raise OAuthError("invalid_request", "client_id does not match the credentials")
        elif method == CLIENT_SECRET_POST:
            client_id, secret = form_client_id or "", _single(form, "client_secret") or ""
        else:
            return self._authenticate_assertion(form, form_client_id)
        client = self._client_allowing(client_id, method)
        expected = (client.client_secret or "").encode()
        if not expected or not hmac.compare_digest(secret.encode(), expected):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    @staticmethod
    def _basic_credentials(authorization: str) -> tuple[str, str]:
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "malformed Basic credentials", 401) from exc
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "malformed Basic credentials", 401)
        # RFC 6749 2.3.1: id and secret are form-urlencoded before Basic encoding.
        return unquote_plus(client_id), unquote_plus(secret)

    def _client_allowing(self, client_id: str, method: str) -> ClientRegistration:
        client = self._clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "unknown client", 401)
        if method not in client.token_endpoint_auth_methods:
            raise OAuthError("invalid_client", f"{method} is not registered for this client", 401)
        return client

    def _authenticate_assertion(
        self, form: FormData, form_client_id: str | None
    ) -> ClientRegistration:
        """private_key_jwt (RFC 7523 section 3, OpenID Connect Core 9)."""
        if _single(form, "client_assertion_type") != CLIENT_ASSERTION_TYPE:
            raise OAuthError("invalid_client", "unsupported client_assertion_type", 401)
        assertion = _single(form, "client_assertion") or ""
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.get_unverified_claims(assertion)
        except JOSEError as exc:
            raise OAuthError("invalid_client", "the client assertion is not a JWT", 401) from exc
        client_id = unverified.get("sub")
        if not isinstance(client_id, str) or (form_client_id and form_client_id != client_id):
            raise OAuthError("invalid_client", "client_id does not match the assertion", 401)
        client = self._client_allowing(client_id, PRIVATE_KEY_JWT)
        alg = header.get("alg")
        if alg not in ASSERTION_ALGORITHMS:
            raise OAuthError("invalid_client", f"assertion algorithm {alg!r} not accepted", 401)
        kid = header.get("kid")
        keys = [
            key
            for key in client.public_keys()
            if key.get("kty") == _KTY_FOR_ALG[alg[:2]]
            and key.get("use", "sig") == "sig"
            and (kid is None or key.get("kid") == kid)
        ]
        if not keys:
            raise OAuthError("invalid_client", "no registered key matches the assertion", 401)
        try:
            claims = jwt.decode(
                assertion,
                {"keys": keys},
                algorithms=[alg],
                # aud and time are checked below: aud may name the issuer or the token
                # endpoint, and time follows the provider's clock.
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_at_hash": False,
                },
            )
        except JOSEError as exc:
            raise OAuthError(
                "invalid_client", "the client assertion signature is invalid", 401
            ) from exc
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise OAuthError("invalid_client", "iss and sub must both be the client_id", 401)
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or not (
            {self.issuer, self.endpoint("token"), self.endpoint("par")}
            & {a for a in audiences if isinstance(a, str)}
        ):
            raise OAuthError("invalid_client", "the assertion's aud must be the issuer", 401)
        now = self._now()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise OAuthError("invalid_client", "the client assertion has expired", 401)
        if exp > now + _ASSERTION_MAX_LIFETIME:
            raise OAuthError("invalid_client", "the client assertion lives too long", 401)
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + _CLOCK_SKEW:
            raise OAuthError("invalid_client", "the client assertion is not valid yet", 401)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise OAuthError("invalid_client", "the client assertion needs a jti", 401)
        # The first worker to mark the jti wins; a replay anywhere is refused. The marker
        # lives as long as the assertion could be accepted.
        if not self._store.mark_once("jti", f"{client_id}\x00{jti}", float(exp), now):
            raise OAuthError("invalid_client", "the client assertion was already used", 401)
        return client

    def _redeem_code(self, client: ClientRegistration, form: FormData) -> dict[str, Any]:
        code = _single(form, "code")
        if not code:
            raise OAuthError("invalid_request", "code is required")
        now = self._now()
        # Spent by any attempt from its own client, even one that fails below; a reuse
        # revokes the tokens it gave, since it may mean the code was stolen.
        spent = self._store.spend_code(code, client.client_id, now)
        if spent.status == "unknown":
            raise OAuthError("invalid_grant", "the code is unknown or has expired")
        if spent.status == "other_client":
            raise OAuthError("invalid_grant", "the code was issued to another client")
        if spent.status == "reused" or spent.data is None:
            raise OAuthError("invalid_grant", "the code has already been used")
        record = _Code.from_data(spent.data)
        if _single(form, "redirect_uri") != record.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization")
        verifier = _single(form, "code_verifier")
        if verifier is None or not _VERIFIER_RE.fullmatch(verifier):
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 unreserved chars")
        if not hmac.compare_digest(create_s256_code_challenge(verifier), record.code_challenge):
            raise OAuthError("invalid_grant", "PKCE verification failed")
        return self._issue_tokens(client, code, record, now)

    def _identity_claims(self, user: TestUser) -> dict[str, Any]:
        if self.config.kind == "citizen":
            return {"pid": user.pid}
        return {
            HELSEID_PID: user.pid,
            HELSEID_HPR_NUMBER: user.hpr_number,
            HELSEID_SECURITY_LEVEL: "4",
            HELSEID_ASSURANCE_LEVEL: "high",
            "name": user.name,
        }

    def _issue_tokens(self, client: ClientRegistration, code: str, record: _Code,
                      now: float) -> dict:
        cfg = self.config
        issued = int(now)
        sub = self._subject(client.client_id, record.user.pid)
        identity = self._identity_claims(record.user)
        id_claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client.client_id,
            "sub": sub,
            **identity,
            "amr": list(cfg.amr),
            "sid": record.sid,
            "nonce": record.nonce,
            "auth_time": record.auth_time,
            "iat": issued,
            "exp": issued + cfg.id_token_lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        if record.acr:
            id_claims["acr"] = record.acr
        if cfg.kind == "citizen" and "profile" in record.scopes:
            id_claims["locale"] = record.locale
        access_jti = secrets.token_urlsafe(16)
        audiences = [client.client_id, *([cfg.api_audience] if cfg.api_audience else [])]
        access_claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audiences,
            "sub": sub,
            "client_id": client.client_id,
            "scope": " ".join(record.scopes),
            **identity,
            "sid": record.sid,
            "auth_time": record.auth_time,
            "iat": issued,
            "exp": issued + cfg.access_token_lifetime,
            "jti": access_jti,
            "locale": record.locale,
        }
        if record.acr:
            access_claims["acr"] = record.acr
        access_token = self._sign(access_claims, typ="at+jwt")  # RFC 9068 header type
        id_token = self._sign(id_claims)
        self._store.note_access_token(code, access_jti, float(access_claims["exp"]))
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": cfg.access_token_lifetime,
            "id_token": id_token,
            "scope": " ".join(record.scopes),
        }

    # -- userinfo --------------------------------------------------------------------

    async def _userinfo(self, request: Request) -> Response:
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _json(
                {"error": "invalid_request", "error_description": "a bearer token is required"},
                401,
                {"WWW-Authenticate": 'Bearer realm="userinfo"'},
            )
        try:
            claims = self._verify_own(token.strip(), check_exp=True)
            audiences = claims.get("aud")
            audiences = [audiences] if isinstance(audiences, str) else audiences or []
            if not any(aud in self._clients for aud in audiences) or "client_id" not in claims:
                raise OAuthError("invalid_token", "not an access token of this provider", 401)
            jti = claims.get("jti")
            if isinstance(jti, str) and self._store.is_marked("revoked", jti, self._now()):
                raise OAuthError("invalid_token", "the token has been revoked", 401)
        except OAuthError as exc:
            # A quoted-string may hold neither quotes nor control characters (RFC 6750 3).
            safe = re.sub(r'[^\x20-\x7e]|["\\]', "", exc.description)
            header = f'Bearer error="invalid_token", error_description="{safe}"'
            return _json(
                {"error": "invalid_token", "error_description": exc.description},
                401,
                {"WWW-Authenticate": header},
            )
        info: dict[str, Any] = {"sub": claims["sub"]}
        if self.config.kind == "citizen":
            pid = claims.get("pid", "")
            user = self._known_users().get(pid)
            info.update({"pid": pid, "name": user.name if user else f"Testperson {pid}"})
        else:
            for name in (
                HELSEID_PID,
                HELSEID_HPR_NUMBER,
                HELSEID_SECURITY_LEVEL,
                HELSEID_ASSURANCE_LEVEL,
                "name",
            ):
                info[name] = claims.get(name)
        info["locale"] = claims.get("locale", page.DEFAULT_LOCALE)
        return _json(info)

    # -- end session (RP-initiated logout + front-channel logout) --------------------

    async def _end_session(self, request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            params = {key: value for key, value in form.items() if isinstance(value, str)}
        else:
            params = dict(request.query_params)
        locale = page.pick_locale(params.get("ui_locales"))
        hint = params.get("id_token_hint")
        hint_claims: dict[str, Any] | None = None
        if hint:
            try:
                # An expired ID token is still a valid hint (RP-Initiated Logout 1.0, 2).
                hint_claims = self._verify_own(hint, check_exp=False)
            except OAuthError as exc:
                return _html(
                    page.render_error_page(
                        kind=self.config.kind,
                        locale=locale,
                        message_key="bad_request",
                        detail=f"id_token_hint: {exc.description}",
                    ),
                    400,
                )
        client_id = params.get("client_id")
        if hint_claims is not None:
            hint_aud = hint_claims.get("aud")
            if client_id and client_id != hint_aud:
                return _html(
                    page.render_error_page(
                        kind=self.config.kind,
                        locale=locale,
                        message_key="bad_request",
                        detail="client_id does not match id_token_hint",
                    ),
                    400,
                )
            client_id = hint_aud if isinstance(hint_aud, str) else None
        client = self._clients.get(client_id or "")

        redirect_to = None
        requested = params.get("post_logout_redirect_uri")
        if requested and client is not None and requested in client.post_logout_redirect_uris:
            redirect_to = add_query(requested, {"state": params.get("state")})

        browser_key = request.cookies.get(self.cookie_name)
        hint_sid = (hint_claims or {}).get("sid")
        ended = self._store.end_session(browser_key,
                                        hint_sid if isinstance(hint_sid, str) else None,
                                        self._now())
        sid = ended.sid
        participants: Iterable[str]
        if ended.clients is not None:
            participants = sorted(ended.clients)
        else:
            participants = [client.client_id] if client is not None else []
        frames = []
        if isinstance(sid, str):
            for participant in participants:
                registered = self._clients.get(participant)
                if registered is not None and registered.frontchannel_logout_uri:
                    frames.append(
                        (
                            registered.client_name or registered.client_id,
                            add_query(
                                registered.frontchannel_logout_uri, {"iss": self.issuer, "sid": sid}
                            ),
                        )
                    )
        nonce = secrets.token_urlsafe(16)
        response = _html(
            page.render_logout_page(
                kind=self.config.kind,
                locale=locale,
                frames=frames,
                redirect_to=redirect_to,
                script_nonce=nonce,
            ),
            script_nonce=nonce,
        )
        response.delete_cookie(self.cookie_name, path=self._public_path)
        return response
