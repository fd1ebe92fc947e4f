"""OpenID Connect relying party: authorization code flow with PKCE, single-use state and
nonce, RFC 9207 `iss` check, and private_key_jwt or client_secret_basic client auth."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from jose.utils import long_to_base64
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from digihelse.auth.jwks import JwksCache
from digihelse.auth.models import LoginAttempt, UsedAuthCode
from digihelse.auth.tokens import (
    MAX_CLOCK_SKEW,
    TokenExpectations,
    TokenRejected,
    validate_id_token,
)
from digihelse.core.db import write_session
from digihelse.core.settings import OidcClientSettings, is_loopback_url

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_MAX_AGE = 24 * 3600.0
USED_CODE_RETENTION = 24 * 3600  # seconds; a code is long dead at the provider by then
MAX_PARAM_LENGTH = 4096
HTTP_TIMEOUT = httpx.Timeout(10.0)

# Endpoints only the server calls; with fetch_base they move to the internal address.
# authorization_endpoint and end_session_endpoint are for the browser and stay published.
_SERVER_ENDPOINTS = (
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
    "pushed_authorization_request_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
)
_LOCALE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?")


class LoginFailed(Exception):
    """The login cannot complete. `code` is short and machine-readable."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.error = error
        self.error_description = error_description


@dataclass(frozen=True)
class LoginResult:
    claims: dict[str, Any]
    id_token: str
    next_path: str
    locale: str
    provider: str
    access_token: str | None = None


@dataclass(frozen=True)
class _Attempt:
    """A plain copy of a consumed LoginAttempt row."""

    provider: str
    nonce: str
    code_verifier: str
    next_path: str
    locale: str
    expires_at: dt.datetime


def safe_next_path(raw: str | None) -> str:
    """Keep only a same-origin absolute path ("/a/b?x=1"); anything else becomes "/"."""
    if not raw or not isinstance(raw, str) or len(raw) > 2048:
        return "/"
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become
    # "//evil.example"; refuse every control and format character outright.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge for a PKCE verifier (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _utc(ts: float) -> dt.datetime:
    """Aware UTC: SQLModel maps datetime fields to UTCDateTime, which refuses naive values."""
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # Some backends hand back naive values; those are UTC by our convention.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _rebase(url: str, issuer: str, fetch_base: str) -> str:
    """Point a published endpoint at the internal address the server can reach."""
    if url == issuer or url.startswith(issuer + "/"):
        return fetch_base + url[len(issuer):]
    if _origin(url) == _origin(issuer):
        return _origin(fetch_base) + url[len(_origin(url)):]
    return url  # hosted elsewhere: the internal address says nothing about it


def _secure_url(url: Any) -> bool:
    return isinstance(url, str) and (
        url.startswith("https://") or (url.startswith("http://") and is_loopback_url(url))
    )


async def fetch_discovery(
    http: httpx.AsyncClient, issuer: str, fetch_base: str | None = None
) -> dict[str, Any]:
    """The provider's metadata, checked against the configured issuer (OIDC Discovery 4.3)."""
    base = (fetch_base or issuer).rstrip("/")
    try:
        response = await http.get(
            base + DISCOVERY_PATH, headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise LoginFailed("discovery", f"cannot reach the provider: {exc}") from exc
    if response.status_code != 200:
        raise LoginFailed("discovery", f"discovery answered {response.status_code}")
    try:
        doc = response.json()
    except ValueError as exc:
        raise LoginFailed("discovery", "discovery is not JSON") from exc
    if not isinstance(doc, dict):
        raise LoginFailed("discovery", "discovery is not a JSON object")
    # Exact match, as published: anything else opens the door to mix-up attacks.
    if doc.get("issuer") != issuer:
        raise LoginFailed("discovery", f"discovery names issuer {doc.get('issuer')!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _secure_url(doc.get(name)):
            raise LoginFailed("discovery", f"{name} is missing or not https")
    if fetch_base:
        fetch_base = fetch_base.rstrip("/")
        doc = dict(doc)
        for name in _SERVER_ENDPOINTS:
            if isinstance(doc.get(name), str):
                doc[name] = _rebase(doc[name], issuer, fetch_base)
    return doc


def _thumbprint(public_jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint, the usual kid for a key registered by its public part."""
    members = ("crv", "kty", "x", "y") if public_jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({m: public_jwk[m] for m in members}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ClientKey:
    """Our private key for private_key_jwt, with its algorithm and kid."""

    key: Any  # a python-jose Key, parsed once (loading re-validates the whole RSA key)
    alg: str
    kid: str | None

    @classmethod
    def load(cls, text: str) -> ClientKey:
        """Read a PEM private key, or a private JWK in JSON (its kid then wins)."""
        text = text.strip()
        if text.startswith("{"):
            data = json.loads(text)
            if not isinstance(data, dict) or "d" not in data:
                raise ValueError("the client JWK is not a private key")
            alg = data.get("alg") or ("ES256" if data.get("kty") == "EC" else "RS256")
            kid = data.get("kid")
            return cls(jwk.construct(data, alg), alg, kid if isinstance(kid, str) else None)
        private = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        public: dict[str, str]
        if isinstance(private, rsa.RSAPrivateKey):
            if private.key_size < 2048:
                raise ValueError("the client RSA key must have at least 2048 bits")
            numbers = private.public_key().public_numbers()
            alg = "RS256"
            public = {
                "kty": "RSA",
                "n": long_to_base64(numbers.n).decode("ascii"),
                "e": long_to_base64(numbers.e).decode("ascii"),
            }
        elif isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == "secp256r1":
            numbers = private.public_key().public_numbers()
            alg = "ES256"
            public = {
                "kty": "EC",
                "crv": "P-256",
                "x": long_to_base64(numbers.x, size=32).decode("ascii"),
                "y": long_to_base64(numbers.y, size=32).decode("ascii"),
            }
        else:
            raise ValueError("the client key must be RSA or EC P-256")
        return cls(jwk.construct(private, alg), alg, _thumbprint(public))

    def assertion(self, client_id: str, audience: str, now: float) -> str:
        """A client assertion JWT (RFC 7523 section 3), valid for 60 seconds."""
        issued = int(now)
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": issued,
            "exp": issued + 60,
            "jti": secrets.token_urlsafe(32),
        }
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(claims, self.key, algorithm=self.alg, headers=headers)


def _param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_PARAM_LENGTH:
        raise LoginFailed("bad_request", f"the {name} parameter is malformed")
    return value


def _basic_auth(client_id: str, secret: str) -> str:
    # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")


class RelyingParty:
    """One configured OpenID provider and our client registration with it."""

    def __init__(
        self,
        name: str,
        oidc: OidcClientSettings,
        redirect_uri: str,
        engine: Engine,
        http: httpx.AsyncClient,
        fetch_base: str | None = None,
        clock_skew: int = 60,
        jwks_refetch_limit: int = 3,
        attempt_seconds: int = 600,
        pid_claim: str = "pid",
        *,
        now: Callable[[], float] = time.time,
        jwks_refetch_window: float = 60.0,
        client_key_pem: Callable[[], str] | None = None,
    ) -> None:
        self.name = name
        self.oidc = oidc
        self.redirect_uri = redirect_uri
        self.engine = engine
        self.http = http
        self.fetch_base = fetch_base.rstrip("/") if fetch_base else None
        self.clock_skew = min(max(clock_skew, 0), MAX_CLOCK_SKEW)
        self.attempt_seconds = attempt_seconds
        self.pid_claim = pid_claim
        self._now = now
        # Parse a configured key now so a broken key stops the app at start, not at first
        # login. A key made here for the embedded provider (client_key_pem) lives in the
        # database, the same for every worker, and is read at first use.
        self._client_key = ClientKey.load(oidc.private_key_pem) if oidc.private_key_pem else None
        self._client_key_pem = None if oidc.private_key_pem else client_key_pem
        self.jwks = JwksCache(
            self._fetch_jwks,
            refetch_limit=jwks_refetch_limit,
            refetch_window=jwks_refetch_window,
            now=now,
        )
        self._discovery: dict[str, Any] | None = None
        self._discovery_at = 0.0
        self._discovery_lock = asyncio.Lock()

    @property
    def client_key(self) -> ClientKey | None:
        """Our private_key_jwt key, or None when we authenticate otherwise."""
        if self._client_key is None and self._client_key_pem is not None:
            self._client_key = ClientKey.load(self._client_key_pem())
        return self._client_key

    # -- provider metadata -------------------------------------------------------------

    @property
    def discovery(self) -> dict[str, Any] | None:
        """The cached discovery document (server endpoints rebased), or None."""
        return self._discovery

    async def ensure_discovery(self) -> dict[str, Any]:
        """Fetch discovery once, then again after a day (keeping the old one on failure)."""
        async with self._discovery_lock:
            fresh = self._now() - self._discovery_at < DISCOVERY_MAX_AGE
            if self._discovery is not None and fresh:
                return self._discovery
            try:
                doc = await fetch_discovery(self.http, self.oidc.issuer, self.fetch_base)
            except LoginFailed:
                if self._discovery is None:
                    raise
                return self._discovery
            self._discovery, self._discovery_at = doc, self._now()
            return doc

    async def _fetch_jwks(self) -> dict:
        doc = await self.ensure_discovery()
        response = await self.http.get(
            doc["jwks_uri"], headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    # -- login ---------------------------------------------------------------------------

    async def start_login(self, next_path: str, locale: str = "nb") -> str:
        """Record a login attempt and return the provider's authorization URL."""
        doc = await self.ensure_discovery()
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters, inside PKCE's 43-128
        locale = locale if isinstance(locale, str) and _LOCALE.fullmatch(locale) else "nb"
        now = self._now()
        attempt = LoginAttempt(
            state_hash=sha256_hex(state),
            provider=self.name,
            nonce=nonce,
            code_verifier=verifier,
            next_path=safe_next_path(next_path),
            locale=locale,
            created_at=_utc(now),
            expires_at=_utc(now + self.attempt_seconds),
        )
        await asyncio.to_thread(self._store_attempt, attempt, now)
        params = {
            "response_type": "code",
            "client_id": self.oidc.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.oidc.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if self.oidc.acr:
            params["acr_values"] = self.oidc.acr
        params["ui_locales"] = locale
        endpoint = doc["authorization_endpoint"]
        if self._pushes_requests(doc):
            # RFC 9126: the parameters travel server to server, authenticated, and the
            # browser carries only an opaque, single-use reference to them.
            params = {"client_id": self.oidc.client_id,
                      "request_uri": await self._push(doc, params)}
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)

    def _pushes_requests(self, doc: Mapping[str, Any]) -> bool:
        """PAR whenever the provider offers it and we can authenticate (HelseID requires
        it; ID-porten offers it)."""
        offered = isinstance(doc.get("pushed_authorization_request_endpoint"), str)
        can_authenticate = self.client_key is not None or bool(self.oidc.client_secret)
        return offered and (can_authenticate
                            or doc.get("require_pushed_authorization_requests") is True)

    async def _push(self, doc: Mapping[str, Any], params: dict[str, str]) -> str:
        """Push the authorization request; returns the request_uri to send the browser with."""
        data, headers = self._authenticated({k: v for k, v in params.items()
                                             if k != "client_id"})
        try:
            response = await self.http.post(doc["pushed_authorization_request_endpoint"],
                                            data=data, headers=headers, timeout=HTTP_TIMEOUT)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise LoginFailed("par_endpoint", f"cannot push the login request: {exc}") from exc
        request_uri = body.get("request_uri") if isinstance(body, dict) else None
        if response.status_code not in (200, 201) or not isinstance(request_uri, str):
            error = body.get("error") if isinstance(body, dict) else None
            raise LoginFailed("par_endpoint",
                              f"the PAR endpoint answered {response.status_code}"
                              + (f" ({error})" if isinstance(error, str) else ""),
                              error=error if isinstance(error, str) else None)
        return request_uri

    def _authenticated(self, data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """The form and headers for a request to the provider's back channel, with our
        client authentication: private_key_jwt, else client_secret_basic, else none (a
        public client, protected by PKCE). The assertion's audience is the issuer, which
        RFC 7523 and RFC 9126 both accept."""
        data = dict(data)
        headers = {"Accept": "application/json"}
        if self.client_key is not None:
            data["client_id"] = self.oidc.client_id
            data["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            data["client_assertion"] = self.client_key.assertion(
                self.oidc.client_id, self.oidc.issuer, self._now()
            )
        elif self.oidc.client_secret:
            headers["Authorization"] = _basic_auth(self.oidc.client_id, self.oidc.client_secret)
        else:
            data["client_id"] = self.oidc.client_id
        return data, headers

    def _store_attempt(self, attempt: LoginAttempt, now: float) -> None:
        with write_session(self.engine) as s:
            # Abandoned attempts and old code hashes are swept here, so no job is needed.
            s.exec(delete(LoginAttempt).where(LoginAttempt.expires_at < _utc(now)))
            s.exec(
                delete(UsedAuthCode).where(UsedAuthCode.used_at < _utc(now - USED_CODE_RETENTION))
            )
            s.add(attempt)

    def _consume_attempt(self, state_hash: str) -> _Attempt | None:
        with write_session(self.engine) as s:
            row = s.get(LoginAttempt, state_hash)
            if row is None:
                return None
            copy = _Attempt(
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

    def _mark_code_used(self, code_hash: str, now: float) -> bool:
        try:
            with write_session(self.engine) as s:
                if s.get(UsedAuthCode, code_hash) is not None:
                    return False
                s.add(UsedAuthCode(code_hash=code_hash, used_at=_utc(now)))
        except IntegrityError:
            return False  # a concurrent request inserted it first
        return True

    async def finish_login(self, params: Mapping[str, str]) -> LoginResult:
        """Handle the callback: check state, iss and code, redeem the code, validate."""
        state = _param(params, "state")
        if state is None:
            raise LoginFailed("state_missing", "the callback has no state")
        attempt = await asyncio.to_thread(self._consume_attempt, sha256_hex(state))
        if attempt is None or attempt.provider != self.name:
            raise LoginFailed("state_unknown", "unknown or already used state")
        if _as_utc(attempt.expires_at) <= _utc(self._now()):
            raise LoginFailed("state_expired", "the login took too long; please start again")

        doc = await self.ensure_discovery()
        # RFC 9207: checked for error responses too, before trusting anything else.
        iss = _param(params, "iss")
        if iss is not None and iss != self.oidc.issuer:
            raise LoginFailed("iss_mismatch", "the response comes from another issuer")
        if iss is None and doc.get("authorization_response_iss_parameter_supported") is True:
            raise LoginFailed("iss_mismatch", "the response lacks the iss parameter")

        error = _param(params, "error")
        if error is not None:
            description = _param(params, "error_description")
            raise LoginFailed(
                "provider_error",
                f"the provider refused: {error}" + (f" ({description})" if description else ""),
                error=error,
                error_description=description,
            )
        code = _param(params, "code")
        if code is None:
            raise LoginFailed("code_missing", "the callback has no code")
        if not await asyncio.to_thread(self._mark_code_used, sha256_hex(code), self._now()):
            raise LoginFailed("code_replayed", "this authorization code was already used")

        tokens = await self._redeem(doc, code, attempt.code_verifier)
        id_token = tokens["id_token"]
        access_token = tokens.get("access_token")
        expect = TokenExpectations(
            issuer=self.oidc.issuer,
            client_id=self.oidc.client_id,
            algorithms=self.oidc.algorithms,
            nonce=attempt.nonce,
            acr_min=self.oidc.acr,
            pid_claim=self.pid_claim,
            clock_skew=self.clock_skew,
        )
        try:
            claims = await validate_id_token(
                id_token,
                expect,
                self.jwks,
                now=self._now(),
                access_token=access_token if isinstance(access_token, str) else None,
            )
        except TokenRejected as exc:
            raise LoginFailed(exc.code, exc.message) from exc
        return LoginResult(
            claims=claims,
            id_token=id_token,
            next_path=attempt.next_path,
            locale=attempt.locale,
            provider=self.name,
            access_token=access_token if isinstance(access_token, str) else None,
        )

    async def _redeem(self, doc: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
        data, headers = self._authenticated({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        })
        try:
            response = await self.http.post(
                doc["token_endpoint"], data=data, headers=headers, timeout=HTTP_TIMEOUT
            )
        except httpx.HTTPError as exc:
            raise LoginFailed("token_endpoint", f"cannot reach the token endpoint: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise LoginFailed(
                "token_endpoint",
                f"the token endpoint answered {response.status_code}"
                + (f" ({error})" if isinstance(error, str) else ""),
                error=error if isinstance(error, str) else None,
            )
        if not isinstance(body.get("id_token"), str):
            raise LoginFailed("token_endpoint", "the token response has no id_token")
        return body

    # -- after login ---------------------------------------------------------------------

    def end_session_url(
        self,
        id_token_hint: str | None,
        post_logout_redirect_uri: str,
        state: str | None = None,
    ) -> str | None:
        """RP-initiated logout URL, or None when the provider has no end_session_endpoint.
        Call after ensure_discovery()."""
        if self._discovery is None:
            raise RuntimeError("call ensure_discovery() before end_session_url()")
        endpoint = self._discovery.get("end_session_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            return None
        params = {"client_id": self.oidc.client_id}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        params["post_logout_redirect_uri"] = post_logout_redirect_uri
        if state:
            params["state"] = state
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)

    async def fetch_userinfo(
        self, access_token: str, expected_sub: str | None = None
    ) -> dict[str, Any]:
        """The UserInfo response (JSON form); its sub must match the ID token's."""
        doc = await self.ensure_discovery()
        endpoint = doc.get("userinfo_endpoint")
        if not isinstance(endpoint, str):
            raise LoginFailed("userinfo", "the provider has no userinfo endpoint")
        try:
            response = await self.http.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                timeout=HTTP_TIMEOUT,
            )
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            raise LoginFailed("userinfo", f"userinfo failed: {exc}") from exc
        if not isinstance(body, dict):
            raise LoginFailed("userinfo", f"userinfo answered {response.status_code}")
        if expected_sub is not None and body.get("sub") != expected_sub:
            raise LoginFailed("userinfo", "userinfo is about another subject")
        return body
