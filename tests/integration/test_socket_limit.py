"""Finding 4: one client address gets only so many websockets, counted in this process or,
scaled out, across every worker through Redis (a crashed worker's sockets stop counting)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from digihelse.ui.tabs.socket_limit import LocalSocketCount, RedisSocketCount, refusal_message
from tests.redis_server import RedisServer


async def test_this_process_counts_per_address():
    count = LocalSocketCount(limit=2)
    assert await count.acquire("10.0.0.1", "a") and await count.acquire("10.0.0.1", "b")
    assert not await count.acquire("10.0.0.1", "c")
    assert await count.acquire("10.0.0.2", "d")  # another address has its own share
    count.release("10.0.0.1", "a")
    assert await count.acquire("10.0.0.1", "c")
    count.release("10.0.0.1", "zzz")  # unknown sockets are ignored
    assert count.open_sockets("10.0.0.1") == 2


def test_the_refusal_says_what_to_do_in_both_languages():
    message = refusal_message(20)
    assert "høyst 20" in message and "Lukk noen faner" in message
    assert "Too many open tabs" in message


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = RedisServer().start()
    yield server.url
    server.stop()


async def _until(condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_workers_share_one_limit_and_a_crashed_workers_sockets_lapse(redis_url):
    redis = Redis.from_url(redis_url)
    first = RedisSocketCount(3, redis, lease_seconds=0.6)
    second = RedisSocketCount(3, redis, lease_seconds=0.6)
    assert await first.acquire("10.0.0.9", "a") and await first.acquire("10.0.0.9", "b")
    assert await second.acquire("10.0.0.9", "c")
    assert not await second.acquire("10.0.0.9", "d")  # 3 open across the two workers
    await asyncio.sleep(1.0)  # longer than a lease: the renewals keep them counted
    assert not await first.acquire("10.0.0.9", "d")
    second.release("10.0.0.9", "c")
    await _until(lambda: second.acquire("10.0.0.9", "d"))
    await first.close()  # the worker dies without releasing: its leases lapse
    await _until(lambda: second.acquire("10.0.0.9", "e"), timeout=5)
    await second.close()
    await redis.aclose()


@pytest.mark.parametrize(("hops", "expected"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_address_is_the_one_reflex_trusts_behind_proxies(monkeypatch, hops, expected):
    from reflex_base.config import get_config

    from digihelse.ui.tabs.socket_limit import LimitedEventNamespace

    monkeypatch.setattr(get_config(), "trusted_proxy_hops", hops)
    namespace = LimitedEventNamespace("/_event", None, LocalSocketCount(1))
    environ = {"asgi.scope": {"client": ("10.0.0.1", 5000), "headers": [
        (b"x-forwarded-for", b"198.51.100.7, 203.0.113.9")]}}  # the first one is spoofable
    assert namespace.client_address("sid", environ) == expected


async def test_a_socket_that_left_during_its_connect_stops_counting():
    import socketio

    from digihelse.ui.tabs.socket_limit import LimitedEventNamespace

    server = socketio.AsyncServer(async_mode="asgi")
    namespace = LimitedEventNamespace("/_event", None, LocalSocketCount(2))
    server.register_namespace(namespace)
    connected = await server.manager.connect("eio-1", "/_event")  # a live socket
    server.manager.pending_connect.pop("/_event", None)
    connecting = await server.manager.connect("eio-2", "/_event")  # still in its connect
    for sid in (connected, connecting, "left-mid-connect"):
        assert await namespace.count.acquire("10.0.0.1", sid) or sid == "left-mid-connect"
        namespace._address_of[sid] = "10.0.0.1"
    assert namespace.sweep_departed() == 1
    assert set(namespace._address_of) == {connected, connecting}


async def test_new_connects_past_the_rate_are_refused_with_a_message():
    from digihelse.core.settings import load_settings
    from digihelse.ui.tabs.socket_limit import CONNECT_RATE_MESSAGE, LimitedEventNamespace

    settings = load_settings({"DIGIHELSE_RATE_SOCKET_CONNECT": "2/minute"})
    namespace = LimitedEventNamespace("/_event", None, LocalSocketCount(10), settings)
    environ = {"asgi.scope": {"client": ("10.0.0.5", 5000), "headers": []}}
    refused = []
    for n in range(3):
        try:
            await namespace.on_connect(f"s{n}", environ)
        except SocketRefused as exc:
            refused.append(str(exc.args[0] if exc.args else exc))
        except Exception:  # noqa: S110  past the limit check: Reflex's own connect, no app here
            pass
    assert refused == [CONNECT_RATE_MESSAGE]
