"""A cap on open websockets (tabs) per client address, so one address cannot fill the
server's memory with tabs; the excess is refused at connect with a message.

Counted in this process, or in Redis across workers when scaled out: there each socket is
a lease that its worker renews, so a crashed worker's sockets stop counting by themselves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any

import limits
from reflex.app import App, EventNamespace
from reflex_base import constants
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from digihelse.core.ratelimit import allowed, limiter_for
from digihelse.core.settings import Settings, get_settings

logger = logging.getLogger(__name__)


CONNECT_RATE_MESSAGE = ("For mange nye tilkoblinger fra samme adresse. Vent litt, så kobler "
                        "siden seg til igjen. / Too many new connections from one address: "
                        "wait a little and the page reconnects.")


def refusal_message(limit: int) -> str:
    # Reflex shows it as "Cannot connect to server: <message>." and retries every
    # couple of seconds, so the tab comes back by itself once another one closes.
    return (f"For mange åpne faner fra samme adresse (høyst {limit}). Lukk noen faner. "
            f"/ Too many open tabs from one address (at most {limit}): close some.")


class LocalSocketCount:
    """Open sockets per address in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, set[str]] = {}

    async def acquire(self, address: str, sid: str) -> bool:
        sids = self._open.setdefault(address, set())
        if len(sids) >= self.limit:
            return False
        sids.add(sid)
        return True

    def release(self, address: str, sid: str) -> None:
        """Stop counting a socket, at once in this process (Redis follows in a task)."""
        sids = self._open.get(address)
        if sids is not None:
            sids.discard(sid)
            if not sids:
                del self._open[address]

    def open_sockets(self, address: str) -> int:
        return len(self._open.get(address, ()))

    async def close(self) -> None:
        self._open.clear()


# KEYS[1]: the address's set of socket leases. ARGV: lease ms, limit, member.
# Scores are lease deadlines in Redis's own clock, so workers' clocks do not matter.
_ACQUIRE = """
local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""

# KEYS: address sets. ARGV[1]: lease ms, then for each key the member to renew.
_RENEW = """
local now = redis.call('TIME')
local deadline = now[1] * 1000 + math.floor(now[2] / 1000) + tonumber(ARGV[1])
for i = 1, #KEYS do
    redis.call('ZADD', KEYS[i], 'XX', deadline, ARGV[i + 1])
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return #KEYS
"""


class RedisSocketCount(LocalSocketCount):
    """Open sockets per address across every worker that shares the Redis server."""

    PREFIX = "digihelse:sockets:"

    def __init__(self, limit: int, redis: Any, lease_seconds: float = 60.0) -> None:
        super().__init__(limit)
        self.redis = redis
        self.lease_ms = int(lease_seconds * 1000)
        self._worker = uuid.uuid4().hex[:12]
        self._renewer: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    def _member(self, sid: str) -> str:
        return f"{self._worker}:{sid}"

    async def acquire(self, address: str, sid: str) -> bool:
        granted = await self.redis.eval(_ACQUIRE, 1, self.PREFIX + address, self.lease_ms,
                                        self.limit, self._member(sid))
        if not granted:
            return False
        await super().acquire(address, sid)  # this worker's own, to renew and release
        self._ensure_renewer()
        return True

    def release(self, address: str, sid: str) -> None:
        super().release(address, sid)
        task = asyncio.create_task(self._forget(address, sid))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _forget(self, address: str, sid: str) -> None:
        try:
            await self.redis.zrem(self.PREFIX + address, self._member(sid))
        except Exception:  # the lease lapses by itself
            logger.warning("Could not release a websocket's count in Redis", exc_info=True)

    def _ensure_renewer(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew_forever(),
                                                name="digihelse-socket-leases")

    async def _renew_forever(self) -> None:
        while self._open:
            await asyncio.sleep(self.lease_ms / 3000)
            pairs = [(self.PREFIX + address, self._member(sid))
                     for address, sids in list(self._open.items()) for sid in sids]
            for start in range(0, len(pairs), 500):
                chunk = pairs[start:start + 500]
                try:
                    await self.redis.eval(_RENEW, len(chunk), *(k for k, _ in chunk),
                                          self.lease_ms, *(m for _, m in chunk))
                except Exception:  # a missed renewal only shortens the leases
                    logger.warning("Could not renew websocket leases in Redis", exc_info=True)

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        await super().close()


class LimitedEventNamespace(EventNamespace):
    """Reflex's event namespace with the per-address cap in front of its connect."""

    # How often sockets that left without a disconnect event are looked for.
    SWEEP_SECONDS = 30.0

    def __init__(self, namespace: str, app: App, count: LocalSocketCount,
                 settings: Settings | None = None) -> None:
        super().__init__(namespace, app)
        self.count = count
        settings = settings or get_settings()
        # New connects per address per minute (DIGIHELSE_RATE_SOCKET_CONNECT): a tab
        # reconnects now and then, a loop that opens sockets does not get far.
        self.connect_rate = limits.parse(settings.rate_socket_connect)
        self.connects = limiter_for(settings)
        self._address_of: dict[str, str] = {}
        self._swept_at = time.monotonic()

    def client_address(self, sid: str, environ: dict) -> str:
        # Reflex's own reading of the address, so `trusted_proxy_hops` applies.
        return self._build_static_router_data(sid, environ)[constants.RouteVar.CLIENT_IP]

    def sweep_departed(self) -> int:
        """Stop counting sockets that are gone without a disconnect event: python-socketio
        sends none for a client that leaves while its connect is still running."""
        self._swept_at = time.monotonic()
        manager = getattr(self.server, "manager", None)
        if manager is None:
            return 0
        pending = set(manager.pending_connect.get(self.namespace, ()))
        gone = [sid for sid in self._address_of
                if sid not in pending and not manager.is_connected(sid, self.namespace)]
        for sid in gone:
            self._release(sid)
        return len(gone)

    async def on_connect(self, sid: str, environ: dict, auth: Any = None):
        if time.monotonic() - self._swept_at > self.SWEEP_SECONDS:
            self.sweep_departed()
        address = self.client_address(sid, environ)
        if not await asyncio.to_thread(allowed, self.connects, self.connect_rate,
                                       "socket-connect", address):
            logger.warning("Refused a websocket from %s: too many connects", address)
            raise SocketRefused(CONNECT_RATE_MESSAGE)
        if not await self.count.acquire(address, sid):
            logger.warning("Refused a websocket from %s: %d tabs open, the limit",
                           address, self.count.limit)
            raise SocketRefused(refusal_message(self.count.limit))
        self._address_of[sid] = address
        try:
            return await super().on_connect(sid, environ, auth)
        except BaseException:
            self._release(sid)  # a refused connect never reaches on_disconnect
            raise

    def _release(self, sid: str) -> None:
        address = self._address_of.pop(sid, None)
        if address is not None:
            self.count.release(address, sid)

    def on_disconnect(self, sid: str, reason: Any = None):
        self._release(sid)
        return super().on_disconnect(sid)


def socket_count(settings: Settings, redis: Any | None) -> LocalSocketCount:
    limit = settings.max_sockets_per_address
    return RedisSocketCount(limit, redis) if redis is not None else LocalSocketCount(limit)


def install_socket_limit(app: App, redis: Any | None = None,
                         settings: Settings | None = None) -> LimitedEventNamespace:
    """Put the limited namespace in place of the one `rx.App` registered."""
    settings = settings or get_settings()
    current = app.event_namespace
    if app.sio is None or current is None:
        raise RuntimeError("The app has no websocket to limit")
    limited = LimitedEventNamespace(current.namespace, app, socket_count(settings, redis),
                                    settings)
    app.sio.register_namespace(limited)  # replaces the handler for the same namespace
    app._event_namespace = limited
    return limited
