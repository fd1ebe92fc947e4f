"""What her nurse (or midwife) changed: the bookings of hers that the nurse moved or
cancelled and that she has not yet seen, for the notice on her home page, and marking one
seen. Only the person herself: a parent acting for a child never gets these (the youth
service is the pupil's own), and "seen" is stored on the booking, not in a browser tab."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from digihelse.access.actors import Actor
from digihelse.booking.errors import BookingNotFound
from digihelse.booking.models import Booking, BookingStatus, CancelledBy, Slot
from digihelse.booking.views import BookingChange
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import aware_utc
from digihelse.people.registry import person_by_pid


def _herself(actor: Actor) -> bool:
    return not actor.is_personnel and actor.on_behalf_of_pid in (None, actor.pid)


def unseen_changes(s_or_engine: SessionOrEngine, actor: Actor) -> list[BookingChange]:
    """Her bookings the nurse moved or cancelled that she has not marked seen, newest
    change first. Empty for anyone acting for somebody else, and for personnel."""
    if not _herself(actor):
        return []
    with transaction(s_or_engine) as s:
        me = person_by_pid(s, actor.pid)
        if me is None:
            return []
        rows = s.exec(select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id).where(
            Booking.person_id == me.id, Booking.status == BookingStatus.CANCELLED,
            Booking.cancelled_by == CancelledBy.NURSE, col(Booking.change_seen_at).is_(None),
        ).order_by(col(Booking.cancelled_at).desc(), col(Booking.id).desc())).all()
        if not rows:
            return []
        ids = [booking.id for booking, _ in rows]
        moved_to = dict(s.exec(select(Booking.moved_from_booking_id, Slot.start_at)
                               .join(Slot, Slot.id == Booking.slot_id)
                               .where(col(Booking.moved_from_booking_id).in_(ids))).all())
        return [BookingChange(
            booking.id, "moved" if booking.id in moved_to else "cancelled", booking.service,
            slot.place_id, slot.start_at, moved_to.get(booking.id),
            None if booking.id in moved_to else booking.cancel_reason,
        ) for booking, slot in rows]


def mark_seen(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *,
              now: dt.datetime | None = None) -> None:
    """She has seen the notice about this booking: it is not shown again. Only her own
    booking (BookingNotFound otherwise); marking twice is harmless."""
    now = aware_utc(now)
    if not _herself(actor):
        raise BookingNotFound()
    with transaction(s_or_engine) as s:
        me = person_by_pid(s, actor.pid)
        booking = s.get(Booking, booking_id)
        if me is None or booking is None or booking.person_id != me.id:
            raise BookingNotFound()
        if booking.change_seen_at is None:
            booking.change_seen_at = now
            s.add(booking)
            s.flush()
