"""A provider's signing keys (kept in the database, so every worker signs and verifies
with the same ones): the published JWKS, rotation, signing our tokens and verifying the
ones we signed (id_token_hint, userinfo's bearer token)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from digihelse.auth.keys import RsaKey, generate_rsa_key, jwks, load_rsa_key
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import SIGNATURE_ONLY, OAuthError


class SigningKeys:
    """Active, next and up to two retired RSA keys; parsed once per process."""

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx
        self._parsed: dict[str, RsaKey] = {}  # kid -> key

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The published keys: the active one first, then the next (rotation) key."""
        return jwks(self.keys()[:2])

    @property
    def active_kid(self) -> str:
        return self.keys()[0].kid

    def rotate(self) -> None:
        """Make the next key active and publish a new next key. The retired key still
        verifies our own tokens (id_token_hint, userinfo) but is no longer published.
        Every worker sees the rotation: the keys live in the database."""
        self._ctx.store.rotate_keys(self._new_pem)

    def keys(self) -> list[RsaKey]:
        """Active, next, then up to two retired keys (the database keeps generations;
        the newest is the next key, the one before it the active one)."""
        rows = self._ctx.store.signing_keys(self._new_pem)
        keys = []
        for kid, pem in rows:
            key = self._parsed.get(kid)
            if key is None:
                key = self._parsed[kid] = load_rsa_key(pem, kid)
            keys.append(key)
        return [keys[1], keys[0], *keys[2:]]

    def _new_pem(self) -> tuple[str, str]:
        key = generate_rsa_key(f"{self._ctx.config.kind}-{secrets.token_hex(6)}")
        self._parsed[key.kid] = key
        return key.kid, key.private_pem

    def sign(self, claims: Mapping[str, Any], *, typ: str = "JWT") -> str:
        return self.keys()[0].sign(claims, typ=typ)

    def verify_own(self, token: str, *, check_exp: bool) -> dict[str, Any]:
        """Claims of a token we signed (with a published or recently retired key)."""
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise OAuthError("invalid_token", "the token is not a JWT", 401) from exc
        candidates = [k for k in self.keys() if k.kid == header.get("kid")]
        if not candidates or header.get("alg") != "RS256":
            raise OAuthError("invalid_token", "the token was not signed by this provider", 401)
        try:
            claims = jwt.decode(
                token,
                candidates[0].public_jwk,
                algorithms=["RS256"],
                issuer=self._ctx.issuer,
                # Time is checked below against our (injectable) clock.
                options=SIGNATURE_ONLY,
            )
        except JOSEError as exc:
            raise OAuthError("invalid_token", f"the token is not valid: {exc}", 401) from exc
        now = self._ctx.now()
        if check_exp and not (isinstance(claims.get("exp"), int) and claims["exp"] > now):
            raise OAuthError("invalid_token", "the token has expired", 401)
        return claims
