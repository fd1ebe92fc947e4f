"""The authorization endpoint and pushed authorization requests (RFC 9126): an
authorization request is checked (code flow, PKCE S256, state, nonce, acr, scopes), then
the login page opens. HelseID's profile takes requests only when they were pushed first."""

from __future__ import annotations

import re
import secrets

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import Response

from digihelse_dev.providers import page
from digihelse_dev.providers.client_auth import ClientAuthenticator
from digihelse_dev.providers.config import ClientRegistration
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.login import LoginPage
from digihelse_dev.providers.protocol import (
    NO_STORE,
    OAuthError,
    PageError,
    basic_attempted,
    error_page,
    json_response,
    oauth_error_response,
    redirect_error,
    refuse_repeats,
    single,
)
from digihelse_dev.providers.records import Pending

# An S256 challenge is a base64url SHA-256 digest: always 43 characters.
_S256_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"


class AuthorizationEndpoint:
    """/authorize (GET: a request in the URL or a pushed one; POST: the login form) and
    /par, the pushed authorization request endpoint."""

    def __init__(self, ctx: ProviderContext, clients: ClientAuthenticator,
                 login: LoginPage) -> None:
        self._ctx = ctx
        self._client_auth = clients
        self._login = login

    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._login.submit(request)
        ctx = self._ctx
        params = request.query_params
        locale = page.pick_locale(params.get("ui_locales"))
        if "request_uri" in params:
            return self._authorize_pushed(params, locale)
        try:
            client, redirect_uri = self._client_and_redirect(params)
        except (PageError, OAuthError) as exc:
            key = exc.message_key if isinstance(exc, PageError) else "bad_request"
            detail = exc.detail if isinstance(exc, PageError) else exc.description
            return error_page(ctx.config.kind, locale, key, detail)
        state = params.get("state") if len(params.getlist("state")) == 1 else None
        try:
            if ctx.config.require_pushed_requests:
                raise OAuthError("invalid_request",
                                 "push the authorization request to the PAR endpoint first")
            pending = self._validate(params, client, redirect_uri, locale)
        except OAuthError as exc:
            return redirect_error(redirect_uri, exc.error, exc.description, state, ctx.issuer)
        return self._login.open(pending)

    def _authorize_pushed(self, params: QueryParams, locale: str) -> Response:
        """The browser arrives with the request_uri a client pushed (RFC 9126 section 4).
        Only the pushed parameters count; a request_uri works once, for its own client."""
        ctx = self._ctx
        try:
            client_id, request_uri = single(params, "client_id"), single(params, "request_uri")
        except OAuthError as exc:
            return error_page(ctx.config.kind, locale, "bad_request", exc.description)
        # Taken at once, whoever asks: a request_uri is single use (RFC 9126 section 4).
        pushed = ctx.store.take_request(request_uri or "", "pushed", ctx.now())
        if pushed is None:
            return error_page(ctx.config.kind, locale, "expired")
        if pushed["client_id"] != client_id:
            return error_page(ctx.config.kind, locale, "bad_client",
                              f"client_id: {client_id or '-'}")
        pending = Pending.from_data(
            {**pushed, "expires": ctx.now() + ctx.config.pending_lifetime})
        return self._login.open(pending)

    async def pushed_request(self, request: Request) -> Response:
        """The PAR endpoint (RFC 9126 section 2): an authenticated client posts the
        authorization request and gets a short-lived, single-use request_uri for it."""
        ctx = self._ctx
        try:
            form, client = await self._client_auth.read(request)
            if "request_uri" in form:
                raise OAuthError("invalid_request", "request_uri cannot be pushed")
            redirect_uri = single(form, "redirect_uri")
            if redirect_uri is None or redirect_uri not in client.redirect_uris:
                raise OAuthError("invalid_request", "redirect_uri is not registered")
            locale = page.pick_locale(single(form, "ui_locales"))
            pending = self._validate(form, client, redirect_uri, locale)
        except OAuthError as exc:
            return oauth_error_response(exc, basic_attempted=basic_attempted(request))
        request_uri = _REQUEST_URI_PREFIX + secrets.token_urlsafe(32)
        lifetime = ctx.config.pushed_request_lifetime
        now = ctx.now()
        ctx.store.put_request(request_uri, "pushed", pending.as_data(), now + lifetime, now)
        return json_response({"request_uri": request_uri, "expires_in": lifetime}, 201,
                             NO_STORE)

    def _client_and_redirect(self, params: QueryParams) -> tuple[ClientRegistration, str]:
        """Client and redirect_uri; errors here are shown as a page, never redirected,
        since an unchecked redirect_uri would make us an open redirector."""
        client_id = single(params, "client_id")
        client = self._ctx.clients.get(client_id or "")
        if client is None:
            raise PageError("bad_client", f"client_id: {client_id or '-'}")
        redirect_uri = single(params, "redirect_uri")
        # Exact string comparison, as ID-porten and OAuth 2.1 require.
        if redirect_uri is None or redirect_uri not in client.redirect_uris:
            raise PageError("bad_redirect", f"redirect_uri: {redirect_uri or '-'}")
        return client, redirect_uri

    def _validate(
        self,
        params: QueryParams | FormData,
        client: ClientRegistration,
        redirect_uri: str,
        locale: str,
    ) -> Pending:
        """The authorization request's parameters, checked, as a request waiting for the
        user."""
        cfg = self._ctx.config
        refuse_repeats(params)
        if "request" in params:
            raise OAuthError("request_not_supported", "request objects are not supported")
        if "request_uri" in params:
            raise OAuthError("request_uri_not_supported", "request_uri is not supported")
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "only response_type=code is supported")
        if params.get("response_mode", "query") != "query":
            raise OAuthError("invalid_request", "only response_mode=query is supported")
        scopes = (params.get("scope") or "").split()
        if "openid" not in scopes:
            raise OAuthError("invalid_scope", "the scope must include openid")
        method = params.get("code_challenge_method")
        challenge = params.get("code_challenge")
        if not challenge:
            raise OAuthError("invalid_request", "PKCE is required: send code_challenge (S256)")
        if method != "S256":
            # A missing method means "plain" (RFC 7636 4.3), which we refuse as well.
            raise OAuthError("invalid_request", "code_challenge_method must be S256")
        if not _S256_CHALLENGE_RE.fullmatch(challenge):
            raise OAuthError("invalid_request", "code_challenge is not an S256 challenge")
        state = params.get("state")
        if not state:
            raise OAuthError("invalid_request", "state is required")
        nonce = params.get("nonce")
        if not nonce:
            raise OAuthError("invalid_request", "nonce is required")
        if "none" in (params.get("prompt") or "").split():
            # Every login here needs the user to pick a person, so no silent login.
            raise OAuthError("login_required", "the user must log in")
        acr = None
        if cfg.acr_values:
            requested = (params.get("acr_values") or "").split()
            known = [value for value in requested if value in cfg.acr_values]
            if requested and not known:
                raise OAuthError("invalid_request", "unsupported acr_values")
            acr = known[0] if known else cfg.default_acr
        granted = tuple(scope for scope in dict.fromkeys(scopes) if scope in cfg.scopes)
        return Pending(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
            scopes=granted,
            acr=acr,
            locale=locale,
            expires=self._ctx.now() + cfg.pending_lifetime,
        )
