"""One embedded OpenID provider: its parts put together and mounted as Starlette routes
(discovery, JWKS, authorize, PAR, token, userinfo, end session, the test users)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from digihelse.auth.runtime import with_worker_header
from digihelse_dev.providers.authorize import AuthorizationEndpoint
from digihelse_dev.providers.client_auth import ClientAuthenticator
from digihelse_dev.providers.config import ProviderConfig, ProviderKind, TestUser
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.discovery import discovery_document
from digihelse_dev.providers.end_session import EndSessionEndpoint
from digihelse_dev.providers.login import LoginPage
from digihelse_dev.providers.signing import SigningKeys
from digihelse_dev.providers.tokens import TokenEndpoint
from digihelse_dev.providers.userinfo import UserInfoEndpoint


class TestProvider:
    """One embedded OpenID provider; build it from a ProviderConfig and add routes()
    to a Starlette app. `clock` returns epoch seconds; tests pass their own. The state
    lives in `engine`'s database (the app's when None), so several processes may serve
    one provider; memory holds only what it read there (parsed keys, the salt)."""

    __test__ = False  # not a pytest test class

    def __init__(self, config: ProviderConfig, *, clock: Callable[[], float] = time.time,
                 engine: Engine | None = None) -> None:
        self.config = config
        self._ctx = ctx = ProviderContext(config, clock, engine)
        self._keys = SigningKeys(ctx)
        clients = ClientAuthenticator(ctx)
        self._authorization = AuthorizationEndpoint(ctx, clients, LoginPage(ctx))
        self._tokens = TokenEndpoint(ctx, clients, self._keys)
        self._userinfo = UserInfoEndpoint(ctx, self._keys)
        self._end_session = EndSessionEndpoint(ctx, self._keys)
        self.cookie_name = ctx.cookie_name

    @property
    def issuer(self) -> str:
        return self.config.issuer

    @property
    def kind(self) -> ProviderKind:
        return self.config.kind

    def endpoint(self, name: str) -> str:
        """The public URL of an endpoint: authorize, token, userinfo, jwks, endsession."""
        return self._ctx.endpoint(name)

    def now(self) -> float:
        """The provider's clock, in epoch seconds."""
        return self._ctx.now()

    def routes(self) -> list[BaseRoute]:
        """The provider's endpoints under its mount path, for the app's Starlette routes."""
        mount = self.config.mount_path
        named = self._named_worker
        return [
            Route(f"{mount}/.well-known/openid-configuration", named(self._discovery),
                  methods=["GET"]),
            Route(f"{mount}/jwks", named(self._jwks), methods=["GET"]),
            Route(f"{mount}/authorize", named(self._authorization.authorize),
                  methods=["GET", "POST"]),
            Route(f"{mount}/par", named(self._authorization.pushed_request), methods=["POST"]),
            Route(f"{mount}/token", named(self._tokens.token), methods=["POST"]),
            Route(f"{mount}/userinfo", named(self._userinfo.userinfo), methods=["GET", "POST"]),
            Route(f"{mount}/endsession", named(self._end_session.end_session),
                  methods=["GET", "POST"]),
            Route(f"{mount}/testusers", named(self._testusers), methods=["GET"]),
        ]

    def _named_worker(self, endpoint: Callable[[Request], Any]) -> Callable[[Request], Any]:
        return with_worker_header(endpoint, self.config.worker_header)

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The published keys: the active one first, then the next (rotation) key."""
        return self._keys.public_jwks()

    @property
    def active_kid(self) -> str:
        return self._keys.active_kid

    def rotate_keys(self) -> None:
        """Make the next key active and publish a new next key (every worker sees it)."""
        self._keys.rotate()

    def discovery_document(self) -> dict[str, Any]:
        return discovery_document(self._ctx)

    def users(self) -> list[TestUser]:
        return self._ctx.users()

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(self.discovery_document())

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(self.public_jwks())

    async def _testusers(self, request: Request) -> Response:
        personnel = self.config.kind == "personnel"
        return JSONResponse([user.as_json(personnel=personnel) for user in self.users()])
