"""How often one person may ask to book, move or cancel: a cap on a script (or a
stuck button) that would churn times and send the place's SMS over and over. Counted
per person who asks (a parent for all her children together), on every worker alike;
personnel are not capped, since they book for many."""

from __future__ import annotations

import functools
import hashlib

import limits

from digihelse.access.actors import Actor
from digihelse.booking.errors import TooManyRequests
from digihelse.core.ratelimit import allowed, seconds_until_allowed, shared_limiter
from digihelse.core.settings import BookingSettings

KIND = "booking"


def count_request(actor: Actor, settings: BookingSettings) -> None:
    """Count one booking request of this person; TooManyRequests past the limit."""
    if actor.is_personnel or not settings.rate_per_person:
        return
    limiter = shared_limiter()
    # The counter's key names nobody: a hash of the national id number.
    who = hashlib.sha256(f"booking:{actor.pid}".encode()).hexdigest()[:32]
    for item in _limits(settings.rate_per_person):
        if not allowed(limiter, item, KIND, who):
            raise TooManyRequests(seconds_until_allowed(limiter, item, KIND, who))


@functools.cache
def _limits(text: str) -> tuple[limits.RateLimitItem, ...]:
    """The setting's limits, parsed once (every booking request asks)."""
    return tuple(limits.parse_many(text))
