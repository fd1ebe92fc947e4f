"""Client authentication on the back channel (token and PAR endpoints):
client_secret_basic, client_secret_post and private_key_jwt (RFC 6749 2.3, RFC 7523 3,
OpenID Connect Core 9), exactly one method per request, assertions single use."""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import unquote_plus

from jose import jwt
from jose.exceptions import JOSEError
from starlette.datastructures import FormData
from starlette.requests import Request

from digihelse.auth.keys import CLIENT_ASSERTION_TYPE
from digihelse_dev.providers.config import (
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    PRIVATE_KEY_JWT,
    ClientRegistration,
)
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import SIGNATURE_ONLY, OAuthError, refuse_repeats, single

# Asymmetric algorithms only: an HMAC "assertion" would need the client secret as key.
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_KTY_FOR_ALG = {"RS": "RSA", "ES": "EC"}
_ASSERTION_MAX_LIFETIME = 600  # seconds; a longer-lived assertion is a replay risk
_CLOCK_SKEW = 30


class ClientAuthenticator:
    """Tells which registered client sent a back-channel request, or refuses it."""

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx

    async def read(self, request: Request) -> tuple[FormData, ClientRegistration]:
        """A back-channel request (token, PAR): its form, each parameter at most once, and
        the client it authenticated as."""
        form = await request.form()
        refuse_repeats(form)
        return form, self.authenticate(request, form)

    def authenticate(self, request: Request, form: FormData) -> ClientRegistration:
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
        if method not in self._ctx.config.auth_methods:
            raise OAuthError("invalid_client", f"{method} is not accepted by this provider", 401)
        form_client_id = single(form, "client_id")
        if method == CLIENT_SECRET_BASIC:
            client_id, secret = _basic_credentials(authorization)
            if form_client_id is not None and form_client_id != client_id:
                raise OAuthError("invalid_request", "client_id does not match the credentials")
        elif method == CLIENT_SECRET_POST:
            client_id, secret = form_client_id or "", single(form, "client_secret") or ""
        else:
            return self._authenticate_assertion(form, form_client_id)
        client = self._client_allowing(client_id, method)
        expected = (client.client_secret or "").encode()
        if not expected or not hmac.compare_digest(secret.encode(), expected):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    def _client_allowing(self, client_id: str, method: str) -> ClientRegistration:
        client = self._ctx.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "unknown client", 401)
        if method not in client.token_endpoint_auth_methods:
            raise OAuthError("invalid_client", f"{method} is not registered for this client", 401)
        return client

    def _authenticate_assertion(
        self, form: FormData, form_client_id: str | None
    ) -> ClientRegistration:
        """private_key_jwt (RFC 7523 section 3, OpenID Connect Core 9)."""
        if single(form, "client_assertion_type") != CLIENT_ASSERTION_TYPE:
            raise OAuthError("invalid_client", "unsupported client_assertion_type", 401)
        assertion = single(form, "client_assertion") or ""
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
                options=SIGNATURE_ONLY,
            )
        except JOSEError as exc:
            raise OAuthError(
                "invalid_client", "the client assertion signature is invalid", 401
            ) from exc
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise OAuthError("invalid_client", "iss and sub must both be the client_id", 401)
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        ctx = self._ctx
        if not isinstance(audiences, list) or not (
            {ctx.issuer, ctx.endpoint("token"), ctx.endpoint("par")}
            & {a for a in audiences if isinstance(a, str)}
        ):
            raise OAuthError("invalid_client", "the assertion's aud must be the issuer", 401)
        now = ctx.now()
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
        if not ctx.store.mark_once("jti", f"{client_id}\x00{jti}", float(exp), now):
            raise OAuthError("invalid_client", "the client assertion was already used", 401)
        return client


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
