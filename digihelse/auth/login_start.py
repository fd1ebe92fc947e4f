"""Starting a login: a fresh state, nonce and PKCE verifier recorded as a login attempt,
and the provider's authorization URL, pushed first (RFC 9126) when the provider offers
PAR and we can authenticate."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx

from digihelse.auth.attempts import sha256_hex, store_attempt, utc
from digihelse.auth.discovery import HTTP_TIMEOUT
from digihelse.auth.keys import b64url
from digihelse.auth.models import LoginAttempt
from digihelse.auth.outcome import LoginFailed

if TYPE_CHECKING:
    from digihelse.auth.rp import RelyingParty

_LOCALE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def safe_next_path(raw: str | None) -> str:
    """Keep only a same-origin absolute path ("/a/b?x=1"); anything else becomes "/"."""
    if not raw or not isinstance(raw, str) or len(raw) > 2048:
        return "/"
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become
    # "//evil.example"; refuse every control and format character outright.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge for a PKCE verifier (RFC 7636 4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


async def start_login(rp: RelyingParty, next_path: str, locale: str = "nb") -> str:
    """Record a login attempt and return the provider's authorization URL."""
    url, _state = await start_bound_login(rp, next_path, locale)
    return url


def binding_cookie(state: str) -> str:
    """The name of the cookie that binds a login attempt to the browser that started it
    (RFC 9700 4.7.1): derived from the state, so a callback URL opened in any other
    browser finds no such cookie, and logins in two tabs do not overwrite each other."""
    return f"digihelse_login_{sha256_hex(state)[:24]}"


async def start_bound_login(rp: RelyingParty, next_path: str,
                            locale: str = "nb") -> tuple[str, str]:
    """Record a login attempt; the authorization URL, and the state for the browser's
    binding cookie (with PAR the URL no longer carries it)."""
    doc = await rp.ensure_discovery()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, inside PKCE's 43-128
    locale = locale if isinstance(locale, str) and _LOCALE.fullmatch(locale) else "nb"
    now = rp.now()
    attempt = LoginAttempt(
        state_hash=sha256_hex(state),
        provider=rp.name,
        nonce=nonce,
        code_verifier=verifier,
        next_path=safe_next_path(next_path),
        locale=locale,
        created_at=utc(now),
        expires_at=utc(now + rp.attempt_seconds),
    )
    await asyncio.to_thread(store_attempt, rp.engine, attempt, now)
    oidc = rp.oidc
    params = {
        "response_type": "code",
        "client_id": oidc.client_id,
        "redirect_uri": rp.redirect_uri,
        "scope": " ".join(oidc.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if oidc.acr:
        params["acr_values"] = oidc.acr
    params["ui_locales"] = locale
    endpoint = doc["authorization_endpoint"]
    if _pushes_requests(rp, doc):
        # RFC 9126: the parameters travel server to server, authenticated, and the
        # browser carries only an opaque, single-use reference to them.
        params = {"client_id": oidc.client_id, "request_uri": await _push(rp, doc, params)}
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params), state


def _pushes_requests(rp: RelyingParty, doc: Mapping[str, Any]) -> bool:
    """PAR whenever the provider offers it and we can authenticate (HelseID requires
    it; ID-porten offers it)."""
    offered = isinstance(doc.get("pushed_authorization_request_endpoint"), str)
    can_authenticate = rp.client_key is not None or bool(rp.oidc.client_secret)
    return offered and (can_authenticate
                        or doc.get("require_pushed_authorization_requests") is True)


async def _push(rp: RelyingParty, doc: Mapping[str, Any], params: dict[str, str]) -> str:
    """Push the authorization request; returns the request_uri to send the browser with."""
    data, headers = rp.authenticated({k: v for k, v in params.items() if k != "client_id"})
    try:
        response = await rp.http.post(doc["pushed_authorization_request_endpoint"],
                                      data=data, headers=headers, timeout=HTTP_TIMEOUT)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise LoginFailed("par_endpoint", f"cannot push the login request: {exc}") from exc
    request_uri = body.get("request_uri") if isinstance(body, dict) else None
    if response.status_code not in (200, 201) or not isinstance(request_uri, str):
        error = body.get("error") if isinstance(body, dict) else None
        raise LoginFailed("par_endpoint",
                          f"the PAR endpoint answered {response.status_code}"
                          + (f" ({error})" if isinstance(error, str) else ""),
                          error=error if isinstance(error, str) else None)
    return request_uri
