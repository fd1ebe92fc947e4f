"""The tables of secure messages: conversations with a place, their messages, the nurses'
reply templates, and each person's choice of notification channels.

Retention (DOMAIN-style note): a conversation with the health station or the school
health service is patient information of a municipal health service. Riksarkivarens
forskrift § 7-29 (as amended from 1 January 2020) says the patient and journal
information of helsestasjonstjenester and skolehelsetjenesten is kept for all time
("skal bevares"); pasientjournalloven § 25 and helsepersonelloven § 43 allow erasure only
on narrow conditions. So nothing here is ever deleted by the app: there is no delete path,
a closed conversation stays readable, and RETENTION below says so for the code that asks.
"Documented in the journal" marks that the nurse has copied what matters into the
journal system (EPJ), the record of care; the message stays as it was."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow

# None: kept without end (Riksarkivarens forskrift § 7-29, see the module docstring).
RETENTION: dt.timedelta | None = None
RETENTION_SOURCE = "Riksarkivarens forskrift § 7-29 (bevaring av pasientopplysninger)"

MAX_BODY = 2000  # characters in one message: a long SMS-thread's worth, not a letter
MAX_TEMPLATE_TITLE = 80


class ConversationKind(enum.StrEnum):
    DIALOG = "dialog"  # she writes, the place answers
    INFO = "info"  # a message to a class or year group: read only, no reply


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AuthorKind(enum.StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    AUTO = "auto"  # the out-of-office reply


class Category(enum.StrEnum):
    """The plain subjects a pupil may choose (or none)."""

    BODY = "body_health"  # Kropp og helse
    FEELINGS = "feelings"  # Følelser
    FRIENDS_FAMILY = "friends_family"  # Venner og familie
    CONTRACEPTION = "contraception"  # Prevensjon
    OTHER = "other"  # Annet
    CARD = "card"  # Spørsmål om helsekortet (a pregnant woman to her midwife)


class Conversation(SQLModel, table=True):
    """One conversation between a person (the subject) and a place."""

    __table_args__ = (Index("ix_conversation_inbox", "place_id", "status", "waiting_since"),)
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)  # whom it is about
    started_by_pid: str = Field(max_length=11)  # herself, or a parent for a child under 12
    service: str = Field(max_length=16)  # a Service value: youth, basic or pregnancy
    kind: str = Field(default=ConversationKind.DIALOG, max_length=16)
    category: str | None = Field(default=None, max_length=32)  # a Category value
    status: str = Field(default=ConversationStatus.OPEN, max_length=16)
    # Handed over to (or, for a pregnancy, addressed to) one health worker at the place.
    assigned_personnel_id: int | None = Field(default=None, foreign_key="personnel.id")
    # She lets those holding her fullmakt read it (pregnancy only; off unless she chooses).
    shared_with_proxy: bool = False
    # Set while her last message waits for an answer; the inbox sorts on it.
    waiting_since: dt.datetime | None = None
    handled_at: dt.datetime | None = None
    handled_by: str | None = None  # "Kari Lund (HPR 9100001)"
    journal_at: dt.datetime | None = None  # "documented in the journal"
    journal_by: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = Field(default=None, max_length=16)  # an AuthorKind value
    citizen_seen_at: dt.datetime | None = None
    staff_seen_at: dt.datetime | None = None
    last_message_at: dt.datetime = Field(default_factory=utcnow)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    author_kind: str = Field(max_length=16)  # an AuthorKind value
    author_pid: str | None = Field(default=None, max_length=11)
    author_name: str = ""
    author_hpr: str | None = Field(default=None, max_length=9)
    body: str = Field(max_length=MAX_BODY)
    # The nurse suggests a time: the pupil gets a button that opens booking at the place.
    suggests_booking: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class Broadcast(SQLModel, table=True):
    """A message to a class or a year group at a school: information, no reply."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    school_group: str = Field(max_length=16)  # a class ("8B") or a year ("8")
    author_pid: str = Field(max_length=11)
    author_name: str = ""
    body: str = Field(max_length=MAX_BODY)
    created_at: dt.datetime = Field(default_factory=utcnow)


class MessageTemplate(SQLModel, table=True):
    """A reply the nurses at a place use often."""

    __tablename__ = "message_template"
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    title: str = Field(max_length=MAX_TEMPLATE_TITLE)
    body: str = Field(max_length=MAX_BODY)
    created_by_pid: str = Field(max_length=11)
    created_at: dt.datetime = Field(default_factory=utcnow)


class NotifyPreference(SQLModel, table=True):
    """Which channels a person wants "Du har en ny melding" on (SMS unless she says no)."""

    __tablename__ = "notify_preference"
    id: int | None = Field(default=None, primary_key=True)
    pid: str = Field(max_length=11, unique=True)
    sms: bool = True
    email_on: bool = False
    email: str | None = Field(default=None, max_length=254)
    push_on: bool = False
    updated_at: dt.datetime = Field(default_factory=utcnow)


class PushSubscription(SQLModel, table=True):
    """One browser's Web Push subscription (RFC 8030, keys per RFC 8291)."""

    __tablename__ = "push_subscription"
    __table_args__ = (UniqueConstraint("endpoint"),)
    id: int | None = Field(default=None, primary_key=True)
    pid: str = Field(max_length=11, index=True)
    endpoint: str = Field(max_length=1000)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow)
