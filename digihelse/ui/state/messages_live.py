"""Open conversations and inboxes follow new messages on any worker: the message service's
commits are told on the broadcast channel `messages` (messages/events.py, ids only), and
this worker asks each of its tabs that shows one of those conversations, or the inbox of
one of those places, to reload. The ask is a plain event the tab sends back, so the
reload passes the session guard like any other event (as ui/state/live_day.py does)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from reflex.state import StateUpdate
from reflex_base.event import Event

from digihelse.core import broadcast
from digihelse.messages import events
from digihelse.ui.state.live_day import _connected_here

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.2

# tab token -> (what it shows: "c" a conversation, "p" a place's inbox; the id; the event)
_watching: dict[str, tuple[str, int, Any]] = {}
_pending: set[str] = set()


def watch(token: str, kind: str, ident: int, handler: Any) -> None:
    _watching[token] = (kind, ident, handler)


def unwatch(token: str) -> None:
    _watching.pop(token, None)


def watchers(conversations: set[int], places: set[int]) -> list[tuple[str, Any]]:
    return [(token, handler) for token, (kind, ident, handler) in _watching.items()
            if (kind == "c" and ident in conversations) or (kind == "p" and ident in places)]


async def _ask_refresh(token: str, handler: Any) -> None:
    from digihelse.ui.app import app

    await asyncio.sleep(COALESCE_SECONDS)
    _pending.discard(token)
    if not _connected_here(app, token):
        unwatch(token)
        return
    update = StateUpdate(events=Event.from_event_type([handler]))
    await app.event_namespace.emit_update(update, token)


async def on_messages(message: dict[str, Any]) -> None:
    conversations = {int(i) for i in message.get("conversations", [])}
    places = {int(i) for i in message.get("places", [])}
    for token, handler in watchers(conversations, places):
        if token not in _pending:
            _pending.add(token)
            task = asyncio.ensure_future(_ask_refresh(token, handler))
            task.add_done_callback(lambda t: t.cancelled() or t.exception() is None
                                   or log.error("live message refresh failed",
                                                exc_info=t.exception()))


broadcast.listen(events.CHANNEL, on_messages)
