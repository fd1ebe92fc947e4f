"""Which conversations a committed transaction changed (a message, a close, a hand-over),
told to every worker on the broadcast channel `messages`: ids only, never content, so
open conversation views and inboxes on any worker reload (as booking/slot_events.py)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from digihelse.core import broadcast
from digihelse.messages.models import Conversation

CHANNEL = "messages"
_KEY = "digihelse_changed_conversations"


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    changed: dict[int, int] = session.info.setdefault(_KEY, {})
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Conversation) and obj.id is not None:
            changed[obj.id] = obj.place_id


@event.listens_for(Session, "after_commit")
def _tell(session: Session) -> None:
    changed = session.info.pop(_KEY, None)
    if changed:
        broadcast.publish(CHANNEL, {"conversations": sorted(changed),
                                    "places": sorted(set(changed.values()))})


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
