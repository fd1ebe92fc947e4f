"""Queue messages in the caller's transaction; send them later, outside any transaction,
with retries, so a slow or broken SMS gateway can neither block nor fail a booking."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import utcnow
from digihelse.notify.models import Outbox, OutboxChannel, OutboxStatus

log = logging.getLogger(__name__)


class Sender(Protocol):
    """Delivers one message; raises on failure (the dispatcher retries)."""

    def send(self, recipient_pid: str, body: str) -> None: ...


def sender_for(sender: Sender, channel: str) -> Sender:
    """The sender of a channel: a channel router (notify/channels.py ChannelSenders) picks
    one; a plain sender takes every channel (the SMS-only setups and tests)."""
    pick = getattr(sender, "for_channel", None)
    return pick(channel) if pick is not None else sender


def mask_pid(pid: str) -> str:
    """Enough of a national id number to follow a message in the log, not to identify."""
    return f"{pid[:2]}*******{pid[-2:]}" if len(pid) == 11 else "***"


class LogSender:
    """The development sender: writes the message to the Python log."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or log

    def send(self, recipient_pid: str, body: str) -> None:
        self.logger.info("SMS to %s: %s", mask_pid(recipient_pid), body)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: dt.timedelta = dt.timedelta(minutes=1)
    max_delay: dt.timedelta = dt.timedelta(hours=6)
    # A claimed message is hidden from other dispatchers this long; if the process dies
    # mid-send it is tried again afterwards (at-least-once delivery).
    lease: dt.timedelta = dt.timedelta(minutes=5)

    def delay(self, attempts: int) -> dt.timedelta:
        """Exponential backoff after the given number of failed attempts: 1, 2, 4, ... min."""
        return min(self.base_delay * (2 ** max(attempts - 1, 0)), self.max_delay)


DEFAULT_RETRY = RetryPolicy()


def enqueue(
    s: Session,
    *,
    recipient_pid: str,
    body: str,
    kind: str,
    dedupe_key: str,
    send_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    channel: str = OutboxChannel.SMS,
    guarded: bool = True,
) -> Outbox | None:
    """Queue a message in the session's transaction; None when the key was queued before.
    A failure here must not undo the caller's change, hence the savepoint. With
    guarded=False the caller wraps several messages in one savepoint of its own."""
    now = now or utcnow()
    row = Outbox(recipient_pid=recipient_pid, channel=channel, body=body, kind=kind,
                 dedupe_key=dedupe_key, next_attempt_at=send_at or now, created_at=now)
    if not guarded:  # the caller's own savepoint catches a duplicate key
        s.add(row)
        return row
    if s.exec(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key)).first() is not None:
        return None
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:  # queued meanwhile by another transaction
        return None
    return row


def drop_pending(s: Session, dedupe_keys: Iterable[str], *, now: dt.datetime | None = None) -> int:
    """Mark pending messages as dropped (their keys stay taken, so they are never requeued)."""
    keys = list(dedupe_keys)
    if not keys:
        return 0
    rows = s.exec(select(Outbox).where(col(Outbox.dedupe_key).in_(keys),
                                       Outbox.status == OutboxStatus.PENDING)).all()
    for row in rows:
        row.status = OutboxStatus.DROPPED
        row.last_error = f"dropped {(now or utcnow()).isoformat(timespec='seconds')}"
        s.add(row)
    s.flush()
    return len(rows)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # gave up for good in this run


def dispatch(
    s_or_engine: SessionOrEngine,
    sender: Sender,
    now: dt.datetime | None = None,
    batch: int = 50,
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
) -> DispatchReport:
    """Send up to `batch` due messages. Three steps, so that no transaction is open while
    sending: claim (attempts + 1, leased), send, record the outcome."""
    now = now or utcnow()
    with transaction(s_or_engine, commit_session=True) as s:
        query = (select(Outbox)
                 .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
                 .order_by(col(Outbox.next_attempt_at), col(Outbox.id)).limit(batch))
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in s.exec(query).all():
            row.attempts += 1
            row.next_attempt_at = now + policy.lease
            s.add(row)
            claimed.append((row.id, row.recipient_pid, row.body, row.channel))

    outcomes: list[tuple[int, str | None]] = []
    for message_id, recipient_pid, body, channel in claimed:
        try:
            sender_for(sender, channel).send(recipient_pid, body)
        except Exception as exc:  # any sender failure is retried, never raised
            log.warning("sending message %s failed: %s", message_id, exc)
            outcomes.append((message_id, f"{type(exc).__name__}: {exc}"[:500]))
        else:
            outcomes.append((message_id, None))

    report = DispatchReport()
    if not outcomes:
        return report
    with transaction(s_or_engine, commit_session=True) as s:
        for message_id, error in outcomes:
            row = s.get(Outbox, message_id)
            if row is None or row.status != OutboxStatus.PENDING:
                continue  # dropped while we were sending
            if error is None:
                row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, None
                report.sent += 1
            elif row.attempts >= policy.max_attempts:
                row.status, row.last_error = OutboxStatus.FAILED, error
                report.failed += 1
            else:
                row.last_error = error
                row.next_attempt_at = now + policy.delay(row.attempts)
                report.retrying += 1
            s.add(row)
    return report
