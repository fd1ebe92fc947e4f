"""A cache of each place's free times, a window (a week of the strip) at a time, right
across workers: an entry is used only while its place's version in the database
(place_version, kept by triggers on every slot and booking change: migration 0015) is
the one it was read at. Checking costs one indexed read of one row; a miss reads the
window as free_slot_rows() does. The process only remembers; the database decides."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from digihelse.booking.models import PlaceVersion
from digihelse.booking.offer_models import SlotHold, held_slot_ids
from digihelse.booking.store import free_slot_rows
from digihelse.booking.views import FreeSlot
from digihelse.core.timeutil import utcnow

MAX_ENTRIES = 2048  # windows kept in this process (a few kB each)

_Key = tuple[str, int, int | None, dt.datetime, dt.datetime]
_entries: OrderedDict[_Key, tuple[int, tuple[FreeSlot, ...]]] = OrderedDict()
_lock = threading.Lock()


_SEEN = "digihelse.booking.place_versions"  # Session.info: versions read in this transaction


def _version(s: Session, place_id: int) -> int:
    """Read once a transaction: a week strip that seeks asks for several weeks."""
    seen = s.info.setdefault(_SEEN, {})
    if place_id not in seen:
        found = s.exec(select(PlaceVersion.version)
                       .where(PlaceVersion.place_id == place_id)).first()
        seen[place_id] = found or 0
    return seen[place_id]


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_versions(session: OrmSession, _transaction: SessionTransaction) -> None:
    session.info.pop(_SEEN, None)


@event.listens_for(OrmSession, "after_flush")
def _forget_after_write(session: OrmSession, _context: object) -> None:
    session.info.pop(_SEEN, None)  # this transaction's own write may have bumped one


def free_in_window(s: Session, place_id: int, start: dt.datetime, end: dt.datetime,
                   earliest: dt.datetime, *, personnel_id: int | None = None,
                   now: dt.datetime | None = None) -> list[FreeSlot]:
    """free_slot_rows(s, place_id, earliest - 1 µs, end, personnel_id=...) for a window
    [start, end) with start <= earliest: the window's free slots from `earliest` on.
    Holds are not in the cache (they time out without a write): a slot somebody holds at
    `now` is filtered out after it, in the caller's transaction."""
    # The version first: a change committed after it makes the entry stale, never wrong.
    version = _version(s, place_id)
    engine = s.get_bind().engine
    key: _Key = (f"{id(engine.pool)}:{engine.url}", place_id, personnel_id, start, end)
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
    if found is None or found[0] != version:
        rows = tuple(free_slot_rows(s, place_id, start - dt.timedelta(microseconds=1), end,
                                    personnel_id=personnel_id, skip_held=False))
        found = (version, rows)
        with _lock:
            _entries[key] = found
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    window = [slot for slot in found[1] if slot.start_at >= earliest]
    if not window:
        return window
    held = set(s.exec(held_slot_ids(now or utcnow()).where(
        col(SlotHold.slot_id).in_([slot.slot_id for slot in window]))).all())
    return [slot for slot in window if slot.slot_id not in held]


def clear() -> None:
    """Forget every entry (tests)."""
    with _lock:
        _entries.clear()
