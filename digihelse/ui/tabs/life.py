"""How long the server keeps a tab's state: minutes for a visitor, never past the session.

Plain Python (no Reflex): the rule, and a small cache of when each session ends, read
from the session table by the hash the tab holds."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from digihelse.auth.models import UserSession
from digihelse.core.db import session as db_session


@dataclass(frozen=True)
class TabLife:
    """The rule. Times are seconds; deadlines are epoch seconds (time.time())."""

    anonymous_seconds: float
    idle_seconds: float

    def ttl(self, *, signed_in: bool, session_deadline: float | None, now: float) -> float:
        """Seconds from now that a tab's state may stay after this event.

        A visitor's tab lives `anonymous_seconds`. A signed-in tab lives until its
        session would end if nothing more happened (the idle deadline, capped by the
        absolute one), and never longer than one idle period; a tab whose session has
        ended (`session_deadline` None) is given back at once."""
        if not signed_in:
            return self.anonymous_seconds
        if session_deadline is None:
            return 0.0
        return max(0.0, min(session_deadline - now, self.idle_seconds))


def _epoch(moment: dt.datetime) -> float:
    if moment.tzinfo is None:  # SQLite may hand back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def session_deadline(id_hash: str, *, idle_seconds: float, absolute_seconds: float,
                     engine: Engine | None = None) -> float | None:
    """When the session with this hash ends if unused from now on; None when it has ended."""
    with db_session(engine) as s:
        row = s.get(UserSession, id_hash)
        if row is None or row.ended_at is not None:
            return None
        return min(_epoch(row.last_seen) + idle_seconds,
                   _epoch(row.created_at) + absolute_seconds)


class SessionClock:
    """Session deadlines by hash, re-read at most every `max_age` seconds per session.

    A cached deadline can only be too early (each use of a session moves it later), so
    a tab timed by it never outlives its session; it may go a few seconds early."""

    def __init__(self, lookup: Callable[[str], float | None], *, max_age: float = 5.0,
                 clock: Callable[[], float] = time.time, size: int = 10_000) -> None:
        self._lookup = lookup
        self._max_age = max_age
        self._clock = clock
        self._size = size
        self._cache: dict[str, tuple[float, float | None]] = {}  # hash -> (read at, deadline)
        self._lock = threading.Lock()

    def cached(self, id_hash: str) -> tuple[bool, float | None]:
        """(fresh, deadline) from the cache; a missing entry is stale with deadline None."""
        entry = self._cache.get(id_hash)
        if entry is None:
            return False, None
        read_at, deadline = entry
        return self._clock() - read_at < self._max_age, deadline

    def refresh(self, id_hash: str) -> float | None:
        """Read the deadline now (blocking: call it from a thread)."""
        read_at = self._clock()
        deadline = self._lookup(id_hash)
        with self._lock:
            if len(self._cache) >= self._size:
                self._cache.clear()  # a crude bound; entries are cheap to re-read
            self._cache[id_hash] = (read_at, deadline)
        return deadline

    def forget(self, id_hash: str) -> None:
        self._cache.pop(id_hash, None)
