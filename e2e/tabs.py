"""A tab as the server sees it, without a browser: Reflex's socket.io protocol over one
plain websocket (Engine.IO 4), so a test can open hundreds of them from one thread.
The protocol's names are e2e/reflex_ws.py's, whose Tab is the full-featured client."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit

import websocket  # websocket-client, from python-socketio[client]

from e2e.reflex_ws import HYDRATE, NAMESPACE, ROOT_STATE, router_data

__all__ = ["ROOT_STATE", "Refused", "Tab"]


class Refused(ConnectionError):
    """The server refused the socket.io connect; the message is the server's."""


class Tab:
    def __init__(self, base_url: str, *, token: str | None = None, cookie: str | None = None,
                 path: str = "/") -> None:
        parts = urlsplit(base_url)
        self.ws_url = f"ws://{parts.netloc}{NAMESPACE}/?EIO=4&transport=websocket"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.token = token or str(uuid.uuid4())
        self.cookie = cookie
        self.path = path
        self.deltas: list[dict] = []
        self._ws: websocket.WebSocket | None = None

    def router_data(self) -> dict:
        return router_data(self.path)

    def connect(self, *, hydrate: bool = True, timeout: float = 20) -> Tab:
        """Open the socket and connect the namespace, the hydrate event riding along as
        the browser sends it; raises Refused with the server's message."""
        headers = [f"Cookie: {self.cookie}"] if self.cookie else []
        self._ws = websocket.create_connection(f"{self.ws_url}&token={self.token}",
                                               timeout=timeout, header=headers,
                                               origin=self.origin)
        opening = self._ws.recv()
        if not opening.startswith("0"):
            raise ConnectionError(f"unexpected Engine.IO opening {opening[:80]!r}")
        auth = {"event": {"name": HYDRATE, "payload": {}, "router_data": self.router_data()}} \
            if hydrate else {}
        self._ws.send(f"40{NAMESPACE},{json.dumps(auth)}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            packet = self._recv()
            if packet.startswith(f"40{NAMESPACE},"):
                break
            if packet.startswith(f"44{NAMESPACE},"):
                self.close()
                raise Refused(json.loads(packet.split(",", 1)[1]).get("message", ""))
        else:
            raise TimeoutError("the namespace did not connect")
        if hydrate:
            self.wait_for_delta(timeout=timeout)
        return self

    def _recv(self) -> str:
        assert self._ws is not None
        while True:
            packet = self._ws.recv()
            if packet == "2":  # Engine.IO ping
                self._ws.send("3")
                continue
            if packet.startswith(f"42{NAMESPACE},"):
                name, *args = json.loads(packet.split(",", 1)[1])
                if name == "event" and args:
                    self.deltas.append(args[0])
            return packet

    def wait_for_delta(self, timeout: float = 20) -> dict:
        """The next state update the server sends this tab."""
        seen = len(self.deltas)
        deadline = time.monotonic() + timeout
        while len(self.deltas) == seen:
            if time.monotonic() > deadline:
                raise TimeoutError("no state update from the server")
            self._recv()
        return self.deltas[seen]

    def send_event(self, name: str, payload: dict | None = None) -> None:
        assert self._ws is not None
        event = {"name": name, "payload": payload or {}, "router_data": self.router_data()}
        self._ws.send(f"42{NAMESPACE},{json.dumps(['event', event])}")

    def close(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close()
            finally:
                self._ws = None
