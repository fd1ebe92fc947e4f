"""The OpenID provider's metadata (OIDC Discovery 1.0), checked against the configured
issuer, cached for a day, with the server-only endpoints pointed at an internal address
when the server reaches the provider by another way than the browser does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from digihelse.auth.outcome import LoginFailed
from digihelse.core.settings import is_loopback_url

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_MAX_AGE = 24 * 3600.0
HTTP_TIMEOUT = httpx.Timeout(10.0)  # every call we make to a provider

# Endpoints only the server calls; with fetch_base they move to the internal address.
# authorization_endpoint and end_session_endpoint are for the browser and stay published.
_SERVER_ENDPOINTS = (
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
    "pushed_authorization_request_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _rebase(url: str, issuer: str, fetch_base: str) -> str:
    """Point a published endpoint at the internal address the server can reach."""
    if url == issuer or url.startswith(issuer + "/"):
        return fetch_base + url[len(issuer):]
    if _origin(url) == _origin(issuer):
        return _origin(fetch_base) + url[len(_origin(url)):]
    return url  # hosted elsewhere: the internal address says nothing about it


def _secure_url(url: Any) -> bool:
    return isinstance(url, str) and (
        url.startswith("https://") or (url.startswith("http://") and is_loopback_url(url))
    )


async def fetch_discovery(
    http: httpx.AsyncClient, issuer: str, fetch_base: str | None = None
) -> dict[str, Any]:
    """The provider's metadata, checked against the configured issuer (OIDC Discovery 4.3)."""
    base = (fetch_base or issuer).rstrip("/")
    try:
        response = await http.get(
            base + DISCOVERY_PATH, headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise LoginFailed("discovery", f"cannot reach the provider: {exc}") from exc
    if response.status_code != 200:
        raise LoginFailed("discovery", f"discovery answered {response.status_code}")
    try:
        doc = response.json()
    except ValueError as exc:
        raise LoginFailed("discovery", "discovery is not JSON") from exc
    if not isinstance(doc, dict):
        raise LoginFailed("discovery", "discovery is not a JSON object")
    # Exact match, as published: anything else opens the door to mix-up attacks.
    if doc.get("issuer") != issuer:
        raise LoginFailed("discovery", f"discovery names issuer {doc.get('issuer')!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _secure_url(doc.get(name)):
            raise LoginFailed("discovery", f"{name} is missing or not https")
    if fetch_base:
        fetch_base = fetch_base.rstrip("/")
        doc = dict(doc)
        for name in _SERVER_ENDPOINTS:
            if isinstance(doc.get(name), str):
                doc[name] = _rebase(doc[name], issuer, fetch_base)
    return doc


class DiscoveryCache:
    """One provider's discovery document, fetched once and again after a day; a failed
    refresh keeps the old document."""

    def __init__(self, issuer: str, fetch_base: str | None,
                 now: Callable[[], float] = time.time) -> None:
        self._issuer = issuer
        self._fetch_base = fetch_base
        self._now = now
        self.document: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def ensure(self, http: httpx.AsyncClient) -> dict[str, Any]:
        async with self._lock:
            fresh = self._now() - self._fetched_at < DISCOVERY_MAX_AGE
            if self.document is not None and fresh:
                return self.document
            try:
                doc = await fetch_discovery(http, self._issuer, self._fetch_base)
            except LoginFailed:
                if self.document is None:
                    raise
                return self.document
            self.document, self._fetched_at = doc, self._now()
            return doc
