"""The nurse's open day view follows changes to its slots on any worker: a booking made
on worker A (page or FHIR API) reaches worker B over the broadcast channel
(booking/slot_events.py), and B asks each of its tabs that shows one of those slots to
refresh. The ask is a plain event the tab sends back (NurseDayState.live_refresh), so the
refresh passes the session guard like any other event: nothing is read for a tab whose
session ended, and no personal data travels in the broadcast.

Each worker keeps, in memory, which of its own tabs show which slots and which day (set on
every load; the day, so that a day shown empty learns of its first slot); a tab that went
away is dropped when it no longer has a socket here."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from reflex.state import StateUpdate
from reflex_base.event import Event

from digihelse.booking import slot_events
from digihelse.core import broadcast

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.25  # a burst of bookings becomes one refresh per tab

_watching: dict[str, frozenset[int]] = {}  # tab token -> the slot ids on its screen
_watching_day: dict[str, str] = {}  # tab token -> the day it shows (ISO, Oslo)
_pending: set[str] = set()


def watch(token: str, slot_ids: set[int] | frozenset[int], day: str = "") -> None:
    """This worker's tab `token` shows these slots of this day now (replaces what it
    showed)."""
    unwatch(token)
    if slot_ids:
        _watching[token] = frozenset(slot_ids)
    if day:
        _watching_day[token] = day


def unwatch(token: str) -> None:
    _watching.pop(token, None)
    _watching_day.pop(token, None)


def watchers(slot_ids: set[int], days: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The tabs that show one of these slots, or one of these days."""
    tokens = {token for token, shown in _watching.items() if shown & slot_ids}
    tokens |= {token for token, day in _watching_day.items() if day in days}
    return sorted(tokens)


def _connected_here(app, token: str) -> bool:
    manager = getattr(app.event_namespace, "_token_manager", None)
    record = manager.token_to_socket.get(token) if manager is not None else None
    return record is not None and record.instance_id == manager.instance_id


async def _ask_refresh(token: str) -> None:
    from digihelse.ui.app import app  # the running app, for its sockets
    from digihelse.ui.state.nurse import NurseDayState

    await asyncio.sleep(COALESCE_SECONDS)
    _pending.discard(token)
    if not _connected_here(app, token):
        unwatch(token)
        return
    update = StateUpdate(events=Event.from_event_type([NurseDayState.live_refresh]))
    await app.event_namespace.emit_update(update, token)


async def on_slots_changed(message: dict[str, Any]) -> None:
    changed = {int(i) for i in message.get("slots", [])}
    days = {str(d) for d in message.get("days", [])}
    for token in watchers(changed, days):
        if token not in _pending:
            _pending.add(token)
            task = asyncio.ensure_future(_ask_refresh(token))
            task.add_done_callback(lambda t: t.cancelled() or t.exception() is None
                                   or log.error("live refresh failed", exc_info=t.exception()))


broadcast.listen(slot_events.CHANNEL, on_slots_changed)
