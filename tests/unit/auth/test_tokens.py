"""ID token, access token and JWKS cache validation against real RSA/EC keys and
real signatures: every refusal in the security table, and the cases that must pass."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jose import jwk, jwt
from jose.utils import calculate_at_hash

from digihelse.auth.jwks import JwksCache, JwksError, KeyNotFound
from digihelse.auth.tokens import (
    TokenExpectations,
    TokenRejected,
    acr_at_least,
    validate_access_token,
    validate_id_token,
)
from digihelse.people.nin import synthetic_nin
from tests.factories import EpochClock

ISSUER = "https://idp.example.no"
CLIENT = "digihelse"
NOW = 1_800_000_000.0
NONCE = "n-0S6_WzA2Mj"
PID = synthetic_nin(dt.date(2010, 5, 17))


# -- keys and signing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    kid: str
    alg: str
    private_pem: str
    public_pem: bytes
    public_jwk: dict[str, Any]
    signing_key: Any  # parsed once: loading a PEM re-checks the whole RSA key every time

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None,
             kid: str | None = "same") -> str:
        extra = dict(headers or {})
        if kid == "same":
            extra["kid"] = self.kid
        elif kid is not None:
            extra["kid"] = kid
        return jwt.encode(claims, self.signing_key, algorithm=self.alg, headers=extra or None)


@functools.cache
def rsa_signer(kid: str, alg: str = "RS256") -> Signer:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = jwk.construct(public_pem, alg).to_dict()
    public.update(kid=kid, use="sig")
    return Signer(kid, alg, pem, public_pem, public, jwk.construct(private, alg))


@functools.cache
def ec_signer(kid: str) -> Signer:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = jwk.construct(public_pem, "ES256").to_dict()
    public.update(kid=kid, use="sig")
    return Signer(kid, "ES256", pem, public_pem, public, jwk.construct(private, "ES256"))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(signature)}"




class Provider:
    """The provider's JWKS endpoint, counting fetches; `keys` can change (rotation)."""

    def __init__(self, *signers: Signer) -> None:
        self.keys = [s.public_jwk for s in signers]
        self.fetches = 0

    async def fetch(self) -> dict:
        self.fetches += 1
        return {"keys": [dict(k) for k in self.keys]}

    def cache(self, clock: EpochClock | None = None, **kwargs: Any) -> JwksCache:
        return JwksCache(self.fetch, now=clock or EpochClock(), **kwargs)


def id_claims(**changes: Any) -> dict[str, Any]:
    """Valid ID token claims; a change to None removes the claim."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "pairwise-sub-123",
        "iat": int(NOW) - 5,
        "exp": int(NOW) + 120,
        "nonce": NONCE,
        "acr": "idporten-loa-substantial",
        "amr": ["TestID"],
        "pid": PID,
        "sid": "sid-1",
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def expectations(**changes: Any) -> TokenExpectations:
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": CLIENT,
        "algorithms": ("RS256",),
        "nonce": NONCE,
        "acr_min": "idporten-loa-substantial",
    }
    values.update(changes)
    return TokenExpectations(**values)


KEY_A = rsa_signer("key-a")


async def validate(token: str, keys: JwksCache | None = None, **changes: Any) -> dict[str, Any]:
    keys = keys or Provider(KEY_A).cache()
    return await validate_id_token(token, expectations(**changes), keys, now=NOW)


async def refused(token: str, keys: JwksCache | None = None, **changes: Any) -> str:
    with pytest.raises(TokenRejected) as info:
        await validate(token, keys, **changes)
    assert info.value.message
    return info.value.code


# -- accepted ------------------------------------------------------------------------------


async def test_valid_token_is_accepted() -> None:
    claims = await validate(KEY_A.sign(id_claims()))
    assert claims["pid"] == PID
    assert claims["sub"] == "pairwise-sub-123"


async def test_higher_acr_than_required_is_accepted() -> None:
    claims = await validate(KEY_A.sign(id_claims(acr="idporten-loa-high")))
    assert claims["acr"] == "idporten-loa-high"


async def test_old_level_names_are_ordered() -> None:
    await validate(KEY_A.sign(id_claims(acr="Level4")), acr_min="Level3")
    await validate(KEY_A.sign(id_claims(acr="idporten-loa-high")), acr_min="Level4")
    assert await refused(KEY_A.sign(id_claims(acr="Level3")), acr_min="Level4") == "acr_too_low"


async def test_absent_kid_with_a_single_key_is_accepted() -> None:
    claims = await validate(KEY_A.sign(id_claims(), kid=None))
    assert claims["pid"] == PID


async def test_key_rotation_is_followed() -> None:
    key_b = rsa_signer("key-b")
    provider = Provider(KEY_A)
    cache = provider.cache()
    await validate(KEY_A.sign(id_claims()), cache)  # fills the cache with key-a only
    provider.keys = [key_b.public_jwk]  # the provider rotates
    claims = await validate(key_b.sign(id_claims()), cache)
    assert claims["pid"] == PID
    assert provider.fetches == 2


async def test_small_clock_skew_is_tolerated() -> None:
    await validate(KEY_A.sign(id_claims(exp=int(NOW) - 30, iat=int(NOW) - 300)))
    await validate(KEY_A.sign(id_claims(iat=int(NOW) + 30, nbf=int(NOW) + 30)))


async def test_trusted_second_audience_with_azp_is_accepted() -> None:
    token = KEY_A.sign(id_claims(aud=[CLIENT, "api://journal"], azp=CLIENT))
    await validate(token, trusted_audiences=("api://journal",))


async def test_ec_token_is_accepted_when_es256_is_configured() -> None:
    key = ec_signer("ec-1")
    await validate(key.sign(id_claims()), Provider(key).cache(), algorithms=("ES256",))


async def test_helseid_pid_claim_name() -> None:
    claim = "helseid://claims/identity/pid"
    token = KEY_A.sign(id_claims(pid=None, **{claim: PID}))
    claims = await validate(token, pid_claim=claim, acr_min=None)
    assert claims[claim] == PID


async def test_nonce_is_optional_only_when_not_required() -> None:
    await validate(KEY_A.sign(id_claims(nonce=None)), nonce=None, require_nonce=False)
    code = await refused(KEY_A.sign(id_claims(nonce=None)), nonce=None)
    assert code == "bad_nonce"


async def test_matching_at_hash_is_accepted_and_a_wrong_one_refused() -> None:
    at_hash = calculate_at_hash("the-access-token", hashlib.sha256)
    token = KEY_A.sign(id_claims(at_hash=at_hash))
    expect = expectations()
    keys = Provider(KEY_A).cache()
    await validate_id_token(token, expect, keys, now=NOW, access_token="the-access-token")
    with pytest.raises(TokenRejected) as info:
        await validate_id_token(token, expect, keys, now=NOW, access_token="another-token")
    assert info.value.code == "bad_at_hash"


# -- refused: claims -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"iss": "https://evil.example"}, "bad_issuer", id="wrong-iss"),
        pytest.param({"iss": ISSUER + "/"}, "bad_issuer", id="iss-not-exact"),
        pytest.param({"aud": "someone-else"}, "bad_audience", id="wrong-aud"),
        pytest.param({"aud": [CLIENT, "untrusted"], "azp": CLIENT}, "bad_audience",
                     id="extra-untrusted-aud"),
        pytest.param({"aud": "other", "azp": CLIENT}, "bad_audience", id="aud-other-azp-us"),
        pytest.param({"aud": None}, "bad_audience", id="missing-aud"),
        pytest.param({"azp": "other"}, "bad_azp", id="azp-other"),
        pytest.param({"sub": None}, "missing_sub", id="missing-sub"),
        pytest.param({"sub": ""}, "missing_sub", id="empty-sub"),
        pytest.param({"iat": None}, "missing_iat", id="missing-iat"),
        pytest.param({"exp": None}, "missing_exp", id="missing-exp"),
        pytest.param({"exp": "tomorrow"}, "malformed", id="exp-not-a-number"),
        pytest.param({"pid": None}, "bad_pid", id="missing-pid"),
        pytest.param({"pid": "17051012345"}, "bad_pid", id="invalid-pid"),
        pytest.param({"pid": 17851049812}, "bad_pid", id="pid-not-a-string"),
        pytest.param({"acr": "idporten-loa-low"}, "acr_too_low", id="acr-too-low"),
        pytest.param({"acr": "idporten-loa-plenty"}, "acr_too_low", id="acr-unknown"),
        pytest.param({"acr": None}, "acr_too_low", id="acr-missing"),
        pytest.param({"exp": int(NOW) - 61}, "expired", id="expired"),
        pytest.param({"iat": int(NOW) + 61}, "iat_future", id="iat-in-future"),
        pytest.param({"nbf": int(NOW) + 61}, "nbf_future", id="nbf-in-future"),
        pytest.param({"nonce": None}, "bad_nonce", id="nonce-missing"),
        pytest.param({"nonce": "other-nonce"}, "bad_nonce", id="nonce-wrong"),
    ],
)
async def test_bad_claims_are_refused(changes: dict[str, Any], code: str) -> None:
    assert await refused(KEY_A.sign(id_claims(**changes))) == code


async def test_several_audiences_need_azp() -> None:
    token = KEY_A.sign(id_claims(aud=[CLIENT, "api://journal"]))
    assert await refused(token, trusted_audiences=("api://journal",)) == "bad_azp"


async def test_acr_too_low_for_high_requirement() -> None:
    token = KEY_A.sign(id_claims(acr="idporten-loa-substantial"))
    assert await refused(token, acr_min="idporten-loa-high") == "acr_too_low"


async def test_clock_skew_is_capped_at_sixty_seconds() -> None:
    token = KEY_A.sign(id_claims(exp=int(NOW) - 120))
    assert await refused(token, clock_skew=3600) == "expired"


# -- refused: header, algorithm, key and signature -----------------------------------------


async def test_bad_signature_is_refused() -> None:
    forger = rsa_signer("forger")
    assert await refused(forger.sign(id_claims(), kid=KEY_A.kid)) == "bad_signature"


async def test_tampered_payload_is_refused() -> None:
    header, _, signature = KEY_A.sign(id_claims()).split(".")
    tampered = b64(json.dumps(id_claims(pid=synthetic_nin(dt.date(1990, 1, 2)))).encode())
    assert await refused(f"{header}.{tampered}.{signature}") == "bad_signature"


async def test_alg_none_is_refused() -> None:
    token = raw_token({"alg": "none", "kid": KEY_A.kid}, id_claims())
    assert await refused(token) == "bad_alg"
    # Even a misconfiguration that lists "none" must not let it through.
    assert await refused(token, algorithms=("RS256", "none")) == "bad_alg"


async def test_hs256_signed_with_the_public_key_is_refused() -> None:
    header = {"alg": "HS256", "typ": "JWT", "kid": KEY_A.kid}
    unsigned = raw_token(header, id_claims()).rsplit(".", 1)[0]
    mac = hmac.new(KEY_A.public_pem, unsigned.encode(), hashlib.sha256).digest()
    token = f"{unsigned}.{b64(mac)}"
    assert await refused(token) == "bad_alg"
    assert await refused(token, algorithms=("RS256", "HS256")) == "bad_alg"


async def test_algorithm_not_configured_is_refused() -> None:
    rs512 = rsa_signer("key-512", "RS512")
    keys = Provider(rs512).cache()
    assert await refused(rs512.sign(id_claims()), keys) == "bad_alg"


async def test_unsupported_configured_algorithm_is_refused() -> None:
    token = raw_token({"alg": "PS256", "kid": KEY_A.kid}, id_claims(), b"x")
    assert await refused(token, algorithms=("PS256",)) == "bad_alg"


async def test_jwk_header_injection_is_refused() -> None:
    attacker = rsa_signer("attacker")
    token = attacker.sign(id_claims(), headers={"jwk": attacker.public_jwk})
    assert await refused(token) == "bad_header"
    # Also when the kid names a key we trust.
    token = attacker.sign(id_claims(), headers={"jwk": attacker.public_jwk}, kid=KEY_A.kid)
    assert await refused(token) == "bad_header"


@pytest.mark.parametrize(
    "header",
    [
        {"jku": "https://evil.example/jwks.json"},
        {"x5u": "https://evil.example/cert.pem"},
        {"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]},
    ],
    ids=["jku", "x5u", "x5c"],
)
async def test_key_url_header_injection_is_refused(header: dict[str, Any]) -> None:
    provider = Provider(KEY_A)
    assert await refused(KEY_A.sign(id_claims(), headers=header), provider.cache()) == "bad_header"
    assert provider.fetches == 0  # refused before any key lookup


async def test_crit_header_is_refused() -> None:
    token = KEY_A.sign(id_claims(), headers={"crit": ["exp"], "exp": 1})
    assert await refused(token) == "bad_header"


async def test_logout_token_is_not_an_id_token() -> None:
    token = KEY_A.sign(id_claims(), headers={"typ": "logout+jwt"})
    assert await refused(token) == "bad_header"


async def test_unknown_kid_is_refused() -> None:
    stranger = rsa_signer("stranger")
    assert await refused(stranger.sign(id_claims())) == "unknown_kid"


async def test_absent_kid_with_several_keys_is_refused() -> None:
    keys = Provider(KEY_A, rsa_signer("key-b")).cache()
    assert await refused(KEY_A.sign(id_claims(), kid=None), keys) == "unknown_kid"


async def test_key_of_the_wrong_type_is_refused() -> None:
    ec_key = ec_signer("mixed")
    # An RS256 token whose kid points at an EC key.
    token = rsa_signer("mixed-rsa").sign(id_claims(), kid="mixed")
    assert await refused(token, Provider(ec_key).cache()) == "bad_key"


async def test_encryption_key_is_not_used_for_signatures() -> None:
    provider = Provider(KEY_A)
    provider.keys = [dict(KEY_A.public_jwk, use="enc")]
    assert await refused(KEY_A.sign(id_claims()), provider.cache()) == "bad_key"


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d.e", "!!!.e30.", raw_token({"alg": "RS256"}, {})[:-1] + "*",
     "W10.e30.sig", "x" * 40_000],
    ids=["empty", "one-part", "two-parts", "jwe", "bad-base64", "bad-signature-chars",
         "header-not-object", "oversized"],
)
async def test_malformed_tokens_are_refused(token: str) -> None:
    await refused(token)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_garbage_only_ever_raises_token_rejected(text: str) -> None:
    with pytest.raises(TokenRejected):
        asyncio.run(validate(text))


# -- the JWKS cache ------------------------------------------------------------------------


async def test_flood_of_unknown_kids_keeps_fetches_bounded() -> None:
    clock = EpochClock()
    provider = Provider(KEY_A)
    cache = provider.cache(clock, refetch_limit=3, refetch_window=60)
    for i in range(100):
        token = KEY_A.sign(id_claims(), kid=f"made-up-{i}")
        assert await refused(token, cache) == "unknown_kid"
    assert provider.fetches == 1 + 3  # the first load, then the refetch budget
    # The valid key still works during the flood, without fetching.
    await validate(KEY_A.sign(id_claims()), cache)
    assert provider.fetches == 4
    # Once the window has rolled on, one more refetch is allowed, and no more.
    clock.now += 61
    for i in range(10):
        await refused(KEY_A.sign(id_claims(), kid=f"later-{i}"), cache)
    assert provider.fetches == 4 + 3


async def test_concurrent_unknown_kids_share_the_budget() -> None:
    provider = Provider(KEY_A)
    cache = provider.cache(refetch_limit=2)
    tokens = [KEY_A.sign(id_claims(), kid=f"k{i}") for i in range(50)]
    results = await asyncio.gather(*(validate(t, cache) for t in tokens),
                                   return_exceptions=True)
    assert all(isinstance(r, TokenRejected) for r in results)
    assert provider.fetches <= 3


async def test_rotation_works_while_waiters_queue() -> None:
    key_b = rsa_signer("key-b")
    provider = Provider(KEY_A)
    cache = provider.cache(refetch_limit=1)
    await cache.get_key(KEY_A.kid)
    provider.keys = [KEY_A.public_jwk, key_b.public_jwk]
    found = await asyncio.gather(*(cache.get_key("key-b") for _ in range(20)))
    assert all(k["kid"] == "key-b" for k in found)
    assert provider.fetches == 2


async def test_keys_age_out_after_max_age() -> None:
    clock = EpochClock()
    provider = Provider(KEY_A)
    cache = provider.cache(clock, max_age=3600)
    await cache.get_key(KEY_A.kid)
    provider.keys = [rsa_signer("key-b").public_jwk]  # key-a withdrawn at the provider
    clock.now += 3601
    with pytest.raises(KeyNotFound):
        await cache.get_key(KEY_A.kid)


async def test_failed_fetch_is_not_retried_without_budget() -> None:
    calls = 0

    async def down() -> dict:
        nonlocal calls
        calls += 1
        raise OSError("connection refused")

    cache = JwksCache(down, refetch_limit=2, now=EpochClock())
    for _ in range(10):
        with pytest.raises(JwksError):
            await cache.get_key("any")
    assert calls == 1 + 2


async def test_fetch_failure_becomes_a_token_rejection() -> None:
    async def down() -> dict:
        raise OSError("connection refused")

    code = await refused(KEY_A.sign(id_claims()), JwksCache(down, now=EpochClock()))
    assert code == "jwks_unavailable"


def test_acr_ordering() -> None:
    assert acr_at_least("idporten-loa-high", "idporten-loa-substantial")
    assert acr_at_least("Level4", "idporten-loa-substantial")
    assert not acr_at_least("idporten-loa-substantial", "idporten-loa-high")
    assert not acr_at_least("something", "idporten-loa-substantial")
    assert not acr_at_least(None, "idporten-loa-substantial")
    # A level we do not rank must match exactly.
    assert acr_at_least("urn:x:4", "urn:x:4")
    assert not acr_at_least("urn:x:5", "urn:x:4")


# -- access tokens -------------------------------------------------------------------------


def access_claims(**changes: Any) -> dict[str, Any]:
    claims = {"iss": ISSUER, "aud": "https://digihelse.example/fhir", "sub": "abc",
              "client_id": "some-app", "scope": "patient/*.read",
              "iat": int(NOW) - 5, "exp": int(NOW) + 300}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


async def check_access(token: str, keys: JwksCache | None = None) -> dict[str, Any]:
    return await validate_access_token(
        token, issuer=ISSUER, audience="https://digihelse.example/fhir",
        algorithms=("RS256",), keys=keys or Provider(KEY_A).cache(), now=NOW,
    )


async def test_valid_access_token_is_accepted() -> None:
    claims = await check_access(KEY_A.sign(access_claims(), headers={"typ": "at+jwt"}))
    assert claims["scope"] == "patient/*.read"
    await check_access(KEY_A.sign(access_claims(aud=["other", "https://digihelse.example/fhir"])))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"iss": "https://evil.example"}, "bad_issuer"),
        ({"aud": "https://other.example"}, "bad_audience"),
        ({"exp": int(NOW) - 61}, "expired"),
        ({"iat": None}, "missing_iat"),
        ({"nbf": int(NOW) + 61}, "nbf_future"),
    ],
)
async def test_bad_access_tokens_are_refused(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(TokenRejected) as info:
        await check_access(KEY_A.sign(access_claims(**changes)))
    assert info.value.code == code


async def test_access_token_with_none_alg_or_foreign_signature_is_refused() -> None:
    with pytest.raises(TokenRejected) as info:
        await check_access(raw_token({"alg": "none"}, access_claims()))
    assert info.value.code == "bad_alg"
    with pytest.raises(TokenRejected) as info:
        await check_access(rsa_signer("forger").sign(access_claims(), kid=KEY_A.kid))
    assert info.value.code == "bad_signature"
