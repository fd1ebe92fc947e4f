"""A browser tab without the browser: Reflex's websocket protocol, spoken from Python.

It does what the frontend's utils/state.js does: open Engine.IO 4 over a websocket at
`/_event/?EIO=4&transport=websocket&token=<tab token>` with the page's cookies, send the
hydrate event (`hydrate_and_load`, with the compiled state's hashes and schema) inside the
Socket.IO CONNECT packet, answer pings, apply every delta to a copy of the compiled initial
state, and for a client-side navigation send `on_load_internal` with the new router data.
Every message the server sends is counted in UTF-8 bytes, as it travels on the wire
(before any permessage-deflate compression)."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from simple_websocket import AioClient, ConnectionClosed

from e2e.reflex_ws import HYDRATE, ON_LOAD, ROOT_STATE, cookie_header, login

HYDRATED = "is_hydrated_rx_state_"


@dataclass(frozen=True)
class CompiledApp:
    """What a built frontend holds about the state: its defaults, hashes and schema."""

    initial_state: dict
    hashes: list[str]
    schema: str
    version: str

    @classmethod
    def read(cls, web_dir: Path) -> CompiledApp:
        values = {}
        for line in (web_dir / "utils" / "context.jsx").read_text().splitlines():
            for name in ("initialState", "initialStateHashes", "stateSchema"):
                prefix = f"export const {name} = "
                if line.startswith(prefix):
                    values[name] = json.loads(line.removeprefix(prefix).rstrip(";"))
        version = json.loads((web_dir / "reflex.json").read_text())["version"]
        return cls(values["initialState"], values["initialStateHashes"],
                   values["stateSchema"], version)


def json_bytes(value: object) -> int:
    """The size of a value as compact JSON in UTF-8, the way state travels."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _delta(message: str) -> dict | None:
    """The state delta in a Socket.IO EVENT packet ('42/_event,["event", {...}]')."""
    if not message.startswith("42"):
        return None
    name, update = json.loads(message[message.index("["):])
    return update.get("delta") if name == "event" else None


@dataclass
class Exchange:
    """What the server sent for one request of the tab (a hydrate or a navigation)."""

    messages: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(len(m.encode()) for m in self.messages)

    @property
    def deltas(self) -> list[dict]:
        return [delta for message in self.messages if (delta := _delta(message))]

    def sent_vars(self) -> set[str]:
        """Every var name the server sent, as `state.var`."""
        return {f"{state}.{var}" for delta in self.deltas for state, values in delta.items()
                for var in values}


class ReflexTab:
    """One tab: a token of its own, the session cookie of whoever logged in."""

    def __init__(self, base_url: str, app: CompiledApp, cookie: str = "",
                 token: str | None = None, namespace: str = "/_event") -> None:
        self.base_url = base_url.rstrip("/")
        self.app = app
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.namespace = namespace
        self.state = copy.deepcopy(app.initial_state)
        self._ws: AioClient | None = None

    async def open(self, path: str, timeout: float = 30) -> Exchange:
        """Connect and hydrate `path` as a first page load does; wait until its on_load
        chain has finished (the root state says `is_hydrated`)."""
        split = urlsplit(self.base_url)
        scheme = "wss" if split.scheme == "https" else "ws"
        url = f"{scheme}://{split.netloc}{self.namespace}/?EIO=4&transport=websocket" \
              f"&token={self.token}"
        headers = {"Origin": self.base_url}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self._ws = await AioClient.connect(url, subprotocols=[self.app.version],
                                           headers=headers)
        opened = await self._receive(timeout)
        if not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened[:80]}")
        auth = {"event": {"name": HYDRATE, "payload": {"hashes": self.app.hashes},
                          "router_data": {"pathname": path, "asPath": path}},
                "state_schema": self.app.schema}
        await self._ws.send(f"40{self.namespace},{json.dumps(auth)}")
        return await self._until_hydrated(timeout)

    async def navigate(self, path: str, timeout: float = 30) -> Exchange:
        """A client-side navigation: the router runs the new page's on_load events."""
        event = {"name": ON_LOAD, "router_data": {"pathname": path, "asPath": path}}
        await self._ws.send(f"42{self.namespace},{json.dumps(['event', event])}")
        return await self._until_hydrated(timeout)

    async def close(self) -> None:
        if self._ws is not None:
            try:
                await self._ws.send(f"41{self.namespace},")
                await self._ws.close()
            except ConnectionClosed:
                pass
            self._ws = None

    async def _receive(self, timeout: float) -> str:
        while True:
            message = await self._ws.receive(timeout=timeout)
            if message is None:
                raise TimeoutError("the server sent nothing in time")
            if isinstance(message, bytes):
                message = message.decode()
            if message == "2":  # Engine.IO ping
                await self._ws.send("3")
                continue
            return message

    async def _until_hydrated(self, timeout: float) -> Exchange:
        """Collect what the server sends until a delta says the page is hydrated: the
        hydrate (or navigation) unsets the flag, the page's on_load chain sets it last."""
        exchange = Exchange()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self._receive(max(deadline - loop.time(), 0.1))
            exchange.messages.append(message)
            if message.startswith("44"):
                raise ConnectionRefusedError(message)
            delta = _delta(message)
            if delta:
                self._apply(delta)
                if delta.get(ROOT_STATE, {}).get(HYDRATED) is True:
                    return exchange

    def _apply(self, delta: dict) -> None:
        for state, values in delta.items():
            self.state.setdefault(state, {}).update(values)

    def state_bytes(self) -> int:
        """The state this tab holds: compiled defaults with every delta applied."""
        return json_bytes(self.state)


def login_cookie(base_url: str, given_name: str, *, personnel: bool = False) -> str:
    """Log in through the embedded test provider over HTTP, as a browser would, and give
    the Cookie header the tab presents."""
    http = login(base_url, given_name, personnel=personnel)
    try:
        return cookie_header(http)
    finally:
        http.close()


def unchanged_vars(before: dict, exchange: Exchange) -> int:
    """How many vars the exchange sent with the value the tab already held (router data
    and the hydrated flag are Reflex's own bookkeeping and change on every navigation)."""
    held = {state: dict(values) for state, values in before.items()}
    count = 0
    for delta in exchange.deltas:
        for state, values in delta.items():
            for name, value in values.items():
                if name.startswith(("rx_router_", "is_hydrated")):
                    continue
                if held.get(state, {}).get(name, object()) == value:
                    count += 1
                held.setdefault(state, {})[name] = value
    return count
