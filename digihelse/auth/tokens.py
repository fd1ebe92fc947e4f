"""ID token and JWT access token validation (OIDC Core 3.1.3.7, RFC 9700, RFC 9068)
with the algorithm pinned by us and keys taken only from the provider's JWKS."""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from jose import jwk, jws
from jose.exceptions import JOSEError
from jose.utils import base64url_decode, calculate_at_hash

from digihelse.auth.jwks import JwksCache, JwksError
from digihelse.people.nin import is_valid_nin

MAX_CLOCK_SKEW = 60
MAX_TOKEN_LENGTH = 32 * 1024  # far above any real ID token; bounds work on garbage input

# What python-jose can verify, and the key type each algorithm family needs.
_KTY_FOR_ALG = {
    "RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
    "ES256": "EC", "ES384": "EC", "ES512": "EC",
}
_CURVE_FOR_ALG = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
_HASH_FOR_ALG = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
_MIN_RSA_BITS = 2048

# Header members that would let the token choose its own verification key (RFC 8725 3.10).
_KEY_INJECTION_HEADERS = ("jwk", "jku", "x5u", "x5c")

# Assurance levels, old and new ID-porten names side by side.
ACR_RANK = {
    "idporten-loa-low": 0,
    "Level3": 1,
    "idporten-loa-substantial": 1,
    "Level4": 2,
    "idporten-loa-high": 2,
}


class TokenRejected(Exception):
    """A token failed validation. `code` is short and machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TokenExpectations:
    issuer: str
    client_id: str
    algorithms: tuple[str, ...]
    nonce: str | None
    acr_min: str | None
    pid_claim: str = "pid"
    clock_skew: int = 60
    trusted_audiences: tuple[str, ...] = ()
    require_nonce: bool = True


def _b64_json(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(base64url_decode(segment.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, TypeError) as exc:
        raise TokenRejected("malformed", f"the {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise TokenRejected("malformed", f"the {what} is not a JSON object")
    return value


def parse_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, without verifying anything."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected("malformed", "no token, or an oversized one")
    parts = token.split(".")
    if len(parts) != 3:
        # Five parts would be a JWE; we expect signed tokens only.
        raise TokenRejected("malformed", "the token is not a compact JWS")
    return _b64_json(parts[0], "header")


def _check_header(
    header: dict[str, Any], algorithms: tuple[str, ...], explicit_typ: str | None
) -> str:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise TokenRejected("bad_alg", f"algorithm {alg!r} is never accepted")
    # Only the algorithms we configured count; never the token's or the provider's word.
    if alg not in algorithms or alg not in _KTY_FOR_ALG:
        raise TokenRejected("bad_alg", f"algorithm {alg!r} is not allowed")
    for name in _KEY_INJECTION_HEADERS:
        if name in header:
            raise TokenRejected("bad_header", f"the header may not carry {name!r}")
    if "crit" in header:
        raise TokenRejected("bad_header", "critical header extensions are not understood")
    typ = header.get("typ")
    if typ is not None:
        if not isinstance(typ, str):
            raise TokenRejected("bad_header", "typ must be a string")
        # An explicitly typed JWT of another kind (logout token, access token used as an
        # ID token or vice versa) is a different token; refuse the confusion.
        bare = typ.lower().removeprefix("application/")
        if bare.endswith("+jwt") and bare != explicit_typ:
            raise TokenRejected("bad_header", f"a token of type {typ!r} is not accepted here")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenRejected("bad_header", "kid must be a string")
    return alg


def _check_key(key: dict[str, Any], alg: str) -> Any:
    if key.get("kty") != _KTY_FOR_ALG[alg]:
        raise TokenRejected("bad_key", f"key type {key.get('kty')!r} does not fit {alg}")
    if key.get("use", "sig") != "sig":
        raise TokenRejected("bad_key", "the key is not a signing key")
    if "alg" in key and key["alg"] != alg:
        raise TokenRejected("bad_key", f"the key is for {key['alg']!r}, the token says {alg}")
    if alg in _CURVE_FOR_ALG and key.get("crv") != _CURVE_FOR_ALG[alg]:
        raise TokenRejected("bad_key", f"curve {key.get('crv')!r} does not fit {alg}")
    try:
        constructed = jwk.construct(key, alg)
    except (JOSEError, ValueError, TypeError, KeyError) as exc:
        raise TokenRejected("bad_key", "the provider's key cannot be read") from exc
    if alg.startswith("RS") and constructed.prepared_key.key_size < _MIN_RSA_BITS:
        raise TokenRejected("bad_key", "the provider's RSA key is too short")
    return constructed


async def _verified_claims(
    token: str,
    *,
    algorithms: tuple[str, ...],
    keys: JwksCache,
    explicit_typ: str | None,
) -> tuple[dict[str, Any], str]:
    """Check the header, find the key, verify the signature; return claims and alg."""
    header = parse_header(token)
    alg = _check_header(header, algorithms, explicit_typ)
    try:
        key = await keys.get_key(header.get("kid"))
    except JwksError as exc:
        raise TokenRejected(exc.code, str(exc)) from exc
    verifier = _check_key(key, alg)
    try:
        payload = jws.verify(token, verifier, algorithms=[alg])
    except JOSEError as exc:
        raise TokenRejected("bad_signature", "the signature does not verify") from exc
    try:
        claims = json.loads(payload)
    except (ValueError, UnicodeError) as exc:
        raise TokenRejected("malformed", "the claims are not JSON") from exc
    if not isinstance(claims, dict):
        raise TokenRejected("malformed", "the claims are not a JSON object")
    return claims, alg


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected("malformed", f"the {name} claim is not a number")
    return float(value)


def _required_number(claims: dict[str, Any], name: str) -> float:
    value = _number(claims, name)
    if value is None:
        raise TokenRejected(f"missing_{name}", f"the {name} claim is missing")
    return value


def _check_times(claims: dict[str, Any], now: float, skew: int) -> None:
    skew = min(max(skew, 0), MAX_CLOCK_SKEW)
    exp = _required_number(claims, "exp")
    iat = _required_number(claims, "iat")
    nbf = _number(claims, "nbf")
    if now >= exp + skew:
        raise TokenRejected("expired", "the token has expired")
    if iat > now + skew:
        raise TokenRejected("iat_future", "the token was issued in the future")
    if nbf is not None and nbf > now + skew:
        raise TokenRejected("nbf_future", "the token is not valid yet")


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return aud
    raise TokenRejected("bad_audience", "the aud claim is missing or malformed")


def _check_issuer(claims: dict[str, Any], issuer: str) -> None:
    iss = claims.get("iss")
    if not isinstance(iss, str) or iss != issuer:
        raise TokenRejected("bad_issuer", f"issuer {iss!r} is not {issuer!r}")


def acr_at_least(acr: Any, acr_min: str) -> bool:
    """Whether `acr` meets `acr_min`. A minimum we do not rank must match exactly."""
    if not isinstance(acr, str):
        return False
    if acr_min not in ACR_RANK:
        return acr == acr_min
    return acr in ACR_RANK and ACR_RANK[acr] >= ACR_RANK[acr_min]


async def validate_id_token(
    token: str,
    expect: TokenExpectations,
    keys: JwksCache,
    now: float | None = None,
    *,
    access_token: str | None = None,
) -> dict[str, Any]:
    """Validate an ID token and return its claims, or raise TokenRejected.
    With `access_token`, a present `at_hash` must match it."""
    now = time.time() if now is None else now
    claims, alg = await _verified_claims(
        token, algorithms=expect.algorithms, keys=keys, explicit_typ=None
    )
    _check_issuer(claims, expect.issuer)

    audiences = _audiences(claims)
    if expect.client_id not in audiences:
        raise TokenRejected("bad_audience", "the token is not meant for us")
    trusted = {expect.client_id, *expect.trusted_audiences}
    untrusted = [a for a in audiences if a not in trusted]
    if untrusted:
        raise TokenRejected("bad_audience", f"untrusted audience {untrusted[0]!r}")
    azp = claims.get("azp")
    if len(set(audiences)) > 1 and azp is None:
        raise TokenRejected("bad_azp", "several audiences but no azp")
    if azp is not None and azp != expect.client_id:
        raise TokenRejected("bad_azp", "the token was issued to another party")

    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise TokenRejected("missing_sub", "the sub claim is missing")
    _check_times(claims, now, expect.clock_skew)

    nonce = claims.get("nonce")
    if expect.nonce is not None:
        if not isinstance(nonce, str) or not hmac.compare_digest(
            nonce.encode("utf-8"), expect.nonce.encode("utf-8")
        ):
            raise TokenRejected("bad_nonce", "the nonce is missing or wrong")
    elif expect.require_nonce:
        raise TokenRejected("bad_nonce", "no nonce to compare with")

    if expect.acr_min is not None and not acr_at_least(claims.get("acr"), expect.acr_min):
        raise TokenRejected(
            "acr_too_low", f"level {claims.get('acr')!r} is below {expect.acr_min!r}"
        )

    if expect.pid_claim:
        pid = claims.get(expect.pid_claim)
        if not isinstance(pid, str) or not is_valid_nin(pid):
            raise TokenRejected("bad_pid", "the national id number is missing or invalid")

    at_hash = claims.get("at_hash")
    if access_token is not None and at_hash is not None:
        expected = calculate_at_hash(access_token, _HASH_FOR_ALG[alg[-3:]])
        if not isinstance(at_hash, str) or not hmac.compare_digest(at_hash, expected):
            raise TokenRejected("bad_at_hash", "at_hash does not match the access token")
    return claims


async def validate_access_token(
    token: str,
    *,
    issuer: str,
    audience: str,
    algorithms: tuple[str, ...],
    keys: JwksCache,
    now: float | None = None,
    clock_skew: int = 60,
) -> dict[str, Any]:
    """Validate a JWT bearer access token (signature, iss, aud, exp/iat/nbf)."""
    now = time.time() if now is None else now
    claims, _alg = await _verified_claims(
        token, algorithms=tuple(algorithms), keys=keys, explicit_typ="at+jwt"
    )
    _check_issuer(claims, issuer)
    if audience not in _audiences(claims):
        raise TokenRejected("bad_audience", "the token is not meant for this resource")
    _check_times(claims, now, clock_skew)
    return claims
