"""The broadcast channel over a real redis-server: a message published in one process
reaches the listeners of every follower, and a follower whose Redis restarts subscribes
again by itself (the hints that keep the nurse's day view live across workers)."""

from __future__ import annotations

import asyncio

import pytest

from digihelse.core import broadcast
from digihelse.core import settings as settings_module
from tests.redis_server import RedisServer


@pytest.fixture
def redis_url(monkeypatch):
    server = RedisServer().start()
    monkeypatch.setenv("REFLEX_REDIS_URL", server.url)
    monkeypatch.setattr(broadcast, "RECONNECT_SECONDS", 0.1)
    settings_module.get_settings.cache_clear()
    yield server
    server.stop()
    settings_module.get_settings.cache_clear()


async def _until(heard: list, count: int, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if len(heard) >= count:
            return
        await asyncio.sleep(0.05)


async def test_a_message_reaches_the_follower_and_again_after_redis_restarts(redis_url):
    heard: list[dict] = []

    async def listener(message):
        heard.append(message)

    broadcast.listen("test-redis", listener)
    try:
        async with broadcast.follow():
            await asyncio.sleep(0.3)  # subscribed
            broadcast.publish("test-redis", {"slots": [7]})
            await _until(heard, 1)
            assert heard == [{"slots": [7]}]
            redis_url.kill()
            broadcast.publish("test-redis", {"slots": [8]})  # lost, and no error
            redis_url.start()
            for _ in range(100):  # resubscribed: keep telling until one arrives
                broadcast.publish("test-redis", {"slots": [9]})
                await asyncio.sleep(0.1)
                if {"slots": [9]} in heard:
                    break
            assert {"slots": [9]} in heard
    finally:
        broadcast._listeners.pop("test-redis", None)
