"""Our client authentication on a provider's back channel (token and PAR endpoints):
private_key_jwt with our key (RFC 7523 section 3), else client_secret_basic, else none (a
public client, protected by PKCE)."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from jose.utils import long_to_base64

from digihelse.auth.keys import CLIENT_ASSERTION_TYPE, jwk_thumbprint
from digihelse.core.settings import OidcClientSettings


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
        return cls(jwk.construct(private, alg), alg, jwk_thumbprint(public))

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


def basic_auth(client_id: str, secret: str) -> str:
    # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")


def authenticated_request(
    oidc: OidcClientSettings, client_key: ClientKey | None, data: dict[str, str], now: float
) -> tuple[dict[str, str], dict[str, str]]:
    """The form and headers for a request to the provider's back channel, with our
    client authentication: private_key_jwt, else client_secret_basic, else none. The
    assertion's audience is the issuer, which RFC 7523 and RFC 9126 both accept."""
    data = dict(data)
    headers = {"Accept": "application/json"}
    if client_key is not None:
        data["client_id"] = oidc.client_id
        data["client_assertion_type"] = CLIENT_ASSERTION_TYPE
        data["client_assertion"] = client_key.assertion(oidc.client_id, oidc.issuer, now)
    elif oidc.client_secret:
        headers["Authorization"] = basic_auth(oidc.client_id, oidc.client_secret)
    else:
        data["client_id"] = oidc.client_id
    return data, headers
