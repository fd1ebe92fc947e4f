"""The messages a booking queues in the outbox (its confirmation, move or cancellation,
and the reminder before the time), and the job that queues any reminder booking missed."""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session, col, select

from digihelse.access.actors import Service
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.notices import NURSE_WORDS, reminder_text, sms_where
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard.models import PregnancyRecord
from digihelse.notify.outbox import enqueue
from digihelse.people.models import Person, Place

log = logging.getLogger(__name__)


def reminder_key(booking_id: int | None) -> str:
    """The outbox key of a booking's reminder: one per booking, dropped when it changes."""
    return f"booking:{booking_id}:reminder"


def queue_notices(s: Session, *, booking: Booking, person: Person, start: dt.datetime,
                  kind: str, body: str, now: dt.datetime, settings: BookingSettings,
                  reminder: bool = False, where: str = NURSE_WORDS) -> None:
    """Queue messages; a failure is logged and never undoes the booking. The keys name a
    booking that this transaction just wrote, so one savepoint for all of them is enough."""
    recipient = booking.booked_by_pid or person.nin
    try:
        with s.begin_nested():
            enqueue(s, recipient_pid=recipient, body=body, kind=kind,
                    dedupe_key=f"booking:{booking.id}:{kind}", now=now, guarded=False)
            send_at = start - settings.reminder_before
            if reminder and send_at > now:
                enqueue(s, recipient_pid=recipient, kind="reminder",
                        body=reminder_text(start, to_oslo(send_at).date(), where),
                        dedupe_key=reminder_key(booking.id), send_at=send_at, now=now,
                        guarded=False)
    except Exception:
        log.exception("could not queue the message for booking %s", booking.id)



def _ended_pregnancies():
    return select(PregnancyRecord.woman_id).where(PregnancyRecord.active,
                                                  col(PregnancyRecord.ended_on).is_not(None))


def queue_reminders(s_or_engine: SessionOrEngine, *, now: dt.datetime | None = None,
                    settings: BookingSettings) -> int:
    """Queue the 24-hour reminder for bookings now inside that window which were booked
    before it. Booking already queues it; this catches any that were missed. The
    dedupe key makes it once per booking."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        rows = s.exec(
            select(Booking, Slot, Person, Place.kind).join(Slot, Slot.id == Booking.slot_id)
            .join(Person, Person.id == Booking.person_id)
            .join(Place, Place.id == Slot.place_id)
            .where(Booking.status == BookingStatus.BOOKED, Slot.start_at > now,
                   Slot.start_at <= now + settings.reminder_before,
                   # Nothing about a pregnancy that ended (healthcard/ending.py).
                   ~((Booking.service == Service.PREGNANCY)
                     & col(Booking.person_id).in_(_ended_pregnancies())))
        ).all()
        queued = 0
        for booking, slot, person, place_kind in rows:
            if booking.created_at > slot.start_at - settings.reminder_before:
                continue  # booked inside the window: the confirmation is enough
            where = sms_where(booking.service, place_kind)
            row = enqueue(s, recipient_pid=booking.booked_by_pid or person.nin,
                          body=reminder_text(slot.start_at, to_oslo(now).date(), where),
                          kind="reminder", dedupe_key=reminder_key(booking.id), now=now)
            queued += row is not None
        return queued

