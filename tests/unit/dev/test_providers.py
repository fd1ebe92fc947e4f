"""The embedded OpenID Connect test providers (citizen like TestID, personnel like HelseID),
exercised over HTTP as a relying party would."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from digihelse_dev.providers.config import (
    ClientRegistration,
    TestUser,
    citizen_config,
    personnel_config,
)
from digihelse_dev.providers.provider import TestProvider
from jose import jwt
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from digihelse.auth.keys import (
    CLIENT_ASSERTION_TYPE,
    RsaKey,
    client_assertion,
    generate_rsa_key,
    jwk_thumbprint,
    jwks,
    load_rsa_key,
)
from digihelse.core import db
from digihelse.people.nin import synthetic_nin
from tests.factories import EpochClock

BASE = "http://localhost:8000"
APP_CALLBACK = f"{BASE}/auth/callback"
OTHER_CALLBACK = "http://localhost:9000/cb"

PUPIL = TestUser(
    pid=synthetic_nin(dt.date(2011, 3, 14), seed=1),
    name="Emma Testesen",
    birth_date=dt.date(2011, 3, 14),
    roles=["pupil"],
    description="Elev, 8. trinn",
)
MOTHER = TestUser(
    pid=synthetic_nin(dt.date(1993, 7, 2), seed=2),
    name="Sara Gravid",
    birth_date=dt.date(1993, 7, 2),
    roles=["citizen"],
    description="Gravid, uke 24",
)
NURSE = TestUser(
    pid=synthetic_nin(dt.date(1980, 1, 20), seed=3),
    name="Kari Helsesykepleier",
    birth_date=dt.date(1980, 1, 20),
    roles=["school_nurse"],
    description="Skolehelsetjenesten",
    hpr_number="9100001",
)
STRANGER = synthetic_nin(dt.date(1975, 11, 5), seed=4)  # valid, but not a listed person


@dataclass
class Setup:
    provider: TestProvider
    http: TestClient
    mount: str
    client_key: RsaKey | None = None  # for pushed requests (HelseID requires PAR)


@pytest.fixture(scope="module")
def client_key() -> RsaKey:
    return generate_rsa_key("app-client-key")


@pytest.fixture(scope="module")
def other_key() -> RsaKey:
    return generate_rsa_key("other-client-key")


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path:
    """One migrated SQLite file per module; each test gets a copy (faster than migrating)."""
    path = tmp_path_factory.mktemp("flow") / "template.db"
    db.migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def flow_engine(migrated_file: Path, tmp_path: Path) -> Iterator[Engine]:
    """The database where the providers keep their flow state and keys."""
    path = tmp_path / "flow.db"
    shutil.copy(migrated_file, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _serve(provider: TestProvider) -> TestClient:
    return TestClient(Starlette(routes=provider.routes()), follow_redirects=False)


@pytest.fixture
def clock() -> EpochClock:
    return EpochClock(1_700_000_000.0)


@pytest.fixture
def citizen(client_key: RsaKey, clock: EpochClock, flow_engine: Engine) -> Iterator[Setup]:
    clients = [
        ClientRegistration(
            client_id="digihelse",
            client_name="DigiHelse",
            redirect_uris=[APP_CALLBACK],
            post_logout_redirect_uris=[f"{BASE}/logged-out"],
            frontchannel_logout_uri=f"{BASE}/auth/frontchannel-logout",
            client_secret="app-secret",
            jwks=jwks([client_key]),
            token_endpoint_auth_methods=[
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ],
        ),
        ClientRegistration(
            client_id="other",
            redirect_uris=[OTHER_CALLBACK],
            client_secret="other secret:with/odd chars",
        ),
    ]
    provider = TestProvider(
        citizen_config(
            BASE, clients=clients, list_users=lambda: [PUPIL, MOTHER], api_audience="digihelse-api"
        ),
        clock=clock,
        engine=flow_engine,
    )
    with _serve(provider) as http:
        yield Setup(provider, http, "/idp")


@pytest.fixture
def personnel(client_key: RsaKey, clock: EpochClock, flow_engine: Engine) -> Iterator[Setup]:
    clients = [
        ClientRegistration(
            client_id="digihelse-personnel",
            redirect_uris=[f"{BASE}/auth/personnel/callback"],
            client_secret="would-be-secret",
            jwks=jwks([client_key]),
            token_endpoint_auth_methods=["client_secret_basic", "private_key_jwt"],
        ),
    ]
    provider = TestProvider(
        personnel_config(BASE, clients=clients, list_users=lambda: [NURSE]), clock=clock,
        engine=flow_engine,
    )
    with _serve(provider) as http:
        yield Setup(provider, http, "/helseid", client_key)


# -- helpers -------------------------------------------------------------------------


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)  # 64 characters
    return verifier, create_s256_code_challenge(verifier)


def authorize_params(client_id: str, redirect_uri: str, challenge: str, **extra: str) -> dict:
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return params


def request_id(html: str) -> str:
    match = re.search(r'name="request" value="([^"]+)"', html)
    assert match, "the login form has no request id"
    return unescape(match.group(1))


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def push(setup: Setup, params: dict, key: RsaKey | None = None) -> httpx.Response:
    """POST an authorization request to the PAR endpoint with private_key_jwt."""
    key = key or setup.client_key
    assert key is not None
    data = {
        **params,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion(
            key, client_id=params["client_id"], audience=setup.provider.issuer,
            now=setup.provider.now(),
        ),
    }
    return setup.http.post(f"{setup.mount}/par", data=data)


def open_login(setup: Setup, params: dict) -> httpx.Response:
    """The login page for an authorization request: pushed first where the provider
    requires it (HelseID), else in the URL (TestID)."""
    if setup.provider.config.require_pushed_requests:
        pushed = push(setup, params)
        assert pushed.status_code == 201, pushed.text
        params = {"client_id": params["client_id"], "request_uri": pushed.json()["request_uri"]}
    return setup.http.get(f"{setup.mount}/authorize", params=params)


def login(
    setup: Setup,
    params: dict,
    pid: str,
    acr: str | None = "idporten-loa-substantial",
) -> dict[str, str]:
    """Open the login page, submit the form, return the redirect's query parameters."""
    page = open_login(setup, params)
    assert page.status_code == 200, page.text
    form = {"request": request_id(page.text), "pid": pid}
    if acr:
        form["acr"] = acr
    answer = setup.http.post(f"{setup.mount}/authorize", data=form)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(params["redirect_uri"] + "?")
    return query_of(location)


def token_request(
    setup: Setup,
    method: str,
    *,
    code: str,
    verifier: str,
    redirect_uri: str = APP_CALLBACK,
    client_id: str = "digihelse",
    secret: str = "app-secret",
    key: RsaKey | None = None,
    assertion: str | None = None,
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    auth = None
    if method == "client_secret_basic":
        # RFC 6749 2.3.1: form-encode id and secret before Basic encoding.
        auth = (quote_plus(client_id), quote_plus(secret))
    elif method == "client_secret_post":
        data.update(client_id=client_id, client_secret=secret)
    else:
        assert key is not None or assertion is not None
        data.update(
            client_id=client_id,
            client_assertion_type=CLIENT_ASSERTION_TYPE,
            client_assertion=assertion
            or client_assertion(
                key,
                client_id=client_id,
                audience=setup.provider.issuer,
                now=setup.provider.now(),
            ),
        )
    return setup.http.post(f"{setup.mount}/token", data=data, auth=auth)


def verify_id_token(setup: Setup, token: str, client_id: str) -> dict:
    keyset = setup.http.get(f"{setup.mount}/jwks").json()
    return jwt.decode(
        token,
        keyset,
        algorithms=["RS256"],
        audience=client_id,
        issuer=setup.provider.issuer,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )


def full_login(
    setup: Setup,
    *,
    pid: str = PUPIL.pid,
    method: str = "client_secret_basic",
    key: RsaKey | None = None,
    **extra: str,
) -> tuple[dict, dict]:
    verifier, challenge = pkce()
    params = authorize_params("digihelse", APP_CALLBACK, challenge, **extra)
    result = login(setup, params, pid)
    answer = token_request(setup, method, code=result["code"], verifier=verifier, key=key)
    assert answer.status_code == 200, answer.text
    return params, answer.json()


# -- discovery and keys --------------------------------------------------------------


def test_discovery_document(citizen: Setup) -> None:
    doc = citizen.http.get("/idp/.well-known/openid-configuration").json()
    assert doc["issuer"] == f"{BASE}/idp"
    for name in ("authorize", "token", "userinfo", "endsession"):
        assert any(value == f"{BASE}/idp/{name}" for value in doc.values())
    assert doc["jwks_uri"] == f"{BASE}/idp/jwks"
    assert doc["response_types_supported"] == ["code"]
    assert doc["grant_types_supported"] == ["authorization_code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    }
    assert doc["acr_values_supported"] == ["idporten-loa-substantial", "idporten-loa-high"]
    assert doc["ui_locales_supported"] == ["nb", "nn", "en"]
    assert doc["frontchannel_logout_supported"] is True
    assert doc["frontchannel_logout_session_supported"] is True
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert doc["subject_types_supported"] == ["pairwise"]
    assert {"pid", "sid", "acr", "amr"} <= set(doc["claims_supported"])
    assert "openid" in doc["scopes_supported"]


def test_personnel_discovery_offers_private_key_jwt_only(personnel: Setup) -> None:
    doc = personnel.http.get("/helseid/.well-known/openid-configuration").json()
    assert doc["issuer"] == f"{BASE}/helseid"
    assert doc["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "helseid://claims/hpr/hpr_number" in doc["claims_supported"]


def test_jwks_has_two_keys_and_rotation_switches_the_signing_key(citizen: Setup) -> None:
    keyset = citizen.http.get("/idp/jwks").json()
    assert len(keyset["keys"]) == 2
    kids = [key["kid"] for key in keyset["keys"]]
    assert len(set(kids)) == 2
    for key in keyset["keys"]:
        assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
        assert "d" not in key  # no private parts published
    _, tokens = full_login(citizen)
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == kids[0]

    citizen.provider.rotate_keys()
    rotated = [key["kid"] for key in citizen.http.get("/idp/jwks").json()["keys"]]
    assert rotated[0] == kids[1]
    assert rotated[1] not in kids
    _, tokens = full_login(citizen)
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == kids[1]


def test_keys_module_round_trips_pem_and_thumbprint(client_key: RsaKey) -> None:
    again = load_rsa_key(client_key.private_pem)
    assert again.public_jwk["n"] == client_key.public_jwk["n"]
    assert again.kid == jwk_thumbprint(client_key.public_jwk)  # kid defaults to thumbprint
    assert "PRIVATE" not in repr(client_key)


# -- the code flow -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
def test_full_code_flow_with_each_client_auth_method(
    citizen: Setup, client_key: RsaKey, method: str
) -> None:
    verifier, challenge = pkce()
    params = authorize_params("digihelse", APP_CALLBACK, challenge)
    result = login(citizen, params, PUPIL.pid)
    assert result["state"] == params["state"]
    assert result["iss"] == f"{BASE}/idp"  # RFC 9207

    answer = token_request(citizen, method, code=result["code"], verifier=verifier, key=client_key)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    assert tokens["scope"] == "openid profile"
    claims = verify_id_token(citizen, tokens["id_token"], "digihelse")
    assert claims["pid"] == PUPIL.pid
    assert claims["nonce"] == params["nonce"]


def test_id_token_claims_like_id_porten(citizen: Setup, clock: EpochClock) -> None:
    params, tokens = full_login(citizen, acr_values="idporten-loa-high", ui_locales="nn")
    claims = verify_id_token(citizen, tokens["id_token"], "digihelse")
    assert claims["iss"] == f"{BASE}/idp"
    assert claims["aud"] == "digihelse"
    assert claims["pid"] == PUPIL.pid
    assert claims["sub"]
    assert claims["sub"] != PUPIL.pid
    assert claims["amr"] == ["TestID"]
    assert claims["acr"] == "idporten-loa-substantial"  # what the user picked in the form
    assert claims["nonce"] == params["nonce"]
    assert claims["sid"]
    assert claims["auth_time"] == int(clock.now)
    assert claims["iat"] == int(clock.now)
    assert claims["exp"] == claims["iat"] + 120
    assert claims["jti"]
    assert claims["locale"] == "nn"

    access = jwt.get_unverified_claims(tokens["access_token"])
    assert set(access["aud"]) == {"digihelse", "digihelse-api"}
    assert access["pid"] == PUPIL.pid
    assert jwt.get_unverified_header(tokens["access_token"])["typ"] == "at+jwt"


def test_high_level_chosen_in_the_form_reaches_the_token(citizen: Setup) -> None:
    verifier, challenge = pkce()
    params = authorize_params("digihelse", APP_CALLBACK, challenge)
    result = login(citizen, params, MOTHER.pid, acr="idporten-loa-high")
    tokens = token_request(
        citizen, "client_secret_post", code=result["code"], verifier=verifier
    ).json()
    assert verify_id_token(citizen, tokens["id_token"], "digihelse")["acr"] == "idporten-loa-high"


def test_locale_claim_only_with_profile_scope(citizen: Setup) -> None:
    _, tokens = full_login(citizen, scope="openid")
    assert "locale" not in verify_id_token(citizen, tokens["id_token"], "digihelse")


def test_sub_is_pairwise_per_client(citizen: Setup) -> None:
    _, tokens = full_login(citizen)
    sub_app = verify_id_token(citizen, tokens["id_token"], "digihelse")["sub"]

    verifier, challenge = pkce()
    params = authorize_params("other", OTHER_CALLBACK, challenge)
    result = login(citizen, params, PUPIL.pid)
    answer = token_request(
        citizen,
        "client_secret_basic",
        code=result["code"],
        verifier=verifier,
        redirect_uri=OTHER_CALLBACK,
        client_id="other",
        secret="other secret:with/odd chars",
    )
    assert answer.status_code == 200, answer.text
    sub_other = verify_id_token(citizen, answer.json()["id_token"], "other")["sub"]
    assert sub_app != sub_other

    _, again = full_login(citizen)  # and stable for the same client
    assert verify_id_token(citizen, again["id_token"], "digihelse")["sub"] == sub_app


def test_code_is_single_use_and_reuse_revokes_its_tokens(citizen: Setup) -> None:
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    first = token_request(citizen, "client_secret_post", code=result["code"], verifier=verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert (
        citizen.http.get("/idp/userinfo", headers={"Authorization": f"Bearer {access}"}).status_code
        == 200
    )

    second = token_request(citizen, "client_secret_post", code=result["code"], verifier=verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert second.headers["cache-control"] == "no-store"
    revoked = citizen.http.get("/idp/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert revoked.status_code == 401


def test_code_expires_after_60_seconds(citizen: Setup, clock: EpochClock) -> None:
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    clock.now += 61
    answer = token_request(citizen, "client_secret_post", code=result["code"], verifier=verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_code_within_60_seconds_is_accepted(citizen: Setup, clock: EpochClock) -> None:
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    clock.now += 59
    answer = token_request(citizen, "client_secret_post", code=result["code"], verifier=verifier)
    assert answer.status_code == 200


def test_wrong_pkce_verifier_is_refused(citizen: Setup) -> None:
    _, challenge = pkce()
    other_verifier, _ = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    answer = token_request(
        citizen, "client_secret_post", code=result["code"], verifier=other_verifier
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_too_short_verifier_is_refused(citizen: Setup) -> None:
    verifier = "a" * 42
    challenge = create_s256_code_challenge(verifier)
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    answer = token_request(citizen, "client_secret_post", code=result["code"], verifier=verifier)
    assert answer.status_code == 400


def test_code_is_bound_to_redirect_uri_and_client(citizen: Setup) -> None:
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    stolen = token_request(
        citizen,
        "client_secret_basic",
        code=result["code"],
        verifier=verifier,
        client_id="other",
        secret="other secret:with/odd chars",
        redirect_uri=APP_CALLBACK,
    )
    assert stolen.json()["error"] == "invalid_grant"
    wrong_uri = token_request(
        citizen,
        "client_secret_post",
        code=result["code"],
        verifier=verifier,
        redirect_uri=f"{BASE}/elsewhere",
    )
    assert wrong_uri.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("method", ["plain", None])
def test_plain_or_missing_pkce_method_is_refused(citizen: Setup, method: str | None) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, "x" * 43)
    if method is None:
        del params["code_challenge_method"]
    else:
        params["code_challenge_method"] = method
    answer = citizen.http.get("/idp/authorize", params=params)
    assert answer.status_code == 303
    result = query_of(answer.headers["location"])
    assert result["error"] == "invalid_request"
    assert result["state"] == params["state"]
    assert result["iss"] == f"{BASE}/idp"


@pytest.mark.parametrize("missing", ["state", "nonce", "code_challenge"])
def test_state_nonce_and_pkce_are_mandatory(citizen: Setup, missing: str) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1])
    del params[missing]
    answer = citizen.http.get("/idp/authorize", params=params)
    assert answer.status_code == 303
    assert query_of(answer.headers["location"])["error"] == "invalid_request"


def test_wrong_response_type_is_sent_back(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1], response_type="token")
    answer = citizen.http.get("/idp/authorize", params=params)
    assert query_of(answer.headers["location"])["error"] == "unsupported_response_type"


def test_unregistered_redirect_uri_is_not_redirected_to(citizen: Setup) -> None:
    params = authorize_params(
        "digihelse", "https://evil.example/cb", pkce()[1], response_type="token"
    )
    answer = citizen.http.get("/idp/authorize", params=params)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "evil.example" in answer.text  # the page names the address, escaped, unlinked
    assert 'href="https://evil.example' not in answer.text


def test_unknown_client_is_not_redirected_to(citizen: Setup) -> None:
    params = authorize_params("nobody", APP_CALLBACK, pkce()[1])
    answer = citizen.http.get("/idp/authorize", params=params)
    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_cancel_sends_access_denied(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1])
    page = citizen.http.get("/idp/authorize", params=params)
    answer = citizen.http.post(
        "/idp/authorize", data={"request": request_id(page.text), "cancel": "1"}
    )
    result = query_of(answer.headers["location"])
    assert result["error"] == "access_denied"
    assert result["state"] == params["state"]


# -- client authentication -----------------------------------------------------------


def test_wrong_secret_is_refused(citizen: Setup) -> None:
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    answer = token_request(
        citizen, "client_secret_basic", code=result["code"], verifier=verifier, secret="wrong"
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["cache-control"] == "no-store"


def test_client_assertion_jti_cannot_be_reused(citizen: Setup, client_key: RsaKey) -> None:
    assertion = client_assertion(
        client_key, client_id="digihelse", audience=f"{BASE}/idp/token", now=citizen.provider.now()
    )
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    first = token_request(
        citizen, "private_key_jwt", code=result["code"], verifier=verifier, assertion=assertion
    )
    assert first.status_code == 200, first.text  # aud = token endpoint is accepted too

    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    replay = token_request(
        citizen, "private_key_jwt", code=result["code"], verifier=verifier, assertion=assertion
    )
    assert replay.status_code == 401
    assert replay.json()["error"] == "invalid_client"


@pytest.mark.parametrize("problem", ["wrong_key", "wrong_aud", "expired", "iss_sub"])
def test_bad_client_assertions_are_refused(
    citizen: Setup, other_key: RsaKey, client_key: RsaKey, clock: EpochClock, problem: str
) -> None:
    now = int(clock.now)
    claims = {
        "iss": "digihelse",
        "sub": "digihelse",
        "aud": f"{BASE}/idp",
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(8),
    }
    key = client_key
    if problem == "wrong_key":
        key = other_key
    elif problem == "wrong_aud":
        claims["aud"] = f"{BASE}/helseid"
    elif problem == "expired":
        claims["exp"] = now - 1
    else:
        claims["iss"] = "other"
    verifier, challenge = pkce()
    result = login(citizen, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
    answer = token_request(
        citizen,
        "private_key_jwt",
        code=result["code"],
        verifier=verifier,
        assertion=key.sign(claims),
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_client_may_use_only_its_registered_methods(citizen: Setup, client_key: RsaKey) -> None:
    verifier, challenge = pkce()
    params = authorize_params("other", OTHER_CALLBACK, challenge)
    result = login(citizen, params, PUPIL.pid)
    answer = token_request(
        citizen,
        "private_key_jwt",
        code=result["code"],
        verifier=verifier,
        client_id="other",
        redirect_uri=OTHER_CALLBACK,
        key=client_key,
    )
    assert answer.status_code == 401


# -- pushed authorization requests (RFC 9126) ----------------------------------------


PERSONNEL_CALLBACK = f"{BASE}/auth/personnel/callback"


def personnel_params(**extra: str) -> tuple[str, dict]:
    verifier, challenge = pkce()
    params = authorize_params("digihelse-personnel", PERSONNEL_CALLBACK, challenge, **extra)
    params["scope"] = "openid profile helseid://scopes/identity/pid"
    return verifier, params


def test_discovery_offers_par_and_helseid_requires_it(citizen: Setup, personnel: Setup) -> None:
    citizen_doc = citizen.http.get("/idp/.well-known/openid-configuration").json()
    personnel_doc = personnel.http.get("/helseid/.well-known/openid-configuration").json()
    assert citizen_doc["pushed_authorization_request_endpoint"] == f"{BASE}/idp/par"
    assert citizen_doc["require_pushed_authorization_requests"] is False
    assert personnel_doc["pushed_authorization_request_endpoint"] == f"{BASE}/helseid/par"
    assert personnel_doc["require_pushed_authorization_requests"] is True


def test_helseid_refuses_a_request_that_was_not_pushed(personnel: Setup) -> None:
    _verifier, params = personnel_params()
    answer = personnel.http.get("/helseid/authorize", params=params)
    assert answer.status_code == 303
    result = query_of(answer.headers["location"])
    assert result["error"] == "invalid_request"
    assert result["state"] == params["state"]


def test_pushed_request_logs_in_with_only_client_id_and_request_uri(personnel: Setup) -> None:
    verifier, params = personnel_params()
    pushed = push(personnel, params)
    assert pushed.status_code == 201
    assert pushed.headers["cache-control"] == "no-store"
    body = pushed.json()
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert body["expires_in"] == 60
    page = personnel.http.get("/helseid/authorize", params={
        "client_id": "digihelse-personnel", "request_uri": body["request_uri"]})
    assert page.status_code == 200
    answer = personnel.http.post("/helseid/authorize",
                                 data={"request": request_id(page.text), "pid": NURSE.pid})
    result = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(PERSONNEL_CALLBACK + "?")
    assert result["state"] == params["state"]
    tokens = token_request(personnel, "private_key_jwt", code=result["code"], verifier=verifier,
                           client_id="digihelse-personnel", key=personnel.client_key,
                           redirect_uri=PERSONNEL_CALLBACK)
    assert tokens.status_code == 200, tokens.text
    claims = verify_id_token(personnel, tokens.json()["id_token"], "digihelse-personnel")
    assert claims["nonce"] == params["nonce"]


def test_parameters_outside_the_pushed_request_are_ignored(personnel: Setup) -> None:
    _verifier, params = personnel_params()
    request_uri = push(personnel, params).json()["request_uri"]
    page = personnel.http.get("/helseid/authorize", params={
        "client_id": "digihelse-personnel", "request_uri": request_uri,
        "redirect_uri": "https://evil.example/cb", "state": "forged"})
    answer = personnel.http.post("/helseid/authorize",
                                 data={"request": request_id(page.text), "pid": NURSE.pid})
    assert answer.headers["location"].startswith(PERSONNEL_CALLBACK + "?")
    assert query_of(answer.headers["location"])["state"] == params["state"]


def test_request_uri_works_once_and_for_its_own_client(personnel: Setup) -> None:
    request_uri = push(personnel, personnel_params()[1]).json()["request_uri"]
    stranger = personnel.http.get("/helseid/authorize",
                                  params={"client_id": "other", "request_uri": request_uri})
    assert stranger.status_code == 400
    assert "location" not in stranger.headers
    request_uri = push(personnel, personnel_params()[1]).json()["request_uri"]
    query = {"client_id": "digihelse-personnel", "request_uri": request_uri}
    assert personnel.http.get("/helseid/authorize", params=query).status_code == 200
    again = personnel.http.get("/helseid/authorize", params=query)
    assert again.status_code == 400
    assert "location" not in again.headers


def test_request_uri_expires_after_60_seconds(personnel: Setup, clock: EpochClock) -> None:
    request_uri = push(personnel, personnel_params()[1]).json()["request_uri"]
    clock.now += 61
    answer = personnel.http.get("/helseid/authorize", params={
        "client_id": "digihelse-personnel", "request_uri": request_uri})
    assert answer.status_code == 400


def test_par_needs_client_authentication(personnel: Setup, other_key: RsaKey) -> None:
    _verifier, params = personnel_params()
    anonymous = personnel.http.post("/helseid/par", data=params)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    with_secret = personnel.http.post("/helseid/par", data=params,
                                      auth=("digihelse-personnel", "would-be-secret"))
    assert with_secret.status_code == 401
    wrong_key = push(personnel, params, key=other_key)
    assert wrong_key.status_code == 401


@pytest.mark.parametrize("change", [
    {"redirect_uri": "https://evil.example/cb"},
    {"code_challenge_method": "plain"},
    {"request_uri": "urn:ietf:params:oauth:request_uri:nested"},
    {"scope": "profile"},
])
def test_par_refuses_a_bad_request_as_json(personnel: Setup, change: dict) -> None:
    _verifier, params = personnel_params()
    params.update(change)
    answer = push(personnel, params)
    assert answer.status_code == 400
    assert answer.json()["error"] in {"invalid_request", "invalid_scope"}


# -- the personnel provider ----------------------------------------------------------


def personnel_code(setup: Setup) -> tuple[str, str]:
    verifier, challenge = pkce()
    params = authorize_params("digihelse-personnel", f"{BASE}/auth/personnel/callback", challenge)
    params["scope"] = "openid profile helseid://scopes/identity/pid"
    result = login(setup, params, NURSE.pid, acr=None)
    return result["code"], verifier


def test_personnel_refuses_client_secret_and_accepts_private_key_jwt(
    personnel: Setup, client_key: RsaKey
) -> None:
    code, verifier = personnel_code(personnel)
    refused = token_request(
        personnel,
        "client_secret_basic",
        code=code,
        verifier=verifier,
        client_id="digihelse-personnel",
        secret="would-be-secret",
        redirect_uri=f"{BASE}/auth/personnel/callback",
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"

    accepted = token_request(
        personnel,
        "private_key_jwt",
        code=code,
        verifier=verifier,
        client_id="digihelse-personnel",
        key=client_key,
        redirect_uri=f"{BASE}/auth/personnel/callback",
    )
    assert accepted.status_code == 200, accepted.text
    tokens = accepted.json()
    claims = verify_id_token(personnel, tokens["id_token"], "digihelse-personnel")
    assert claims["iss"] == f"{BASE}/helseid"
    assert claims["helseid://claims/identity/pid"] == NURSE.pid
    assert claims["helseid://claims/hpr/hpr_number"] == "9100001"
    assert claims["helseid://claims/identity/security_level"] == "4"
    assert claims["helseid://claims/identity/assurance_level"] == "high"
    assert claims["name"] == NURSE.name
    assert claims["amr"] == ["pwd"]
    assert "pid" not in claims

    info = personnel.http.get(
        "/helseid/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.json()["helseid://claims/hpr/hpr_number"] == "9100001"


def test_personnel_refuses_a_pid_not_in_its_users(personnel: Setup) -> None:
    params = authorize_params("digihelse-personnel", f"{BASE}/auth/personnel/callback", pkce()[1])
    page = open_login(personnel, params)
    assert 'name="acr"' not in page.text  # no levels on the personnel form
    answer = personnel.http.post(
        "/helseid/authorize", data={"request": request_id(page.text), "pid": STRANGER}
    )
    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert "tilhører ikke en testbruker for helsepersonell" in answer.text
    assert f'value="{STRANGER}"' in answer.text


def test_personnel_page_lists_role_and_hpr(personnel: Setup) -> None:
    params = authorize_params("digihelse-personnel", f"{BASE}/auth/personnel/callback", pkce()[1])
    page = open_login(personnel, params).text
    assert NURSE.name in page
    assert "Helsesykepleier" in page
    assert "HPR-nummer 9100001" in page


# -- the login page ------------------------------------------------------------------


def test_invalid_pid_rerenders_with_message_and_typed_value(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1], ui_locales="en")
    page = citizen.http.get("/idp/authorize", params=params)
    rid = request_id(page.text)
    bad = PUPIL.pid[:-1] + str((int(PUPIL.pid[-1]) + 1) % 10)  # control digit off by one
    answer = citizen.http.post(
        "/idp/authorize", data={"request": rid, "pid": bad, "acr": "idporten-loa-substantial"}
    )
    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert "This is not a valid national identity number" in answer.text
    assert f'value="{bad}"' in answer.text
    assert 'aria-invalid="true"' in answer.text

    # The same pending request still works after the correction.
    fixed = citizen.http.post(
        "/idp/authorize", data={"request": rid, "pid": PUPIL.pid, "acr": "idporten-loa-substantial"}
    )
    assert fixed.status_code == 303


def test_any_valid_pid_is_accepted_and_named_testperson(citizen: Setup) -> None:
    _, tokens = full_login(citizen, pid=STRANGER)
    info = citizen.http.get(
        "/idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert info["pid"] == STRANGER
    assert info["name"] == f"Testperson {STRANGER}"


def test_typed_markup_is_escaped(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1])
    page = citizen.http.get("/idp/authorize", params=params)
    answer = citizen.http.post(
        "/idp/authorize",
        data={"request": request_id(page.text), "pid": '"><script>alert(1)</script>'},
    )
    assert "<script>alert(1)" not in answer.text
    assert "&lt;script&gt;" in answer.text


def test_picking_a_listed_person_logs_in_as_that_person(citizen: Setup) -> None:
    verifier, challenge = pkce()
    params = authorize_params("digihelse", APP_CALLBACK, challenge)
    page = citizen.http.get("/idp/authorize", params=params)
    assert f'name="pick" value="{MOTHER.pid}"' in page.text
    answer = citizen.http.post(
        "/idp/authorize",
        data={
            "request": request_id(page.text),
            "pid": "",
            "pick": MOTHER.pid,
            "acr": "idporten-loa-high",
        },
    )
    code = query_of(answer.headers["location"])["code"]
    tokens = token_request(citizen, "client_secret_post", code=code, verifier=verifier).json()
    assert verify_id_token(citizen, tokens["id_token"], "digihelse")["pid"] == MOTHER.pid


def test_page_has_test_banner_and_accessible_structure(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1])
    answer = citizen.http.get("/idp/authorize", params=params)
    html = answer.text
    assert "TEST-innlogging" in html
    assert '<html lang="nb">' in html
    assert 'name="viewport"' in html
    for fragment in (
        "<main>",
        "<h1>",
        '<label class="field" for="pid">',
        'id="pid" name="pid"',
        "MinID (betydelig)",
        "BankID (høyt)",
        PUPIL.name,
        "Elev, 8. trinn",
        'value="idporten-loa-substantial" checked',
    ):
        assert fragment in html
    assert "http://" not in html.split("<body>")[0]  # no external resources in <head>
    assert answer.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("ui_locales", "lang", "phrase"),
    [
        ("en", "en", "Log in with a test user"),
        ("nn-NO en", "nn", "Logg inn med testbrukar"),
        ("de", "nb", "Logg inn med testbruker"),
        (None, "nb", "Logg inn med testbruker"),
    ],
)
def test_page_language_follows_ui_locales(
    citizen: Setup, ui_locales: str | None, lang: str, phrase: str
) -> None:
    extra = {"ui_locales": ui_locales} if ui_locales else {}
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1], **extra)
    html = citizen.http.get("/idp/authorize", params=params).text
    assert f'<html lang="{lang}">' in html
    assert phrase in html
    assert "TEST-innlogging" in html


def test_requested_acr_is_preselected(citizen: Setup) -> None:
    params = authorize_params("digihelse", APP_CALLBACK, pkce()[1], acr_values="idporten-loa-high")
    html = citizen.http.get("/idp/authorize", params=params).text
    assert 'value="idporten-loa-high" checked' in html


# -- test users, userinfo, logout ----------------------------------------------------


def test_testusers_json_shape(citizen: Setup, personnel: Setup) -> None:
    people = citizen.http.get("/idp/testusers").json()
    assert people[0] == {
        "pid": PUPIL.pid,
        "name": PUPIL.name,
        "birth_date": "2011-03-14",
        "roles": ["pupil"],
        "description": "Elev, 8. trinn",
    }
    staff = personnel.http.get("/helseid/testusers").json()
    assert staff[0]["hpr_number"] == "9100001"
    assert set(staff[0]) == {"pid", "name", "birth_date", "roles", "description", "hpr_number"}


def test_userinfo(citizen: Setup) -> None:
    _, tokens = full_login(citizen, ui_locales="en")
    answer = citizen.http.get(
        "/idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert answer.status_code == 200
    info = answer.json()
    id_claims = verify_id_token(citizen, tokens["id_token"], "digihelse")
    assert info == {"sub": id_claims["sub"], "pid": PUPIL.pid, "name": PUPIL.name, "locale": "en"}
    assert citizen.http.get("/idp/userinfo").status_code == 401
    # An ID token is not an access token.
    assert (
        citizen.http.get(
            "/idp/userinfo", headers={"Authorization": f"Bearer {tokens['id_token']}"}
        ).status_code
        == 401
    )


def test_userinfo_refuses_expired_token(citizen: Setup, clock: EpochClock) -> None:
    _, tokens = full_login(citizen)
    clock.now += 3600
    answer = citizen.http.get(
        "/idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert answer.status_code == 401


def test_end_session_redirects_to_registered_uri_and_notifies_clients(citizen: Setup) -> None:
    _, tokens = full_login(citizen)
    sid = verify_id_token(citizen, tokens["id_token"], "digihelse")["sid"]
    assert citizen.http.cookies.get(citizen.provider.cookie_name)

    answer = citizen.http.post(
        "/idp/endsession",
        data={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": f"{BASE}/logged-out",
            "state": "s-1",
        },
    )
    assert answer.status_code == 200
    html = unescape(answer.text)
    assert "<iframe" in html
    assert (
        f"{BASE}/auth/frontchannel-logout?iss=http%3A%2F%2Flocalhost%3A8000%2Fidp&sid={sid}" in html
    )
    assert f'href="{BASE}/logged-out?state=s-1"' in html
    assert "set-cookie" in answer.headers  # the provider cookie is cleared


def test_end_session_without_registered_uri_does_not_redirect(citizen: Setup) -> None:
    _, tokens = full_login(citizen)
    answer = citizen.http.get(
        "/idp/endsession",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://evil.example/after",
        },
    )
    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert "evil.example" not in answer.text
    assert "location.replace" not in answer.text


def test_end_session_refuses_a_forged_hint(citizen: Setup, other_key: RsaKey) -> None:
    forged = other_key.sign({"iss": f"{BASE}/idp", "aud": "digihelse", "sub": "x", "sid": "y"})
    answer = citizen.http.get(
        "/idp/endsession",
        params={"id_token_hint": forged, "post_logout_redirect_uri": f"{BASE}/logged-out"},
    )
    assert answer.status_code == 400
    assert "logged-out" not in answer.text


def test_new_login_after_logout_gets_a_new_sid(citizen: Setup) -> None:
    _, first = full_login(citizen)
    _, second = full_login(citizen)
    sid1 = verify_id_token(citizen, first["id_token"], "digihelse")["sid"]
    sid2 = verify_id_token(citizen, second["id_token"], "digihelse")["sid"]
    assert sid1 == sid2  # the provider session is reused while the browser has it
    citizen.http.get("/idp/endsession", params={"id_token_hint": second["id_token"]})
    _, third = full_login(citizen)
    assert verify_id_token(citizen, third["id_token"], "digihelse")["sid"] != sid1


# -- two workers, one database -------------------------------------------------------


def _second_worker(setup: Setup, clock: EpochClock, flow_engine: Engine) -> Setup:
    """Another process serving the same provider: its own object, the same database."""
    twin = TestProvider(setup.provider.config, clock=clock, engine=flow_engine)
    return Setup(twin, _serve(twin), setup.mount, setup.client_key)


def test_every_hop_of_a_pushed_login_may_land_on_another_worker(
    personnel: Setup, clock: EpochClock, flow_engine: Engine
) -> None:
    a, b = personnel, _second_worker(personnel, clock, flow_engine)
    verifier, params = personnel_params()
    request_uri = push(a, params).json()["request_uri"]
    query = {"client_id": "digihelse-personnel", "request_uri": request_uri}
    page = b.http.get("/helseid/authorize", params=query)
    assert page.status_code == 200
    answer = a.http.post("/helseid/authorize",
                         data={"request": request_id(page.text), "pid": NURSE.pid})
    code = query_of(answer.headers["location"])["code"]
    tokens = token_request(b, "private_key_jwt", code=code, verifier=verifier,
                           client_id="digihelse-personnel", key=a.client_key,
                           redirect_uri=PERSONNEL_CALLBACK)
    assert tokens.status_code == 200, tokens.text
    assert a.http.get("/helseid/jwks").json() == b.http.get("/helseid/jwks").json()
    claims = verify_id_token(a, tokens.json()["id_token"], "digihelse-personnel")
    assert claims["nonce"] == params["nonce"]
    access = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    assert a.http.get("/helseid/userinfo", headers=access).status_code == 200

    # Single use holds across the workers: the request_uri, the code, and the code's
    # tokens once it is replayed.
    assert a.http.get("/helseid/authorize", params=query).status_code == 400
    again = token_request(a, "private_key_jwt", code=code, verifier=verifier,
                          client_id="digihelse-personnel", key=a.client_key,
                          redirect_uri=PERSONNEL_CALLBACK)
    assert again.json()["error"] == "invalid_grant"
    assert b.http.get("/helseid/userinfo", headers=access).status_code == 401


def test_a_replayed_assertion_and_a_rotation_are_seen_by_the_other_worker(
    citizen: Setup, clock: EpochClock, flow_engine: Engine, client_key: RsaKey
) -> None:
    a, b = citizen, _second_worker(citizen, clock, flow_engine)
    assertion = client_assertion(client_key, client_id="digihelse",
                                 audience=f"{BASE}/idp/token", now=clock())
    for setup, expected in ((a, 400), (b, 401)):  # 400: the code is bad, the client is not
        _, challenge = pkce()
        code = login(setup, authorize_params("digihelse", APP_CALLBACK, challenge), PUPIL.pid)
        answer = token_request(setup, "private_key_jwt", code=code["code"], verifier="x" * 43,
                               assertion=assertion)
        assert answer.status_code == expected, answer.text
    kids = [key["kid"] for key in b.http.get("/idp/jwks").json()["keys"]]
    a.provider.rotate_keys()
    assert b.http.get("/idp/jwks").json()["keys"][0]["kid"] == kids[1]
    _, tokens = full_login(b)
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == kids[1]


def test_a_person_gets_one_pairwise_sub_from_every_worker(
    citizen: Setup, clock: EpochClock, flow_engine: Engine
) -> None:
    b = _second_worker(citizen, clock, flow_engine)
    subs = {verify_id_token(s, full_login(s)[1]["id_token"], "digihelse")["sub"]
            for s in (citizen, b)}
    assert len(subs) == 1


def test_logout_on_one_worker_ends_the_session_the_other_made(
    citizen: Setup, clock: EpochClock, flow_engine: Engine
) -> None:
    b = _second_worker(citizen, clock, flow_engine)
    _, first = full_login(citizen)
    sid = jwt.get_unverified_claims(first["id_token"])["sid"]
    b.http.cookies.update(citizen.http.cookies)
    _, same = full_login(b)  # the browser's cookie finds the session on the other worker
    assert jwt.get_unverified_claims(same["id_token"])["sid"] == sid
    ended = b.http.get("/idp/endsession", params={"id_token_hint": first["id_token"]})
    assert "frontchannel-logout" in ended.text
    _, after = full_login(citizen)
    assert jwt.get_unverified_claims(after["id_token"])["sid"] != sid
