"""A Reflex websocket client that speaks the protocol the browser speaks: for tests and
benchmarks that act as a tab (or as an attacker holding only a tab token).

It connects socket.io at `/_event` with `?token=`, sends the boot event
(`hydrate_and_load`) in the CONNECT packet as the frontend does, sends events by their
full handler names, and collects every state update the server pushes back."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
SET_HYDRATED = f"{ROOT_STATE}.set_is_hydrated"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
NAMESPACE = "/_event"  # Reflex serves its socket.io namespace at the same path


def _is_probe_echo(update: dict[str, Any], value: bool) -> bool:
    root = (update.get("delta") or {}).get(ROOT_STATE) or {}
    if root.get("is_hydrated_rx_state_") is value:
        return True
    # A tab whose session ended answers every event by leaving for the ended page.
    return "session-ended" in json.dumps(update)


def router_data(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """What the browser puts in every event: where the tab is."""
    data: dict[str, Any] = {"pathname": path, "asPath": path}
    if query:
        data["query"] = dict(query)
        data["asPath"] = path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return data


@dataclass
class Tab:
    """One browser tab's socket: a token, optionally a Cookie header, and what came back."""

    base_url: str
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    cookie: str | None = None
    path: str = "/"
    query: dict[str, str] | None = None  # where the tab is, sent with every event
    updates: list[dict[str, Any]] = field(default_factory=list)
    received_bytes: int = 0
    refused: str | None = None
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    def _on_update(self, data: Any) -> None:
        update = json.loads(data) if isinstance(data, str) else data
        with self._lock:
            self.updates.append(update)
            self.received_bytes += len(json.dumps(update, separators=(",", ":")))
            self._last = time.monotonic()

    def connect(self, path: str = "/", *, hydrate: bool = True,
                query: dict[str, str] | None = None) -> Tab:
        """Open the socket; with `hydrate`, send the boot event as the browser does."""
        self.path, self.query = path, query
        headers = {"Cookie": self.cookie} if self.cookie else {}
        auth = {"event": {"name": HYDRATE, "payload": {},
                          "router_data": router_data(path, query)}} if hydrate else None
        try:
            self.sio.connect(f"{self.base_url}?token={self.token}",
                             headers=headers,  # websocket-client sends Origin itself
                             socketio_path=NAMESPACE, namespaces=[NAMESPACE],
                             transports=["websocket"], auth=auth, wait_timeout=10)
        except socketio.exceptions.ConnectionError as exc:
            self.refused = repr(exc)
            return self
        if hydrate:
            self.settle(after=0)
        return self

    def send(self, name: str, payload: dict[str, Any] | None = None,
             query: dict[str, str] | None = None, settle: float = 0.4) -> list[dict]:
        """Send one event by its full name; return the updates it brought."""
        with self._lock:
            start = len(self.updates)
        self.sio.emit("event", {"name": name, "payload": payload or {},
                                "router_data": router_data(
                                    self.path, self.query if query is None else query)},
                      namespace=NAMESPACE)
        self.settle(settle, after=start)
        with self._lock:
            return self.updates[start:]

    def call(self, name: str, payload: dict[str, Any] | None = None,
             timeout: float = 10.0) -> list[dict]:
        """Send one event and wait exactly until the server has handled it: a probe event
        that always answers (it flips `is_hydrated`) follows it on the same queue."""
        with self._lock:
            start = len(self.updates)
        flipped = not self._hydrated()
        route = router_data(self.path, self.query)
        self.sio.emit("event", {"name": name, "payload": payload or {}, "router_data": route},
                      namespace=NAMESPACE)
        self.sio.emit("event", {"name": SET_HYDRATED, "payload": {"value": flipped},
                                "router_data": route}, namespace=NAMESPACE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                answer = self.updates[start:]
            if any(_is_probe_echo(update, flipped) for update in answer):
                return answer
            time.sleep(0.005)
        raise TimeoutError(f"no answer to {name} within {timeout} s")

    def _hydrated(self) -> bool:
        value = False
        with self._lock:
            for update in self.updates:
                root = (update.get("delta") or {}).get(ROOT_STATE) or {}
                if "is_hydrated_rx_state_" in root:
                    value = root["is_hydrated_rx_state_"]
        return value

    def navigate(self, path: str, query: dict[str, str] | None = None) -> list[dict]:
        """A client-side navigation: the page's on_load chain, no new socket."""
        self.path, self.query = path, query
        return self.send(ON_LOAD)

    def settle(self, quiet: float = 0.4, timeout: float = 15.0, *, after: int | None = None,
               first: float = 3.0) -> None:
        """Wait for the server's answer: until `first` seconds pass with nothing new after
        update number `after`, or until it has been quiet for `quiet` seconds since."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            with self._lock:
                got = after is None or len(self.updates) > after
                idle = time.monotonic() - max(self._last, start)
            if (got and idle >= quiet) or (not got and idle >= first):
                return
            time.sleep(0.02)

    def text(self) -> str:
        """Everything the server sent this tab, as one string to search."""
        with self._lock:
            return json.dumps(self.updates, ensure_ascii=False)

    def frontend_events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [event for update in self.updates for event in update.get("events", [])]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    def __enter__(self) -> Tab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def login(base_url: str, given_name: str, *, personnel: bool = False,
          next_path: str = "/hjem") -> httpx.Client:
    """An httpx client holding a demo person's session cookie, after the hops a browser
    takes: /auth/login -> the provider's form -> its post -> our callback."""
    import re
    from urllib.parse import urlsplit

    client = httpx.Client(base_url=base_url, timeout=60)
    issuer = "/helseid" if personnel else "/idp"
    users = client.get(f"{issuer}/testusers").json()
    pid = next(u["pid"] for u in users if u["name"].split()[0] == given_name)
    start = "/auth/personnel/login" if personnel else "/auth/login"
    to_provider = client.get(f"{start}?next={next_path}")
    assert to_provider.status_code == 303, to_provider.text
    form = client.get(to_provider.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', form.text).group(1)
    fields = {"request": request_id, "pid": pid}
    fields.update({"pick": pid} if personnel else {"acr": "idporten-loa-substantial"})
    to_callback = client.post(urlsplit(to_provider.headers["location"]).path, data=fields)
    assert to_callback.status_code in (302, 303), to_callback.text
    done = client.get(to_callback.headers["location"])
    assert done.status_code == 303, done.text
    return client


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def latest_var(tab: Tab, state_name: str, var: str) -> Any:
    """The last value the server sent for `var` of the state whose name ends with
    `state_name` (e.g. "nurse_day_state"), or None."""
    found = None
    with tab._lock:
        for update in tab.updates:
            for name, values in (update.get("delta") or {}).items():
                if name.endswith(state_name):
                    for key, value in values.items():
                        if key == var or key.startswith(var + "_rx_"):
                            found = value
    return found
