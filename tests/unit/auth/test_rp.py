"""The relying-party flow against a fake provider on httpx.MockTransport: state, nonce,
PKCE, RFC 9207 iss, code replay, client authentication, discovery and logout URLs."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st
from jose import jwk, jwt
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

import digihelse.models  # noqa: F401  (registers every table)
from digihelse.auth.discovery import fetch_discovery
from digihelse.auth.keys import CLIENT_ASSERTION_TYPE
from digihelse.auth.login_start import pkce_challenge, safe_next_path
from digihelse.auth.models import LoginAttempt, UsedAuthCode
from digihelse.auth.outcome import LoginFailed
from digihelse.auth.rp import RelyingParty
from digihelse.core.db import make_engine, session
from digihelse.core.settings import OidcClientSettings
from digihelse.people.nin import synthetic_nin
from tests.factories import EpochClock

ISSUER = "https://idporten.test"
CLIENT = "digihelse"
SECRET = "s3cret:with/odd&chars"
REDIRECT = "https://digihelse.test/auth/callback"
NOW = 1_800_000_000.0
PID = synthetic_nin(dt.date(2010, 5, 17))


# -- keys ----------------------------------------------------------------------------------


@functools.cache
def rsa_key(name: str) -> tuple[Any, str, dict[str, Any]]:
    """(jose signing key, private PEM, public JWK with kid) for a name."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = jwk.construct(private.public_key(), "RS256").to_dict()
    public.update(kid=name, use="sig")
    return jwk.construct(private, "RS256"), pem, public




# -- the fake provider ---------------------------------------------------------------------


class Provider:
    """An OpenID provider good enough to drive the RP: it checks PKCE, redirect_uri and
    client authentication the way a real one does, and signs real ID tokens."""

    def __init__(self, clock: EpochClock, issuer: str = ISSUER) -> None:
        self.clock = clock
        self.issuer = issuer
        self.signing = "op-key-1"
        self.published = ["op-key-1"]
        self.discovery_issuer = issuer
        self.iss_supported = True
        self.client_public_jwk: dict[str, Any] | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.token_forms: list[dict[str, str]] = []
        self.jwks_fetches = 0
        self.token_status = 200
        self.par = False  # offer pushed authorization requests (RFC 9126)
        self.par_status = 201
        self.pushed: dict[str, dict[str, str]] = {}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.discovery_issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/endsession",
            "authorization_response_iss_parameter_supported": self.iss_supported,
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            **({"pushed_authorization_request_endpoint": f"{self.issuer}/par"}
               if self.par else {}),
        }

    def authorize(self, url: str, **claims: Any) -> dict[str, str]:
        """What the browser would bring back after login: code, state and iss."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if "request_uri" in query:
            assert set(query) == {"client_id", "request_uri"}
            query = {**self.pushed.pop(query["request_uri"]), "client_id": query["client_id"]}
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"query": query, "claims": claims}
        return {"code": code, "state": query["state"], "iss": self.issuer}

    def id_token(self, query: dict[str, str], changes: dict[str, Any]) -> str:
        now = int(self.clock())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": query["client_id"], "sub": "pairwise-1",
            "iat": now, "exp": now + 120, "nonce": query["nonce"],
            "acr": query.get("acr_values", "idporten-loa-substantial"),
            "amr": ["TestID"], "pid": PID, "sid": "sid-1",
        }
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = rsa_key(self.signing)[0]
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.signing})

    def check_client(self, request: httpx.Request, form: dict[str, str]) -> bool:
        if self.client_public_jwk is not None:
            assert "authorization" not in request.headers
            assert form["client_assertion_type"] == CLIENT_ASSERTION_TYPE
            assertion = form["client_assertion"]
            header = jwt.get_unverified_header(assertion)
            assert header["alg"] == "RS256"
            assert header["kid"] == self.client_public_jwk["kid"]
            claims = jwt.decode(assertion, self.client_public_jwk, algorithms=["RS256"],
                                audience=self.issuer)
            assert claims["iss"] == claims["sub"] == CLIENT
            assert claims["exp"] - claims["iat"] == 60
            assert len(claims["jti"]) >= 32
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(value).decode().partition(":")
        return unquote(user) == CLIENT and unquote(password) == SECRET

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json=self.discovery())
        if path.endswith("/jwks"):
            self.jwks_fetches += 1
            return httpx.Response(200, json={"keys": [rsa_key(k)[2] for k in self.published]})
        if path.endswith("/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_forms.append(form)
            if self.token_status != 200:
                return httpx.Response(self.token_status, json={"error": "server_error"})
            if not self.check_client(request, form):
                return httpx.Response(401, json={"error": "invalid_client"})
            # The fake does not burn codes, so the RP's own replay guard is what we test.
            issued = self.codes.get(form.get("code", ""))
            if issued is None or form.get("grant_type") != "authorization_code":
                return httpx.Response(400, json={"error": "invalid_grant"})
            query = issued["query"]
            if form.get("redirect_uri") != query["redirect_uri"]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            if pkce_challenge(form.get("code_verifier", "")) != query["code_challenge"]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(200, json={
                "access_token": "at-" + secrets.token_urlsafe(8), "token_type": "Bearer",
                "expires_in": 120, "id_token": self.id_token(query, issued["claims"]),
            })
        if path.endswith("/par"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if self.par_status != 201:
                return httpx.Response(self.par_status, json={"error": "invalid_request"})
            if not self.check_client(request, form):
                return httpx.Response(401, json={"error": "invalid_client"})
            request_uri = "urn:ietf:params:oauth:request_uri:" + secrets.token_urlsafe(8)
            self.pushed[request_uri] = form
            return httpx.Response(201, json={"request_uri": request_uri, "expires_in": 60})
        if path.endswith("/userinfo"):
            return httpx.Response(200, json={"sub": "pairwise-1", "pid": PID})
        return httpx.Response(404)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Any) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> EpochClock:
    return EpochClock()


@pytest.fixture
def provider(clock: EpochClock) -> Provider:
    return Provider(clock)


def settings(**changes: Any) -> OidcClientSettings:
    values: dict[str, Any] = {
        "issuer": ISSUER, "client_id": CLIENT, "client_secret": SECRET,
        "private_key_pem": None, "acr": "idporten-loa-substantial",
        "algorithms": ("RS256",), "scopes": ("openid", "profile"), "embedded": False,
    }
    values.update(changes)
    return OidcClientSettings(**values)


def make_rp(engine: Engine, provider: Provider, clock: EpochClock, **kwargs: Any) -> RelyingParty:
    oidc = kwargs.pop("oidc", settings())
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handle))
    return RelyingParty("citizen", oidc, REDIRECT, engine, http, now=clock, **kwargs)


@pytest.fixture
def rp(engine: Engine, provider: Provider, clock: EpochClock) -> RelyingParty:
    return make_rp(engine, provider, clock)


async def login(rp: RelyingParty, provider: Provider, **claims: Any) -> dict[str, str]:
    """Start a login and return the callback parameters the provider would send."""
    url = await rp.start_login("/helsekort?tab=1", "en")
    return provider.authorize(url, **claims)


async def failure(rp: RelyingParty, params: dict[str, str]) -> LoginFailed:
    with pytest.raises(LoginFailed) as info:
        await rp.finish_login(params)
    assert info.value.message
    return info.value


# -- the happy path ------------------------------------------------------------------------


async def test_full_login_with_client_secret_basic(
    rp: RelyingParty, provider: Provider, engine: Engine
) -> None:
    url = await rp.start_login("/helsekort?tab=1", "en")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ISSUER}/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT
    assert query["redirect_uri"] == REDIRECT
    assert query["scope"] == "openid profile"
    assert query["code_challenge_method"] == "S256"
    assert query["acr_values"] == "idporten-loa-substantial"
    assert query["ui_locales"] == "en"
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43
    assert query["state"] != query["nonce"]

    with session(engine) as s:
        rows = s.exec(select(LoginAttempt)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.state_hash == hashlib.sha256(query["state"].encode()).hexdigest()
    assert 43 <= len(row.code_verifier) <= 128
    assert pkce_challenge(row.code_verifier) == query["code_challenge"]
    assert (row.expires_at - row.created_at).total_seconds() == 600

    result = await rp.finish_login(provider.authorize(url))
    assert result.claims["pid"] == PID
    assert result.next_path == "/helsekort?tab=1"
    assert result.locale == "en"
    assert result.provider == "citizen"
    assert result.id_token.count(".") == 2
    assert provider.token_forms[-1]["code_verifier"] == row.code_verifier
    assert "client_secret" not in provider.token_forms[-1]  # sent as basic auth only
    with session(engine) as s:
        assert s.exec(select(LoginAttempt)).all() == []
        assert len(s.exec(select(UsedAuthCode)).all()) == 1


async def test_private_key_jwt_client_authentication(
    engine: Engine, provider: Provider, clock: EpochClock
) -> None:
    _key, pem, public = rsa_key("client-key")
    rp = make_rp(engine, provider, clock,
                 oidc=settings(client_secret=None, private_key_pem=pem))
    # The kid we send is the RFC 7638 thumbprint of our public key.
    canonical = json.dumps({"e": public["e"], "kty": "RSA", "n": public["n"]},
                           separators=(",", ":"))
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    provider.client_public_jwk = dict(public, kid=thumbprint.rstrip(b"=").decode())
    result = await rp.finish_login(await login(rp, provider))
    assert result.claims["pid"] == PID
    assert provider.token_forms[-1]["client_id"] == CLIENT


async def test_higher_acr_from_provider_is_accepted(rp: RelyingParty, provider: Provider) -> None:
    result = await rp.finish_login(await login(rp, provider, acr="idporten-loa-high"))
    assert result.claims["acr"] == "idporten-loa-high"


async def test_key_rotation_between_logins(rp: RelyingParty, provider: Provider) -> None:
    await rp.finish_login(await login(rp, provider))
    provider.signing = "op-key-2"
    provider.published = ["op-key-2"]
    result = await rp.finish_login(await login(rp, provider))
    assert result.claims["pid"] == PID
    assert provider.jwks_fetches == 2


async def test_callback_without_iss_is_accepted_when_not_advertised(
    rp: RelyingParty, provider: Provider
) -> None:
    provider.iss_supported = False
    params = await login(rp, provider)
    del params["iss"]
    assert (await rp.finish_login(params)).claims["pid"] == PID


# -- state ---------------------------------------------------------------------------------


async def test_state_missing(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    del params["state"]
    assert (await failure(rp, params)).code == "state_missing"


async def test_state_wrong(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    params["state"] = secrets.token_urlsafe(32)
    assert (await failure(rp, params)).code == "state_unknown"


async def test_state_replayed(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    await rp.finish_login(params)
    assert (await failure(rp, params)).code == "state_unknown"


async def test_state_expired(rp: RelyingParty, provider: Provider, clock: EpochClock) -> None:
    params = await login(rp, provider)
    clock.now += 601
    assert (await failure(rp, params)).code == "state_expired"
    # An expired attempt is consumed too.
    clock.now = NOW
    assert (await failure(rp, params)).code == "state_unknown"


async def test_state_of_another_provider_is_unknown(
    engine: Engine, provider: Provider, clock: EpochClock
) -> None:
    citizen = make_rp(engine, provider, clock)
    personnel = RelyingParty("personnel", settings(), REDIRECT, engine, citizen.http, now=clock)
    params = await login(citizen, provider)
    assert (await failure(personnel, params)).code == "state_unknown"


async def test_unsafe_next_path_is_stored_as_root(rp: RelyingParty, provider: Provider) -> None:
    url = await rp.start_login("//evil.example/x", "xx-<script>")
    result = await rp.finish_login(provider.authorize(url))
    assert result.next_path == "/"
    assert result.locale == "nb"


# -- provider response ---------------------------------------------------------------------


async def test_error_access_denied(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    denied = {"error": "access_denied", "error_description": "User cancelled",
              "state": params["state"], "iss": ISSUER}
    err = await failure(rp, denied)
    assert err.code == "provider_error"
    assert err.error == "access_denied"
    assert err.error_description == "User cancelled"
    # The state was consumed: the real code cannot be used with it afterwards.
    assert (await failure(rp, params)).code == "state_unknown"
    assert provider.token_forms == []


async def test_callback_iss_mismatch(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    params["iss"] = "https://evil.example"
    assert (await failure(rp, params)).code == "iss_mismatch"
    assert provider.token_forms == []  # the code never reached any token endpoint


async def test_callback_iss_missing_when_advertised(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    del params["iss"]
    assert (await failure(rp, params)).code == "iss_mismatch"


async def test_replayed_code(rp: RelyingParty, provider: Provider) -> None:
    first = await login(rp, provider)
    await rp.finish_login(first)
    second = await login(rp, provider)
    second["code"] = first["code"]  # an old code injected into a fresh login
    assert (await failure(rp, second)).code == "code_replayed"
    assert len(provider.token_forms) == 1


async def test_code_missing(rp: RelyingParty, provider: Provider) -> None:
    params = await login(rp, provider)
    del params["code"]
    assert (await failure(rp, params)).code == "code_missing"


async def test_token_endpoint_error(rp: RelyingParty, provider: Provider) -> None:
    provider.token_status = 500
    err = await failure(rp, await login(rp, provider))
    assert err.code == "token_endpoint"
    assert err.error == "server_error"


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"nonce": "not-the-one-we-sent"}, "bad_nonce"),
        ({"nonce": None}, "bad_nonce"),
        ({"acr": "idporten-loa-low"}, "acr_too_low"),
        ({"aud": "another-client"}, "bad_audience"),
        ({"pid": "12345678901"}, "bad_pid"),
        ({"exp": int(NOW) - 120}, "expired"),
    ],
    ids=["nonce-wrong", "nonce-missing", "acr-too-low", "aud-other", "pid-invalid", "expired"],
)
async def test_bad_id_token_fails_the_login(
    rp: RelyingParty, provider: Provider, claims: dict[str, Any], code: str
) -> None:
    assert (await failure(rp, await login(rp, provider, **claims))).code == code


async def test_id_token_signed_by_unknown_key(rp: RelyingParty, provider: Provider) -> None:
    provider.signing = "rogue"  # signs with a key the JWKS never publishes
    assert (await failure(rp, await login(rp, provider))).code == "unknown_kid"


# -- discovery -----------------------------------------------------------------------------


async def test_discovery_issuer_mismatch(rp: RelyingParty, provider: Provider) -> None:
    provider.discovery_issuer = "https://evil.example"
    with pytest.raises(LoginFailed) as info:
        await rp.start_login("/")
    assert info.value.code == "discovery"
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        with pytest.raises(LoginFailed) as info:
            await fetch_discovery(http, ISSUER)
    assert info.value.code == "discovery"


async def test_discovery_trailing_slash_is_a_mismatch(provider: Provider) -> None:
    provider.discovery_issuer = ISSUER + "/"
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        with pytest.raises(LoginFailed):
            await fetch_discovery(http, ISSUER)


async def test_discovery_is_cached(rp: RelyingParty, provider: Provider) -> None:
    await rp.finish_login(await login(rp, provider))
    await rp.finish_login(await login(rp, provider))
    fetched = [r for r in provider.requests if r.url.path.endswith("openid-configuration")]
    assert len(fetched) == 1


async def test_fetch_base_rewrites_server_endpoints_only(
    engine: Engine, clock: EpochClock
) -> None:
    public = "https://digihelse.test/idp"
    internal = "http://127.0.0.1:8000/idp"
    provider = Provider(clock, issuer=public)
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handle))
    rp = RelyingParty("citizen", settings(issuer=public), REDIRECT, engine, http,
                      fetch_base=internal, now=clock)
    url = await rp.start_login("/")
    assert url.startswith(f"{public}/authorize?")
    doc = rp.discovery
    assert doc is not None
    assert doc["token_endpoint"] == f"{internal}/token"
    assert doc["jwks_uri"] == f"{internal}/jwks"
    assert doc["end_session_endpoint"] == f"{public}/endsession"
    result = await rp.finish_login(provider.authorize(url))
    assert result.claims["iss"] == public
    server_calls = {str(r.url).split("?")[0] for r in provider.requests}
    assert server_calls == {
        f"{internal}/.well-known/openid-configuration", f"{internal}/jwks", f"{internal}/token",
    }


# -- logout and userinfo -------------------------------------------------------------------


async def test_end_session_url(rp: RelyingParty) -> None:
    with pytest.raises(RuntimeError):
        rp.end_session_url("x", "https://digihelse.test/")
    await rp.ensure_discovery()
    url = rp.end_session_url("the.id.token", "https://digihelse.test/logged-out", "st1")
    assert url is not None
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ISSUER}/endsession"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "client_id": CLIENT, "id_token_hint": "the.id.token",
        "post_logout_redirect_uri": "https://digihelse.test/logged-out", "state": "st1",
    }


async def test_userinfo_checks_the_subject(rp: RelyingParty) -> None:
    info = await rp.fetch_userinfo("at-1", expected_sub="pairwise-1")
    assert info["pid"] == PID
    with pytest.raises(LoginFailed) as err:
        await rp.fetch_userinfo("at-1", expected_sub="someone-else")
    assert err.value.code == "userinfo"


# -- safe_next_path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/a/b?x=1", "/a/b?x=1"),
        ("/", "/"),
        ("/helsekort#uke-12", "/helsekort#uke-12"),
        (None, "/"),
        ("", "/"),
        ("a/b", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/a\x00b", "/"),
        ("/a\u200bb", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_safe_next_path(raw: str | None, expected: str) -> None:
    assert safe_next_path(raw) == expected


@given(st.text(max_size=80))
def test_safe_next_path_never_leaves_the_origin(raw: str) -> None:
    path = safe_next_path(raw)
    assert path.startswith("/")
    assert not path.startswith("//")
    assert "\\" not in path
    assert all(ord(ch) >= 0x20 and ord(ch) != 0x7F for ch in path)
    assert urlsplit(path).netloc == ""


# -- pushed authorization requests (RFC 9126) -----------------------------------------------


async def test_login_pushes_the_request_when_the_provider_offers_par(
    rp: RelyingParty, provider: Provider
) -> None:
    provider.par = True
    url = await rp.start_login("/helsekort", "en")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert set(query) == {"client_id", "request_uri"}
    assert query["client_id"] == CLIENT
    pushed = provider.pushed[query["request_uri"]]
    assert pushed["redirect_uri"] == REDIRECT and pushed["code_challenge_method"] == "S256"
    assert "state" in pushed and "nonce" in pushed
    result = await rp.finish_login(provider.authorize(url))
    assert result.claims["pid"] == PID


async def test_pushed_request_uses_private_key_jwt(
    engine: Engine, provider: Provider, clock: EpochClock
) -> None:
    provider.par = True
    _key, pem, public = rsa_key("client-key")
    rp = make_rp(engine, provider, clock, oidc=settings(client_secret=None, private_key_pem=pem))
    provider.client_public_jwk = dict(public, kid=rp.client_key.kid)
    url = await rp.start_login("/")
    # check_client verified the assertion on the push as well as on the token request.
    result = await rp.finish_login(provider.authorize(url))
    assert result.claims["pid"] == PID


async def test_a_refused_push_fails_the_login_start(rp: RelyingParty, provider: Provider) -> None:
    provider.par, provider.par_status = True, 400
    with pytest.raises(LoginFailed) as info:
        await rp.start_login("/")
    assert info.value.code == "par_endpoint"
