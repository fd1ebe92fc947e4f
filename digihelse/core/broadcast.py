"""Small messages to every worker of the deployment: Redis pub/sub when scaled out
(REFLEX_REDIS_URL), within the process otherwise. A message says only that something
changed (ids, never personal data); whoever listens reads the database again.

Publishing never fails the caller: a message that cannot be sent is logged and lost, so
listeners must treat messages as hints (the nurse's day view still reloads on every
visit)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from digihelse.core.settings import get_settings

log = logging.getLogger(__name__)
PREFIX = "digihelse:broadcast:"
RECONNECT_SECONDS = 1.0

Listener = Callable[[dict[str, Any]], Awaitable[None]]
_listeners: dict[str, list[Listener]] = {}
_loop: asyncio.AbstractEventLoop | None = None  # where listeners run (the worker's loop)


def listen(channel: str, listener: Listener) -> None:
    """Call `listener` (a coroutine function, on the worker's event loop) for every
    message on `channel`, from this worker or any other, while `follow()` runs."""
    _listeners.setdefault(channel, []).append(listener)


def _deliver(channel: str, message: dict[str, Any]) -> None:
    for listener in _listeners.get(channel, []):
        task = asyncio.ensure_future(listener(message))
        task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a broadcast listener failed", exc_info=task.exception())


def publish(channel: str, message: dict[str, Any]) -> None:
    """Send `message` to every worker's listeners of `channel`; callable from any thread,
    and it never waits for Redis (a sender thread does)."""
    if get_settings().redis_url:
        try:
            _sender().put_nowait((channel, message))
        except queue.Full:  # Redis has been away a long while: drop the hint
            log.warning("broadcast on %s dropped: the send queue is full", channel)
    elif _loop is not None and not _loop.is_closed():
        _loop.call_soon_threadsafe(_deliver, channel, message)


_outgoing: queue.Queue | None = None
_outgoing_pid = 0
_outgoing_guard = threading.Lock()


def _sender() -> queue.Queue:
    """The queue of this process's sender thread (started on first use, again after a
    fork: a forked worker has the queue but not the thread)."""
    global _outgoing, _outgoing_pid
    with _outgoing_guard:
        if _outgoing is None or _outgoing_pid != os.getpid():
            _outgoing, _outgoing_pid = queue.Queue(maxsize=10_000), os.getpid()
            threading.Thread(target=_send_forever, args=(_outgoing,), daemon=True,
                             name="digihelse-broadcast-sender").start()
        return _outgoing


def _send_forever(outgoing: queue.Queue) -> None:
    import redis

    client = redis.Redis.from_url(get_settings().redis_url, socket_timeout=2,
                                  socket_connect_timeout=2)
    while True:
        channel, message = outgoing.get()
        try:
            client.publish(PREFIX + channel, json.dumps(message, separators=(",", ":")))
        except Exception as exc:  # a hint lost, never a failed booking
            log.warning("broadcast on %s not sent: %s", channel, type(exc).__name__)


async def _subscribe(redis_url: str) -> None:
    """Deliver the messages of every channel with listeners; reconnect when Redis goes
    away (a restart), for as long as the worker runs."""
    import redis.asyncio as aioredis

    while True:
        client = aioredis.Redis.from_url(redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(*(PREFIX + name for name in _listeners))
                async for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    channel = item["channel"].decode().removeprefix(PREFIX)
                    with contextlib.suppress(ValueError):
                        _deliver(channel, json.loads(item["data"]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("broadcast subscription lost (%s); reconnecting", type(exc).__name__)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()
        await asyncio.sleep(RECONNECT_SECONDS)


@contextlib.asynccontextmanager
async def follow() -> AsyncIterator[None]:
    """Lifespan: deliver messages to this worker's listeners while the app runs."""
    global _loop
    _loop = asyncio.get_running_loop()
    redis_url = get_settings().redis_url
    task = asyncio.create_task(_subscribe(redis_url), name="digihelse-broadcast") \
        if redis_url and _listeners else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        _loop = None
