"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) with front-channel logout
of every client the provider session took part in (Front-Channel Logout 1.0)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from digihelse_dev.providers import page
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import OAuthError, add_query, error_page, html_page
from digihelse_dev.providers.signing import SigningKeys


class EndSessionEndpoint:
    """/endsession: ends the provider session, shows the logout page with a frame per
    participating client, then goes back to a registered post-logout URI."""

    def __init__(self, ctx: ProviderContext, keys: SigningKeys) -> None:
        self._ctx = ctx
        self._keys = keys

    async def end_session(self, request: Request) -> Response:
        ctx = self._ctx
        if request.method == "POST":
            form = await request.form()
            params = {key: value for key, value in form.items() if isinstance(value, str)}
        else:
            params = dict(request.query_params)
        locale = page.pick_locale(params.get("ui_locales"))
        hint = params.get("id_token_hint")
        hint_claims: dict[str, Any] | None = None
        if hint:
            try:
                # An expired ID token is still a valid hint (RP-Initiated Logout 1.0, 2).
                hint_claims = self._keys.verify_own(hint, check_exp=False)
            except OAuthError as exc:
                return error_page(ctx.config.kind, locale, "bad_request",
                                  f"id_token_hint: {exc.description}")
        client_id = params.get("client_id")
        if hint_claims is not None:
            hint_aud = hint_claims.get("aud")
            if client_id and client_id != hint_aud:
                return error_page(ctx.config.kind, locale, "bad_request",
                                  "client_id does not match id_token_hint")
            client_id = hint_aud if isinstance(hint_aud, str) else None
        client = ctx.clients.get(client_id or "")

        redirect_to = None
        requested = params.get("post_logout_redirect_uri")
        if requested and client is not None and requested in client.post_logout_redirect_uris:
            redirect_to = add_query(requested, {"state": params.get("state")})

        browser_key = request.cookies.get(ctx.cookie_name)
        hint_sid = (hint_claims or {}).get("sid")
        ended = ctx.store.end_session(browser_key,
                                      hint_sid if isinstance(hint_sid, str) else None,
                                      ctx.now())
        sid = ended.sid
        participants: Iterable[str]
        if ended.clients is not None:
            participants = sorted(ended.clients)
        else:
            participants = [client.client_id] if client is not None else []
        frames = []
        if isinstance(sid, str):
            for participant in participants:
                registered = ctx.clients.get(participant)
                if registered is not None and registered.frontchannel_logout_uri:
                    frames.append((
                        registered.client_name or registered.client_id,
                        add_query(registered.frontchannel_logout_uri,
                                  {"iss": ctx.issuer, "sid": sid}),
                    ))
        nonce = secrets.token_urlsafe(16)
        response = html_page(
            page.render_logout_page(
                kind=ctx.config.kind,
                locale=locale,
                frames=frames,
                redirect_to=redirect_to,
                script_nonce=nonce,
            ),
            script_nonce=nonce,
        )
        response.delete_cookie(ctx.cookie_name, path=ctx.public_path)
        return response
