"""The outbox: messages written in the same transaction as the change they tell about,
sent later by a dispatcher, so that sending can never block or undo the change."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the maximum number of attempts
    DROPPED = "dropped"  # no longer wanted (a reminder for a cancelled booking)


class OutboxChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"  # Web Push (RFC 8030) to each browser she subscribed


class Outbox(SQLModel, table=True):
    """One message to one person. The body is plain words with no health content:
    an SMS can be read by anyone holding the phone."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    recipient_pid: str = Field(max_length=11, index=True)
    channel: str = Field(default=OutboxChannel.SMS, max_length=16)
    body: str = Field(max_length=640)
    kind: str = Field(max_length=32)  # booking_confirmed, booking_reminder, ...
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    # A message with a given key is queued once ("booking:17:reminder").
    dedupe_key: str = Field(unique=True, max_length=120)
    created_at: dt.datetime = Field(default_factory=utcnow)
