"""RSA signing keys as PEM and JWK: for the embedded test providers and for our own
private_key_jwt client authentication."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

ALGORITHM = "RS256"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_to_b64url(value: int) -> str:
    length = max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of an RSA or EC public JWK (the usual kid of a key
    registered by its public part)."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}.get(jwk.get("kty"))
    if members is None:
        raise ValueError("only RSA and EC keys are supported")
    # The thumbprint hashes exactly the required members, sorted, without whitespace.
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class RsaKey:
    """A private RSA key with its public JWK; `kid` names it in JWT headers and JWKS."""

    kid: str
    private_pem: str  # PKCS#8, unencrypted: keep it out of logs
    public_pem: str
    public_jwk: dict[str, str]  # kty, n, e, kid, alg, use

    @property
    def thumbprint(self) -> str:
        return jwk_thumbprint(self.public_jwk)

    def sign(self, claims: Mapping[str, Any], *, typ: str = "JWT") -> str:
        """A compact RS256 JWS of the claims, with this key's kid in the header."""
        return jwt.encode(
            dict(claims),
            self.private_pem,
            algorithm=ALGORITHM,
            headers={"kid": self.kid, "typ": typ},
        )

    def __repr__(self) -> str:  # never print the private key by accident
        return f"RsaKey(kid={self.kid!r})"


def _from_private(private: rsa.RSAPrivateKey, kid: str | None) -> RsaKey:
    numbers = private.public_key().public_numbers()
    jwk: dict[str, str] = {
        "kty": "RSA",
        "n": _int_to_b64url(numbers.n),
        "e": _int_to_b64url(numbers.e),
    }
    kid = kid or jwk_thumbprint(jwk)
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return RsaKey(kid=kid, private_pem=private_pem, public_pem=public_pem, public_jwk=jwk)


def generate_rsa_key(kid: str | None = None, *, bits: int = 2048) -> RsaKey:
    """A fresh RSA key; without a kid the RFC 7638 thumbprint names it."""
    if bits < 2048:
        raise ValueError("RSA keys shorter than 2048 bits are not accepted")
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return _from_private(private, kid)


def load_rsa_key(private_pem: str, kid: str | None = None) -> RsaKey:
    """An RsaKey from a PEM private key (PKCS#1 or PKCS#8, unencrypted), e.g. from the
    environment; without a kid the thumbprint names it so it stays stable across restarts."""
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("the PEM is not an RSA private key")
    if private.key_size < 2048:
        raise ValueError("RSA keys shorter than 2048 bits are not accepted")
    return _from_private(private, kid)


def jwks(keys: Iterable[RsaKey]) -> dict[str, list[dict[str, str]]]:
    """A public JWK set for the keys."""
    return {"keys": [dict(key.public_jwk) for key in keys]}


def client_assertion(
    key: RsaKey,
    *,
    client_id: str,
    audience: str,
    lifetime_seconds: int = 60,
    now: float | None = None,
) -> str:
    """A private_key_jwt client assertion (RFC 7523): iss = sub = client_id, a fresh jti."""
    issued = int(time.time() if now is None else now)
    return key.sign(
        {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime_seconds,
            "jti": secrets.token_urlsafe(24),
        }
    )
