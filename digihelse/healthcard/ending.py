"""When a pregnancy ends: her midwife or GP records how and when (a live birth, a
miscarriage, a termination, a stillbirth), after a confirmation step, and can correct a
wrong entry with a reason; each is a version of the record, with its author, in the access
log like any change to the card.

From the ending on, the card stops: no gestational week today, no due-date countdown, no
recommended schedule and nothing to book (card.py, carers.py, booking/pregnancy.py), and
nothing more is sent about the pregnancy: her booked consultations still to come are
cancelled quietly (no SMS, no "cancelled" notice on her home screen) and every message
still waiting in the outbox for her pregnancy bookings, content-free reminders included,
is dropped (stop_for_ending).

She can still read and print her card. The record stays her active card (so she, her
midwife and her GP keep it, and she can still write to her midwife); when a new card is
opened for her later, the ended one is closed (record.create_card).

Who sees the ending (guard.ending_visible): she and her carers always. A fullmakt
receiver never sees a termination (abortloven § 1, helsepersonelloven § 21, as for earlier
terminations: guard.previous_for); any other ending only once she chooses to show it
(privacy by default, our choice). Until then an ended card is, for him, no card at all:
the same CardNotFound as for a woman without one, so the refusal tells him nothing."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor, Service
from digihelse.booking.models import Booking, BookingStatus, CancelledBy, Slot
from digihelse.booking.store import cancel_row
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard.errors import CardError, check_version, fail_if
from digihelse.healthcard.guard import log, require
from digihelse.healthcard.lookup import record_for
from digihelse.healthcard.models import EndKind, PregnancyRecord
from digihelse.healthcard.validation import Errors, validate_reason
from digihelse.healthcard.versioning import E_RECORD, author_of, write_version
from digihelse.notify.models import Outbox, OutboxStatus
from digihelse.notify.outbox import drop_pending
from digihelse.people.models import Person

END_KINDS = tuple(kind.value for kind in EndKind)


class NotEnded(CardError):
    """The card has no ending to correct or show."""

    code = "not_ended"
    message_key = "card.error.not_ended"


class AlreadyEnded(CardError):
    """The ending is recorded; a change goes through the correction."""

    code = "already_ended"
    message_key = "card.error.already_ended"


def is_ended(record: PregnancyRecord) -> bool:
    return record.ended_on is not None


def validate_ending(kind: str | None, ended_on: dt.date | None, *, today: dt.date,
                    last_period: dt.date | None) -> Errors:
    """A known kind and a day that has come, not before her last period."""
    errors: Errors = {}
    if kind not in END_KINDS:
        errors["end_kind"] = "card.error.end_kind_missing"
    if ended_on is None:
        errors["ended_on"] = "card.error.ended_on_missing"
    elif ended_on > today:
        errors["ended_on"] = "card.error.ended_on_future"
    elif last_period is not None and ended_on < last_period:
        errors["ended_on"] = "card.error.ended_on_before"
    return errors


def _her_pregnancy_bookings(s: Session, woman_id: int) -> list[tuple[Booking, Slot]]:
    return list(s.exec(select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id)
                       .where(Booking.person_id == woman_id,
                              Booking.service == Service.PREGNANCY)).all())


def bookings_to_cancel(s: Session, woman_id: int, now: dt.datetime) -> list[Booking]:
    """Her booked pregnancy consultations still to come."""
    return [b for b, slot in _her_pregnancy_bookings(s, woman_id)
            if b.status == BookingStatus.BOOKED and slot.start_at > now]


def stop_for_ending(s: Session, woman: Person, now: dt.datetime) -> tuple[int, int]:
    """Cancel her booked consultations still to come, quietly (no message, no notice on
    her home screen: the midwife who recorded the ending tells her in person), and drop
    every message still waiting about her pregnancy bookings (confirmations, moves,
    reminders). Returns (bookings cancelled, messages dropped)."""
    bookings = _her_pregnancy_bookings(s, woman.id)
    cancelled = 0
    for booking, slot in bookings:
        if booking.status == BookingStatus.BOOKED and slot.start_at > now:
            cancel_row(s, booking, now=now, by=CancelledBy.NURSE, reason=None)
            booking.change_seen_at = now  # nothing to announce on her home screen
            s.add(booking)
            cancelled += 1
    prefixes = [f"booking:{booking.id}:" for booking, _ in bookings]
    keys: list[str] = []
    if prefixes:
        pending = s.exec(select(Outbox.dedupe_key).where(
            Outbox.status == OutboxStatus.PENDING,
            col(Outbox.recipient_pid).in_({woman.nin, *(b.booked_by_pid for b, _ in bookings
                                                        if b.booked_by_pid)}))).all()
        keys = [key for key in pending if any(key.startswith(p) for p in prefixes)]
    dropped = drop_pending(s, keys, now=now)
    s.flush()
    return cancelled, dropped


def ending_preview(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, *,
                   now: dt.datetime | None = None) -> int:
    """For the confirmation step: how many booked consultations the ending cancels."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        woman, record = record_for(s, woman_pid)
        log(s, actor, woman_pid, "read", E_RECORD, record.id)
        return len(bookings_to_cancel(s, woman.id, now))


def record_ending(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, kind: str,
                  ended_on: dt.date | None, *, now: dt.datetime | None = None,
                  expected_version: int | None = None) -> PregnancyRecord:
    """Her midwife or GP records that the pregnancy ended (EDIT_CARD). Refuses
    AlreadyEnded (the correction changes it), ValidationFailed, StaleEdit."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        woman, record = record_for(s, woman_pid, lock=True)
        check_version(record, expected_version)
        if is_ended(record):
            raise AlreadyEnded()
        fail_if(validate_ending(kind, ended_on, today=to_oslo(now).date(),
                                last_period=record.last_period))
        record.end_kind, record.ended_on = kind, ended_on
        record.ending_shown_to_proxy = False
        record.version += 1
        record.updated_at = now
        s.add(record)
        s.flush()
        write_version(s, record.id, E_RECORD, record, author_of(s, actor), action="end",
                      at=now)
        log(s, actor, woman_pid, "update", E_RECORD, record.id)
        stop_for_ending(s, woman, now)
        return record


def correct_ending(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                   kind: str | None, ended_on: dt.date | None, reason: str, *,
                   now: dt.datetime | None = None,
                   expected_version: int | None = None) -> PregnancyRecord:
    """Correct a recorded ending, with a reason: another kind or day, or (kind None)
    "recorded by mistake": the pregnancy goes on and the card counts again. Bookings the
    ending cancelled stay cancelled (she books again, as after any cancellation)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.EDIT_CARD, object_type=E_RECORD)
        woman, record = record_for(s, woman_pid, lock=True)
        check_version(record, expected_version)
        if not is_ended(record):
            raise NotEnded()
        errors = validate_reason(reason)
        if kind is not None:
            errors = {**validate_ending(kind, ended_on, today=to_oslo(now).date(),
                                        last_period=record.last_period), **errors}
        fail_if(errors)
        if kind is None:
            record.end_kind, record.ended_on, action = None, None, "reopen"
            record.ending_shown_to_proxy = False
        else:
            record.end_kind, record.ended_on, action = kind, ended_on, "update"
            if kind == EndKind.TERMINATION:
                record.ending_shown_to_proxy = False
        record.version += 1
        record.updated_at = now
        s.add(record)
        s.flush()
        write_version(s, record.id, E_RECORD, record, author_of(s, actor), action=action,
                      at=now, reason=plain_text(reason))
        log(s, actor, woman_pid, "update", E_RECORD, record.id)
        if kind is not None:
            stop_for_ending(s, woman, now)
        return record


def show_ending_to_proxy(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                         shown: bool, *, now: dt.datetime | None = None) -> PregnancyRecord:
    """She lets those she gave fullmakt see the ending (and so the card), or hides it
    again. Only she (WRITE_OWN_NOTES); a termination is never shown (ValidationFailed)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_RECORD)
        _woman, record = record_for(s, woman_pid, lock=True)
        if not is_ended(record):
            raise NotEnded()
        if shown and record.end_kind == EndKind.TERMINATION:
            fail_if({"ending": "card.error.termination_never_shown"})
        if record.ending_shown_to_proxy == shown:
            return record
        record.ending_shown_to_proxy = shown
        record.version += 1
        record.updated_at = now
        s.add(record)
        s.flush()
        write_version(s, record.id, E_RECORD, record, author_of(s, actor),
                      action="show" if shown else "hide", at=now)
        log(s, actor, woman_pid, "update", E_RECORD, record.id)
        return record
