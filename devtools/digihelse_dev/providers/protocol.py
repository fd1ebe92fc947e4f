"""OAuth's wire conventions shared by every endpoint: the JSON error (RFC 6749 5.2), the
page shown instead of an unsafe redirect, no-store responses, the login pages' security
headers, single-valued parameters and query building."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from digihelse_dev.providers import page


class OAuthError(Exception):
    """An error answered as JSON {error, error_description} (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class PageError(Exception):
    """An authorization request we must not redirect back for: show a page instead."""

    def __init__(self, message_key: str, detail: str = "") -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.detail = detail


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# python-jose options that check the signature (and iss, when given) only: the caller
# checks aud and time itself, against the provider's own (injectable) clock.
SIGNATURE_ONLY = {
    "verify_aud": False,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "verify_at_hash": False,
}


def json_response(data: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers={**NO_STORE, **(headers or {})})


def basic_attempted(request: Request) -> bool:
    """Whether the client tried HTTP Basic, so a 401 names that scheme (RFC 6749 5.2)."""
    return request.headers.get("authorization", "")[:6].lower() == "basic "


def oauth_error_response(exc: OAuthError, *, basic_attempted: bool = False) -> Response:
    headers = {}
    if exc.status == 401:
        # RFC 6749 5.2: answer a failed Basic attempt with the scheme it used.
        headers["WWW-Authenticate"] = 'Basic realm="token"' if basic_attempted else "Bearer"
    return json_response({"error": exc.error, "error_description": exc.description},
                         exc.status, headers)


def html_page(content: str, status: int = 200, *, script_nonce: str | None = None) -> Response:
    csp = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    if script_nonce:
        csp += f"; script-src 'nonce-{script_nonce}'"
    headers = {
        **NO_STORE,
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",  # the login page must not be framed (clickjacking)
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(content, status_code=status, headers=headers)


def error_page(kind: str, locale: str, message_key: str, detail: str = "") -> Response:
    """A dead end shown instead of a redirect (400), e.g. for an unregistered redirect_uri."""
    return html_page(page.render_error_page(kind=kind, locale=locale,
                                            message_key=message_key, detail=detail), 400)


def add_query(url: str, params: Mapping[str, str | None]) -> str:
    """The URL with parameters appended, keeping any query it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((key, value) for key, value in params.items() if value is not None)
    return urlunsplit(parts._replace(query=urlencode(query)))


def single(params: QueryParams | FormData, name: str) -> str | None:
    """A parameter given at most once (RFC 6749 section 3.1), as text."""
    values = params.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} was given more than once")
    if not values:
        return None
    value = values[0]
    if not isinstance(value, str):
        raise OAuthError("invalid_request", f"{name} must be text")
    return value


def refuse_repeats(params: QueryParams | FormData) -> None:
    """Refuse a request in which any parameter is given more than once."""
    for key in {key for key, _ in params.multi_items()}:
        single(params, key)


def redirect_error(redirect_uri: str, error: str, description: str, state: str | None,
                   issuer: str) -> Response:
    """Send the browser back to a registered redirect_uri with an error (RFC 6749 4.1.2.1),
    naming the issuer (RFC 9207)."""
    url = add_query(
        redirect_uri,
        {"error": error, "error_description": description, "state": state, "iss": issuer},
    )
    return RedirectResponse(url, status_code=303, headers=NO_STORE)
