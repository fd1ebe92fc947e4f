"""What every endpoint of one provider shares: its configuration, clock, registered
clients, the database store of its flow state, and the public paths the browser sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from digihelse.core.timeutil import OSLO
from digihelse_dev.providers.config import ClientRegistration, ProviderConfig, TestUser
from digihelse_dev.providers.flowstore import FlowStore


class ProviderContext:
    """One provider's shared parts. Memory holds only configuration; the flow state is in
    `store` (the database), so several processes may serve one provider."""

    def __init__(self, config: ProviderConfig, clock: Callable[[], float],
                 engine: Engine | None) -> None:
        self.config = config
        self.clock = clock
        self.clients: dict[str, ClientRegistration] = {
            client.client_id: client for client in config.clients}
        self.store = FlowStore(config.issuer, engine)
        self.cookie_name = f"testidp_{config.kind}_session"
        # The path the browser sees (the issuer's), which differs from mount_path when a
        # proxy adds a prefix; the form action and the cookie must use it.
        self.public_path = urlsplit(config.issuer).path.rstrip("/")

    @property
    def issuer(self) -> str:
        return self.config.issuer

    def endpoint(self, name: str) -> str:
        """The public URL of an endpoint: authorize, token, userinfo, jwks, endsession."""
        return f"{self.issuer}/{name}"

    def now(self) -> float:
        return self.clock()

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.now(), OSLO).date()

    def users(self) -> list[TestUser]:
        return list(self.config.list_users())

    def known_users(self) -> dict[str, TestUser]:
        return {user.pid: user for user in self.config.list_users()}
