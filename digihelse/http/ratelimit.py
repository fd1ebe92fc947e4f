"""Rate limits on what can be abused from outside: login starts and callbacks per client
address, FHIR reads and writes per caller. The counters live in Redis when the app is
scaled out (every worker counts the same), in memory otherwise. Past a limit the answer
is 429 with Retry-After: a plain-words page for a browser, an OperationOutcome for FHIR."""

from __future__ import annotations

import hashlib
from html import escape

import limits
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from digihelse.core.i18n import normalise_lang, t
from digihelse.core.ratelimit import allowed, limiter_for, seconds_until_allowed
from digihelse.core.settings import Settings
from digihelse.http.fhir.outcome import FhirError, error_response
from digihelse.http.html import page

LOGIN_PATHS = ("/auth/login", "/auth/personnel/login", "/auth/callback",
               "/auth/personnel/callback")
FHIR_PREFIX = "/fhir/"
API_PREFIX = "/api/maternity-record/"  # the card export: counted as FHIR reads
LANG_COOKIE = "digihelse_lang"  # as digihelse.http.auth sets it


def _caller(request: Request, cookie_name: str) -> str:
    """Who is asking, without keeping the credential: a hash of the bearer token or the
    session cookie, else the client address."""
    credential = (request.headers.get("authorization")
                  or request.cookies.get(cookie_name) or "")
    if credential:
        return hashlib.sha256(credential.encode()).hexdigest()[:32]
    return request.client.host if request.client else "unknown"


class RateLimits:
    """The ASGI middleware. Routes it does not know pass untouched."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.limiter = limiter_for(settings)
        self.login = limits.parse(settings.rate_login)
        self.fhir_read = limits.parse(settings.rate_fhir_read)
        self.fhir_write = limits.parse(settings.rate_fhir_write)
        self.cookie_name = settings.session_cookie_name

    def _rule(self, request: Request) -> tuple[limits.RateLimitItem, str, str] | None:
        path = request.url.path
        if path in LOGIN_PATHS:
            address = request.client.host if request.client else "unknown"
            return self.login, "login", address
        if path.startswith((FHIR_PREFIX, API_PREFIX)):
            caller = _caller(request, self.cookie_name)
            if request.method in ("GET", "HEAD"):
                return self.fhir_read, "fhir-read", caller
            return self.fhir_write, "fhir-write", caller
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        rule = self._rule(request)
        if rule is None or allowed(self.limiter, *rule):
            await self.app(scope, receive, send)
            return
        retry = str(seconds_until_allowed(self.limiter, *rule))
        await self._too_many(request, rule[1], retry)(scope, receive, send)

    def _too_many(self, request: Request, kind: str, retry: str):
        headers = {"Retry-After": retry, "Cache-Control": "no-store"}
        if kind.startswith("fhir"):
            return error_response(FhirError(429, f"Too many requests: try again in {retry} s.",
                                            code="throttled", headers=headers))
        lang = normalise_lang(request.cookies.get(LANG_COOKIE))
        text = escape(t("limit.too_many", lang, seconds=retry))
        body = f'<div class="box" role="alert"><p>{text}</p></div>'
        response = page(lang, t("limit.title", lang), body, status=429)
        response.headers.update(headers)
        return response
