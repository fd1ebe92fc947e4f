"""Which slots a committed transaction changed (a booking made, moved, cancelled or
marked; a slot blocked or opened), told to every worker on the broadcast channel
`slots`, so that open day views on any worker show it without a reload.

A slot that comes or goes also tells its day (Oslo date), so that a view of a day that
had no slots learns of the first one. It watches the ORM session, not the callers:
whichever path writes a booking (the pages, the FHIR API, the jobs) is covered, and only
what was committed is told."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from digihelse.booking.models import Booking, Slot
from digihelse.core import broadcast
from digihelse.core.timeutil import to_oslo

CHANNEL = "slots"
_KEY = "digihelse_changed_slots"
_DAYS = "digihelse_changed_days"


def _slot_ids(obj: object) -> set[int]:
    if isinstance(obj, Slot):
        return {obj.id} if obj.id is not None else set()
    if isinstance(obj, Booking):
        history = inspect(obj).attrs.slot_id.history  # a move: the old slot too
        return {i for i in (*history.added, *history.unchanged, *history.deleted,
                            obj.slot_id) if i is not None}
    return set()


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    changed: set[int] = session.info.setdefault(_KEY, set())
    days: set[str] = session.info.setdefault(_DAYS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Booking | Slot) and (obj in session.new or obj in session.deleted
                                                 or session.is_modified(obj)):
            changed |= _slot_ids(obj)
            if isinstance(obj, Slot) and obj.start_at is not None:
                days.add(to_oslo(obj.start_at).date().isoformat())


def tell(slots: set[int], days: set[str] = frozenset()) -> None:
    """Tell the slots and days (Oslo ISO dates) a committed change touched; also for writes
    that bypass the ORM session (the lean booking path)."""
    broadcast.publish(CHANNEL, {"slots": sorted(slots), "days": sorted(days)})


@event.listens_for(Session, "after_commit")
def _tell(session: Session) -> None:
    changed = session.info.pop(_KEY, None)
    days = session.info.pop(_DAYS, None)
    if changed or days:
        tell(changed or set(), days or set())


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outer transaction: nothing was written
        session.info.pop(_KEY, None)
        session.info.pop(_DAYS, None)
