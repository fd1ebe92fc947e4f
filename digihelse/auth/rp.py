"""OpenID Connect relying party: one configured provider and our client registration with
it. The steps live by concept: discovery (discovery.py), our client authentication
(client_auth.py), the login start with PKCE and PAR (login_start.py), the callback and
token validation (callback.py), the attempts in the database (attempts.py), logout
(logout.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from digihelse.auth import callback, login_start, logout
from digihelse.auth.client_auth import ClientKey, authenticated_request
from digihelse.auth.discovery import HTTP_TIMEOUT, DiscoveryCache
from digihelse.auth.jwks import JwksCache
from digihelse.auth.outcome import LoginResult
from digihelse.auth.tokens import MAX_CLOCK_SKEW
from digihelse.core.settings import OidcClientSettings


class RelyingParty:
    """One configured OpenID provider and our client registration with it."""

    def __init__(
        self,
        name: str,
        oidc: OidcClientSettings,
        redirect_uri: str,
        engine: Engine | None,
        http: httpx.AsyncClient,
        fetch_base: str | None = None,
        clock_skew: int = 60,
        jwks_refetch_limit: int = 3,
        attempt_seconds: int = 600,
        pid_claim: str = "pid",
        *,
        now: Callable[[], float] = time.time,
        jwks_refetch_window: float = 60.0,
        client_key_pem: Callable[[], str] | None = None,
    ) -> None:
        self.name = name
        self.oidc = oidc
        self.redirect_uri = redirect_uri
        self.engine = engine
        self.http = http
        self.fetch_base = fetch_base.rstrip("/") if fetch_base else None
        self.clock_skew = min(max(clock_skew, 0), MAX_CLOCK_SKEW)
        self.attempt_seconds = attempt_seconds
        self.pid_claim = pid_claim
        self.now = now
        # Parse a configured key now so a broken key stops the app at start, not at first
        # login. A key made here for the embedded provider (client_key_pem) lives in the
        # database, the same for every worker, and is read at first use.
        self._client_key = ClientKey.load(oidc.private_key_pem) if oidc.private_key_pem else None
        self._client_key_pem = None if oidc.private_key_pem else client_key_pem
        self.jwks = JwksCache(
            self._fetch_jwks,
            refetch_limit=jwks_refetch_limit,
            refetch_window=jwks_refetch_window,
            now=now,
        )
        self._discovery = DiscoveryCache(oidc.issuer, self.fetch_base, now)

    @property
    def client_key(self) -> ClientKey | None:
        """Our private_key_jwt key, or None when we authenticate otherwise."""
        if self._client_key is None and self._client_key_pem is not None:
            self._client_key = ClientKey.load(self._client_key_pem())
        return self._client_key

    def authenticated(self, data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """Form and headers for a back-channel request, with our client authentication."""
        return authenticated_request(self.oidc, self.client_key, data, self.now())

    # -- provider metadata -------------------------------------------------------------

    @property
    def discovery(self) -> dict[str, Any] | None:
        """The cached discovery document (server endpoints rebased), or None."""
        return self._discovery.document

    async def ensure_discovery(self) -> dict[str, Any]:
        """Fetch discovery once, then again after a day (keeping the old one on failure)."""
        return await self._discovery.ensure(self.http)

    async def _fetch_jwks(self) -> dict:
        doc = await self.ensure_discovery()
        response = await self.http.get(
            doc["jwks_uri"], headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    # -- the flow ------------------------------------------------------------------------

    async def start_login(self, next_path: str, locale: str = "nb") -> str:
        """Record a login attempt and return the provider's authorization URL."""
        return await login_start.start_login(self, next_path, locale)

    async def start_bound_login(self, next_path: str, locale: str = "nb") -> tuple[str, str]:
        """The authorization URL and the state that names the browser's binding cookie."""
        return await login_start.start_bound_login(self, next_path, locale)

    async def finish_login(self, params: Mapping[str, str]) -> LoginResult:
        """Handle the callback: check state, iss and code, redeem the code, validate."""
        return await callback.finish_login(self, params)

    async def fetch_userinfo(
        self, access_token: str, expected_sub: str | None = None
    ) -> dict[str, Any]:
        """The UserInfo response (JSON form); its sub must match the ID token's."""
        return await callback.fetch_userinfo(self, access_token, expected_sub)

    def end_session_url(
        self,
        id_token_hint: str | None,
        post_logout_redirect_uri: str,
        state: str | None = None,
    ) -> str | None:
        """RP-initiated logout URL, or None when the provider has no end_session_endpoint.
        Call after ensure_discovery()."""
        return logout.end_session_url(self.discovery, self.oidc.client_id, id_token_hint,
                                      post_logout_redirect_uri, state)
