"""The UserInfo endpoint (OpenID Connect Core 5.3): who a live, unrevoked access token of
this provider is about."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from digihelse_dev.providers import page
from digihelse_dev.providers.config import HELSEID_IDENTITY_CLAIMS
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import OAuthError, json_response
from digihelse_dev.providers.signing import SigningKeys


class UserInfoEndpoint:
    """/userinfo, answered as JSON for a bearer access token."""

    def __init__(self, ctx: ProviderContext, keys: SigningKeys) -> None:
        self._ctx = ctx
        self._keys = keys

    async def userinfo(self, request: Request) -> Response:
        ctx = self._ctx
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return json_response(
                {"error": "invalid_request", "error_description": "a bearer token is required"},
                401,
                {"WWW-Authenticate": 'Bearer realm="userinfo"'},
            )
        try:
            claims = self._keys.verify_own(token.strip(), check_exp=True)
            audiences = claims.get("aud")
            audiences = [audiences] if isinstance(audiences, str) else audiences or []
            if not any(aud in ctx.clients for aud in audiences) or "client_id" not in claims:
                raise OAuthError("invalid_token", "not an access token of this provider", 401)
            jti = claims.get("jti")
            if isinstance(jti, str) and ctx.store.is_marked("revoked", jti, ctx.now()):
                raise OAuthError("invalid_token", "the token has been revoked", 401)
        except OAuthError as exc:
            # A quoted-string may hold neither quotes nor control characters (RFC 6750 3).
            safe = re.sub(r'[^\x20-\x7e]|["\\]', "", exc.description)
            header = f'Bearer error="invalid_token", error_description="{safe}"'
            return json_response(
                {"error": "invalid_token", "error_description": exc.description},
                401,
                {"WWW-Authenticate": header},
            )
        info: dict[str, Any] = {"sub": claims["sub"]}
        if ctx.config.kind == "citizen":
            pid = claims.get("pid", "")
            user = ctx.known_users().get(pid)
            info.update({"pid": pid, "name": user.name if user else f"Testperson {pid}"})
        else:
            for name in HELSEID_IDENTITY_CLAIMS:
                info[name] = claims.get(name)
        info["locale"] = claims.get("locale", page.DEFAULT_LOCALE)
        return json_response(info)
