"""The token endpoint: an authorization code redeemed once, by its own client, with PKCE,
for a signed ID token and an RFC 9068 access token. Subjects are pairwise, as ID-porten's."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from digihelse.auth.keys import b64url
from digihelse_dev.providers.client_auth import ClientAuthenticator
from digihelse_dev.providers.config import (
    HELSEID_ASSURANCE_LEVEL,
    HELSEID_HPR_NUMBER,
    HELSEID_PID,
    HELSEID_SECURITY_LEVEL,
    ClientRegistration,
    TestUser,
)
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import (
    OAuthError,
    basic_attempted,
    json_response,
    oauth_error_response,
    single,
)
from digihelse_dev.providers.records import CodeRecord
from digihelse_dev.providers.signing import SigningKeys

# RFC 7636 section 4.1: 43-128 characters from the unreserved set.
_VERIFIER_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class PairwiseSubjects:
    """Pairwise sub: a keyed hash of client and person, so two clients cannot link their
    users by sub (ID-porten's behaviour)."""

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx
        salt = ctx.config.subject_salt
        self._salt: bytes | None = salt.encode() if salt else None

    def subject(self, client_id: str, pid: str) -> str:
        if self._salt is None:
            # One salt for every worker, or the same person would get two subs.
            self._salt = self._ctx.store.secret(
                "subject-salt", lambda: secrets.token_urlsafe(32)).encode()
        digest = hmac.new(self._salt, f"{client_id}\x00{pid}".encode(), hashlib.sha256)
        return b64url(digest.digest())


class TokenEndpoint:
    """/token: the authorization_code grant only."""

    def __init__(self, ctx: ProviderContext, clients: ClientAuthenticator,
                 keys: SigningKeys) -> None:
        self._ctx = ctx
        self._client_auth = clients
        self._keys = keys
        self._subjects = PairwiseSubjects(ctx)

    async def token(self, request: Request) -> Response:
        try:
            form, client = await self._client_auth.read(request)
            if form.get("grant_type") != "authorization_code":
                raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
            return json_response(self._redeem_code(client, form))
        except OAuthError as exc:
            return oauth_error_response(exc, basic_attempted=basic_attempted(request))

    def _redeem_code(self, client: ClientRegistration, form: FormData) -> dict[str, Any]:
        code = single(form, "code")
        if not code:
            raise OAuthError("invalid_request", "code is required")
        now = self._ctx.now()
        # Spent by any attempt from its own client, even one that fails below; a reuse
        # revokes the tokens it gave, since it may mean the code was stolen.
        spent = self._ctx.store.spend_code(code, client.client_id, now)
        if spent.status == "unknown":
            raise OAuthError("invalid_grant", "the code is unknown or has expired")
        if spent.status == "other_client":
            raise OAuthError("invalid_grant", "the code was issued to another client")
        if spent.status == "reused" or spent.data is None:
            raise OAuthError("invalid_grant", "the code has already been used")
        record = CodeRecord.from_data(spent.data)
        if single(form, "redirect_uri") != record.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization")
        verifier = single(form, "code_verifier")
        if verifier is None or not _VERIFIER_RE.fullmatch(verifier):
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 unreserved chars")
        if not hmac.compare_digest(create_s256_code_challenge(verifier), record.code_challenge):
            raise OAuthError("invalid_grant", "PKCE verification failed")
        return self._issue_tokens(client, code, record, now)

    def _identity_claims(self, user: TestUser) -> dict[str, Any]:
        if self._ctx.config.kind == "citizen":
            return {"pid": user.pid}
        return {
            HELSEID_PID: user.pid,
            HELSEID_HPR_NUMBER: user.hpr_number,
            HELSEID_SECURITY_LEVEL: "4",
            HELSEID_ASSURANCE_LEVEL: "high",
            "name": user.name,
        }

    def _issue_tokens(self, client: ClientRegistration, code: str, record: CodeRecord,
                      now: float) -> dict:
        cfg = self._ctx.config
        issuer = self._ctx.issuer
        issued = int(now)
        sub = self._subjects.subject(client.client_id, record.user.pid)
        identity = self._identity_claims(record.user)
        id_claims: dict[str, Any] = {
            "iss": issuer,
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
            "iss": issuer,
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
        access_token = self._keys.sign(access_claims, typ="at+jwt")  # RFC 9068 header type
        id_token = self._keys.sign(id_claims)
        self._ctx.store.note_access_token(code, access_jti, float(access_claims["exp"]))
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": cfg.access_token_lifetime,
            "id_token": id_token,
            "scope": " ".join(record.scopes),
        }
