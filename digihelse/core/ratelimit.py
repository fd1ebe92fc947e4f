"""The counters behind every rate limit (logins, FHIR, websockets, bookings): in Redis
when the app is scaled out, so every worker counts the same, in this process otherwise.
A limit the counter cannot be reached for lets the request through: an outage of Redis
must not lock everyone out."""

from __future__ import annotations

import functools
import logging
import math
import time

import limits
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from digihelse.core.settings import Settings, get_settings

log = logging.getLogger(__name__)


def limiter_for(settings: Settings) -> MovingWindowRateLimiter:
    """One moving-window limiter on the storage the settings name. Short timeouts and
    wrapped errors, so that with Redis down a caller can let the request through."""
    if settings.redis_url:
        # Import it here, fully: limits reads redis.__version__ from sys.modules without
        # importing when it is there, and the broadcast sender's thread may be importing
        # it right now (a half-made module there has no __version__ yet).
        import redis  # noqa: F401
    storage = (RedisStorage(settings.redis_url, wrap_exceptions=True, socket_timeout=0.5,
                            socket_connect_timeout=0.5)
               if settings.redis_url else MemoryStorage())
    return MovingWindowRateLimiter(storage)


@functools.cache
def _shared(redis_url: str | None) -> MovingWindowRateLimiter:
    return limiter_for(get_settings())


def shared_limiter() -> MovingWindowRateLimiter:
    """The limiter of this process for the configured storage (one connection pool)."""
    return _shared(get_settings().redis_url)


def allowed(limiter: MovingWindowRateLimiter, item: limits.RateLimitItem, kind: str,
            who: str) -> bool:
    """Count one hit; True when within the limit, or when the counter is unreachable."""
    try:
        return limiter.hit(item, kind, who)
    except StorageError as exc:
        log.warning("rate limits unavailable (%s): letting %s through", exc, kind)
        return True


def seconds_until_allowed(limiter: MovingWindowRateLimiter, item: limits.RateLimitItem,
                          kind: str, who: str) -> int:
    """For Retry-After: whole seconds until the window lets one more through (at least 1)."""
    try:
        reset, _remaining = limiter.get_window_stats(item, kind, who)
    except StorageError:
        reset = time.time() + 1
    return max(1, math.ceil(reset - time.time()))
