"""Secure messages: a pupil to her school nurse or the youth clinic, a parent for a child
under 12 to the health station, a pregnant woman to her midwife; the nurses' inbox per
place, replies, handled, hand-over, journal mark, templates, class messages.

Every call takes an Actor and decides itself (messages/rules.py over the access policy);
a conversation the actor may not see is "not found", the same answer as a wrong id, and
the refusal is logged. Every read is in the access log, so the citizen sees it under
Innsyn; youth and pregnancy rows are hidden from parents. No Reflex here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor, Service
from digihelse.access.enforcement import decide, record_access, record_refusal
from digihelse.access.policy import Decision, keeps_schedule
from digihelse.booking.citizen import places_for
from digihelse.booking.models import Booking, Slot
from digihelse.booking.rules import SCHOOL_PLACES
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard.models import PregnancyRecord
from digihelse.messages import events, hours, rules
from digihelse.messages.errors import (
    ConversationClosed,
    ConversationNotFound,
    MessageError,
    NoRecipient,
)
from digihelse.messages.models import (
    MAX_TEMPLATE_TITLE,
    AuthorKind,
    Broadcast,
    Category,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Message,
    MessageTemplate,
)
from digihelse.messages.notices import queue_new_message
from digihelse.people.kinds import PlaceKind
from digihelse.people.models import Enrollment, Person, Personnel, Place, StaffAssignment
from digihelse.people.nin import age_on
from digihelse.people.registry import person_by_pid, personnel_by_pid

PUPIL_CATEGORIES = (Category.BODY, Category.FEELINGS, Category.FRIENDS_FAMILY,
                    Category.CONTRACEPTION, Category.OTHER)
CARD_CATEGORIES = (Category.CARD, Category.OTHER)
OBJECT = "conversation"
_ = events  # its listeners tell every worker what changed


# --- What pages get ----------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    """A place she may write to, in a service."""

    key: str  # "youth:3": the form's value
    place_id: int
    place_name: str
    place_kind: str
    service: str
    reply_days: int
    school_days: bool  # the answer time counts school days (a school), else working days
    carer_name: str  # her midwife, for a pregnancy; "" otherwise
    categories: tuple[str, ...]


@dataclass(frozen=True)
class MessageLine:
    id: int
    author_kind: str  # citizen, staff, auto
    author_name: str
    body: str  # "" for the out-of-office reply (the page words it)
    at: dt.datetime
    mine: bool
    suggests_booking: bool
    back_on: dt.date | None  # the out-of-office reply: the next working day


@dataclass(frozen=True)
class ConversationLine:
    """One row of her list of conversations."""

    id: int
    place_name: str
    service: str
    kind: str
    category: str | None
    status: str
    last_message_at: dt.datetime
    unread: bool


@dataclass(frozen=True)
class BookingLine:
    booking_id: int
    start_at: dt.datetime
    status: str


@dataclass(frozen=True)
class ConversationView:
    id: int
    place_id: int
    place_name: str
    place_kind: str
    service: str
    kind: str
    category: str | None
    status: str
    reply_days: int
    school_days: bool
    messages: tuple[MessageLine, ...]
    may_reply: bool
    may_close: bool
    may_share: bool  # she may let her fullmakt holders read it (pregnancy, herself)
    shared_with_proxy: bool
    book_place_id: int  # > 0: the nurse suggested a time and she may book there
    # What personnel see besides:
    person_name: str = ""
    person_age: int | None = None
    school: str = ""
    school_class: str = ""
    handled: bool = False
    journal: bool = False
    journal_by: str = ""
    assigned_name: str = ""
    bookings: tuple[BookingLine, ...] = ()


@dataclass(frozen=True)
class InboxLine:
    id: int
    person_name: str
    age: int | None
    school: str
    school_class: str
    category: str | None
    status: str
    waiting_since: dt.datetime | None
    waited_days: int  # working days since her unanswered message
    overdue: bool  # waited longer than the place's answer time
    handled: bool
    assigned_name: str
    last_message_at: dt.datetime


@dataclass(frozen=True)
class Inbox:
    places: tuple[tuple[int, str], ...]
    place_id: int
    reply_days: int
    school_days: bool
    lines: tuple[InboxLine, ...]


@dataclass(frozen=True)
class Colleague:
    personnel_id: int
    name: str


@dataclass(frozen=True)
class Template:
    id: int
    title: str
    body: str


# --- Recipients ----------------------------------------------------------------------------

def _recipient(place: Place, service: Service, carer: str = "") -> Recipient:
    categories = CARD_CATEGORIES if service == Service.PREGNANCY else PUPIL_CATEGORIES
    return Recipient(f"{service.value}:{place.id}", place.id, place.name, place.kind,
                     service.value, place.reply_days, place.kind in SCHOOL_PLACES, carer,
                     tuple(c.value for c in categories))


def _pregnancy_places(s: Session, woman: Person) -> list[tuple[Place, str]]:
    record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == woman.id,
                                                  PregnancyRecord.active)).first()
    if record is None or record.midwife_id is None:
        return []
    midwife = s.get(Personnel, record.midwife_id)
    person = s.get(Person, midwife.person_id) if midwife else None
    places = s.exec(select(Place).join(StaffAssignment, StaffAssignment.place_id == Place.id)
                    .where(StaffAssignment.personnel_id == record.midwife_id)
                    .order_by(col(Place.name))).all()
    return [(place, person.full_name if person else "") for place in places]


def _recipients(s: Session, actor: Actor, now: dt.datetime) -> list[Recipient]:
    if actor.is_personnel:
        return []
    subject = person_by_pid(s, actor.subject_pid)
    if subject is None:
        return []
    found: list[Recipient] = []
    service = Service.BASIC if actor.on_behalf_of_pid else Service.YOUTH
    if rules.may_write(decide(s, actor, subject.nin, service), rules.item(service)):
        for info in places_for(s, actor, now=now):
            place = s.get(Place, info.place_id)
            if place is not None and place.kind != PlaceKind.GP_OFFICE:
                found.append(_recipient(place, service))
    if rules.may_write(decide(s, actor, subject.nin, Service.PREGNANCY),
                       rules.item(Service.PREGNANCY)):
        for place, midwife in _pregnancy_places(s, subject):
            found.append(_recipient(place, Service.PREGNANCY, midwife))
    return found


def recipients(s_or_engine: SessionOrEngine, actor: Actor, *,
               now: dt.datetime | None = None) -> list[Recipient]:
    """Where the actor may write for her subject, her school first."""
    with transaction(s_or_engine) as s:
        return _recipients(s, actor, aware_utc(now))


# --- Access --------------------------------------------------------------------------------

def _serves(s: Session, actor: Actor, place_id: int) -> Personnel | None:
    found = personnel_by_pid(s, actor.pid)
    if found is None or not keeps_schedule(found[1].role):
        return None
    served = s.exec(select(StaffAssignment.id).where(
        StaffAssignment.personnel_id == found[1].id,
        StaffAssignment.place_id == place_id)).first()
    return found[1] if served is not None else None


def _decision(s: Session, actor: Actor, conv: Conversation, person: Person
              ) -> Decision | None:
    """The policy's decision for this conversation's subject, or None when the actor does
    not even come near it (another subject; personnel of another place)."""
    if actor.is_personnel:
        if _serves(s, actor, conv.place_id) is None:
            return None
    elif actor.subject_pid != person.nin:
        return None
    return decide(s, actor, person.nin, Service(conv.service))


def _open(s: Session, actor: Actor, conversation_id: int, *, write: bool,
          action: str) -> tuple[Conversation, Person, Decision]:
    conv = s.get(Conversation, conversation_id) if conversation_id > 0 else None
    person = s.get(Person, conv.person_id) if conv is not None else None
    if conv is None or person is None:
        raise ConversationNotFound()
    decision = _decision(s, actor, conv, person)
    check = rules.may_write if write else rules.may_read
    if decision is None or not check(decision, rules.item(conv.service,
                                                          conv.shared_with_proxy)):
        reason = decision.reason if decision is not None and decision.reason else "no_relation"
        record_refusal(s, actor, person.nin, Service(conv.service), action, reason,
                       object_type=OBJECT, object_id=str(conv.id))
        raise ConversationNotFound()
    return conv, person, decision


def _log(s: Session, actor: Actor, person: Person, conv: Conversation, action: str,
         object_type: str = OBJECT) -> None:
    service = Service(conv.service)
    record_access(s, actor, person.nin, action=action, object_type=object_type,
                  object_id=str(conv.id), service=service,
                  hidden_from_parents=service != Service.BASIC)


def _signature(actor: Actor) -> str:
    return f"{actor.name} (HPR {actor.hpr_number})" if actor.hpr_number else actor.name


# --- Writing -----------------------------------------------------------------------------

def _notify_citizen(s: Session, conv: Conversation, person: Person, message: Message,
                    now: dt.datetime) -> None:
    # A conversation a parent started for a child under 12 tells the parent; otherwise her.
    recipient = conv.started_by_pid if conv.started_by_pid != person.nin else person.nin
    queue_new_message(s, recipient, message.id, now)


def _auto_reply(s: Session, conv: Conversation, now: dt.datetime) -> None:
    """When nobody is at work at the place: one reply saying when someone is back, once
    per wait (not again while it stands unanswered)."""
    if hours.is_open(s, conv.place_id, now):
        return
    back = hours.next_working_day(s, conv.place_id, now)
    if back is None:
        return
    last_staff = s.exec(select(Message.author_kind).where(
        Message.conversation_id == conv.id, Message.author_kind != AuthorKind.CITIZEN)
        .order_by(col(Message.id).desc())).first()
    if last_staff == AuthorKind.AUTO:
        return
    s.add(Message(conversation_id=conv.id, author_kind=AuthorKind.AUTO,
                  author_name="", body=back.isoformat(), created_at=now))


def start(s_or_engine: SessionOrEngine, actor: Actor, *, recipient: str, body: str,
          category: str | None = None, now: dt.datetime | None = None) -> int:
    """Start a conversation with a place she may write to; its id."""
    now = aware_utc(now)
    text = rules.clean_body(body)
    with transaction(s_or_engine) as s:
        target = next((r for r in _recipients(s, actor, now) if r.key == recipient), None)
        subject = person_by_pid(s, actor.subject_pid)
        if target is None or subject is None:
            raise NoRecipient()
        if category and category not in target.categories:
            raise MessageError("generic")
        conv = Conversation(place_id=target.place_id, person_id=subject.id,
                            started_by_pid=actor.pid, service=target.service,
                            category=category or None, waiting_since=now,
                            citizen_seen_at=now, last_message_at=now, created_at=now)
        if target.service == Service.PREGNANCY:
            record = s.exec(select(PregnancyRecord.midwife_id).where(
                PregnancyRecord.woman_id == subject.id, PregnancyRecord.active)).first()
            conv.assigned_personnel_id = record
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, author_kind=AuthorKind.CITIZEN,
                      author_pid=actor.pid, author_name=actor.name, body=text,
                      created_at=now))
        _auto_reply(s, conv, now)
        _log(s, actor, subject, conv, "create", "message")
        s.flush()
        return conv.id


def reply(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int, body: str, *,
          suggests_booking: bool = False, now: dt.datetime | None = None) -> int:
    """Add a message to an open conversation (she, or personnel at the place); its id."""
    now = aware_utc(now)
    text = rules.clean_body(body)
    with transaction(s_or_engine) as s:
        conv, person, _d = _open(s, actor, conversation_id, write=True,
                                 action="create")
        if conv.status != ConversationStatus.OPEN or conv.kind != ConversationKind.DIALOG:
            raise ConversationClosed()
        staff = actor.is_personnel
        message = Message(conversation_id=conv.id,
                          author_kind=AuthorKind.STAFF if staff else AuthorKind.CITIZEN,
                          author_pid=actor.pid, author_name=actor.name,
                          author_hpr=actor.hpr_number if staff else None, body=text,
                          suggests_booking=staff and suggests_booking, created_at=now)
        s.add(message)
        conv.last_message_at = now
        if staff:  # answered; "handled" stays the nurse's own mark
            conv.waiting_since, conv.staff_seen_at = None, now
        else:
            conv.waiting_since = conv.waiting_since or now
            conv.citizen_seen_at, conv.handled_at, conv.handled_by = now, None, None
        s.add(conv)
        s.flush()
        if staff:
            _notify_citizen(s, conv, person, message, now)
        else:
            _auto_reply(s, conv, now)
        _log(s, actor, person, conv, "create", "message")
        return message.id


def close(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int, *,
          now: dt.datetime | None = None) -> None:
    """End a conversation (she or the nurse): no more replies; it stays readable."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        conv, person, _d = _open(s, actor, conversation_id, write=True, action="update")
        if conv.status == ConversationStatus.CLOSED:
            return
        conv.status, conv.closed_at = ConversationStatus.CLOSED, now
        conv.closed_by = AuthorKind.STAFF if actor.is_personnel else AuthorKind.CITIZEN
        conv.waiting_since = None
        s.add(conv)
        _log(s, actor, person, conv, "close")


def share_with_proxy(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int,
                     shared: bool) -> None:
    """She lets (or stops letting) those with her fullmakt read a pregnancy conversation."""
    with transaction(s_or_engine) as s:
        conv, person, decision = _open(s, actor, conversation_id, write=True,
                                       action="update")
        if decision.relation != "self" or conv.service != Service.PREGNANCY:
            raise ConversationNotFound()
        conv.shared_with_proxy = shared
        s.add(conv)
        _log(s, actor, person, conv, "show" if shared else "hide")


def _staff_open(s: Session, actor: Actor, conversation_id: int
                ) -> tuple[Conversation, Person]:
    if not actor.is_personnel:
        raise ConversationNotFound()
    conv, person, _d = _open(s, actor, conversation_id, write=True, action="update")
    return conv, person


def mark_handled(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int, *,
                 now: dt.datetime | None = None) -> None:
    """The nurse needs to do nothing more now (say, she answered by phone)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        conv, person = _staff_open(s, actor, conversation_id)
        conv.handled_at, conv.handled_by, conv.waiting_since = now, _signature(actor), None
        s.add(conv)
        _log(s, actor, person, conv, "update")


def mark_journal(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int, *,
                 now: dt.datetime | None = None) -> None:
    """What matters in it is written in the journal (EPJ); the messages stay as they are."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        conv, person = _staff_open(s, actor, conversation_id)
        conv.journal_at, conv.journal_by = now, _signature(actor)
        s.add(conv)
        _log(s, actor, person, conv, "update")


def _colleagues(s: Session, actor: Actor, conv: Conversation, person: Person
                ) -> list[Colleague]:
    rows = s.exec(select(Personnel, Person)
                  .join(StaffAssignment, StaffAssignment.personnel_id == Personnel.id)
                  .join(Person, Person.id == Personnel.person_id)
                  .where(StaffAssignment.place_id == conv.place_id,
                         Person.nin != actor.pid)
                  .order_by(col(Person.given_name))).all()
    out = []
    for worker, who in rows:
        if not keeps_schedule(worker.role):
            continue
        them = Actor(who.nin, worker.role, who.full_name, worker.hpr_number,
                     worker.organisation)
        decision = decide(s, them, person.nin, Service(conv.service))
        # She must be able to read it herself: a midwife not on the card could not.
        if rules.may_write(decision, rules.item(conv.service, conv.shared_with_proxy)):
            out.append(Colleague(worker.id, who.full_name))
    return out


def colleagues(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int
               ) -> list[Colleague]:
    """Those at the same place who could take the conversation over."""
    with transaction(s_or_engine) as s:
        conv, person = _staff_open(s, actor, conversation_id)
        return _colleagues(s, actor, conv, person)


def hand_over(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int,
              personnel_id: int) -> None:
    """Give the conversation to a colleague at the same place."""
    with transaction(s_or_engine) as s:
        conv, person = _staff_open(s, actor, conversation_id)
        if personnel_id not in {c.personnel_id for c in _colleagues(s, actor, conv, person)}:
            raise MessageError("no_colleague")
        conv.assigned_personnel_id = personnel_id
        s.add(conv)
        _log(s, actor, person, conv, "update")


# --- Reading -----------------------------------------------------------------------------

def _lines(s: Session, actor: Actor, conv: Conversation) -> tuple[MessageLine, ...]:
    rows = s.exec(select(Message).where(Message.conversation_id == conv.id)
                  .order_by(col(Message.created_at), col(Message.id))).all()
    out = []
    for m in rows:
        auto = m.author_kind == AuthorKind.AUTO
        mine = m.author_pid == actor.pid if m.author_pid else False
        out.append(MessageLine(m.id, m.author_kind, m.author_name, "" if auto else m.body,
                               m.created_at, mine, m.suggests_booking,
                               dt.date.fromisoformat(m.body) if auto else None))
    return tuple(out)


def _school_of(s: Session, person: Person, place: Place) -> tuple[str, str]:
    rows = s.exec(select(Place.name, Enrollment.school_class)
                  .join(Enrollment, Enrollment.place_id == Place.id)
                  .where(Enrollment.person_id == person.id)).all()
    mine = [(name, klass or "") for name, klass in rows]
    here = [r for r in mine if r[0] == place.name]
    return (here or mine or [("", "")])[0]


def _name_of(s: Session, personnel_id: int | None) -> str:
    if personnel_id is None:
        return ""
    worker = s.get(Personnel, personnel_id)
    who = s.get(Person, worker.person_id) if worker else None
    return who.full_name if who else ""


def _bookings(s: Session, person: Person, place_id: int, now: dt.datetime
              ) -> tuple[BookingLine, ...]:
    rows = s.exec(select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id)
                  .where(Booking.person_id == person.id, Slot.place_id == place_id,
                         Slot.start_at >= now - dt.timedelta(days=90))
                  .order_by(col(Slot.start_at))).all()
    return tuple(BookingLine(b.id, slot.start_at, b.status) for b, slot in rows)


def open_conversation(s_or_engine: SessionOrEngine, actor: Actor, conversation_id: int, *,
                      now: dt.datetime | None = None) -> ConversationView:
    """The conversation with its messages, marked as seen by her (or by the place), and
    the read in the access log."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        conv, person, decision = _open(s, actor, conversation_id, write=False, action="read")
        place = s.get(Place, conv.place_id)
        writable = rules.may_write(decision, rules.item(conv.service, conv.shared_with_proxy))
        dialog_open = (conv.status == ConversationStatus.OPEN
                       and conv.kind == ConversationKind.DIALOG)
        messages = _lines(s, actor, conv)
        herself = not actor.is_personnel and decision.relation == "self"
        book = 0
        if not actor.is_personnel and any(m.suggests_booking for m in messages) \
                and decision.allows(Action.BOOK):
            book = conv.place_id
        view = ConversationView(
            conv.id, conv.place_id, place.name, place.kind, conv.service, conv.kind,
            conv.category, conv.status, place.reply_days, place.kind in SCHOOL_PLACES,
            messages, may_reply=writable and dialog_open,
            may_close=writable and dialog_open,
            may_share=herself and conv.service == Service.PREGNANCY,
            shared_with_proxy=conv.shared_with_proxy, book_place_id=book)
        if actor.is_personnel:
            conv.staff_seen_at = now
            school, klass = _school_of(s, person, place)
            view = replace(view, person_name=person.full_name,
                           person_age=age_on(person.birth_date, to_oslo(now).date()),
                           school=school, school_class=klass,
                           handled=conv.handled_at is not None and conv.waiting_since is None,
                           journal=conv.journal_at is not None, journal_by=conv.journal_by or "",
                           assigned_name=_name_of(s, conv.assigned_personnel_id),
                           bookings=_bookings(s, person, conv.place_id, now))
        elif herself or decision.relation == "parent":
            conv.citizen_seen_at = now
        s.add(conv)
        _log(s, actor, person, conv, "read")
        return view


def conversations(s_or_engine: SessionOrEngine, actor: Actor) -> list[ConversationLine]:
    """Her conversations (or her child's, for a parent who may), newest first, each with
    whether something new came since she last looked. Logged as a read of the list."""
    with transaction(s_or_engine) as s:
        person = person_by_pid(s, actor.subject_pid)
        if person is None or actor.is_personnel:
            return []
        decisions = {service: decide(s, actor, person.nin, service) for service in Service}
        rows = s.exec(select(Conversation, Place).join(Place, Place.id == Conversation.place_id)
                      .where(Conversation.person_id == person.id)
                      .order_by(col(Conversation.last_message_at).desc())).all()
        out = []
        for conv, place in rows:
            if not rules.may_read(decisions[Service(conv.service)],
                                  rules.item(conv.service, conv.shared_with_proxy)):
                continue
            last_other = s.exec(select(Message.created_at).where(
                Message.conversation_id == conv.id,
                Message.author_kind != AuthorKind.CITIZEN)
                .order_by(col(Message.created_at).desc())).first()
            unread = last_other is not None and (conv.citizen_seen_at is None
                                                 or last_other > conv.citizen_seen_at)
            out.append(ConversationLine(conv.id, place.name, conv.service, conv.kind,
                                        conv.category, conv.status, conv.last_message_at,
                                        unread))
        if out:
            hidden = any(line.service != Service.BASIC for line in out)
            record_access(s, actor, person.nin, action="read", object_type="conversation_list",
                          hidden_from_parents=hidden)
        return out


def unread_count(s_or_engine: SessionOrEngine, actor: Actor) -> int:
    """How many of her conversations have something new (for the menu's mark); not a read
    of content, so not logged."""
    with transaction(s_or_engine) as s:
        person = person_by_pid(s, actor.subject_pid)
        if person is None or actor.is_personnel:
            return 0
        decisions = {service: decide(s, actor, person.nin, service) for service in Service}
        count = 0
        for conv in s.exec(select(Conversation).where(Conversation.person_id == person.id)):
            if not rules.may_read(decisions[Service(conv.service)],
                                  rules.item(conv.service, conv.shared_with_proxy)):
                continue
            newer = select(Message.id).where(Message.conversation_id == conv.id,
                                             Message.author_kind != AuthorKind.CITIZEN)
            if conv.citizen_seen_at is not None:
                newer = newer.where(Message.created_at > conv.citizen_seen_at)
            if s.exec(newer).first() is not None:
                count += 1
        return count


def _my_places(s: Session, actor: Actor) -> list[Place]:
    found = personnel_by_pid(s, actor.pid)
    if found is None or not keeps_schedule(found[1].role):
        return []
    return list(s.exec(select(Place).join(StaffAssignment, StaffAssignment.place_id == Place.id)
                       .where(StaffAssignment.personnel_id == found[1].id)
                       .order_by(col(Place.name))).all())


def inbox(s_or_engine: SessionOrEngine, actor: Actor, place_id: int | None = None, *,
          now: dt.datetime | None = None) -> Inbox:
    """The conversations at one of her places: waiting for an answer first (longest
    waiting first), then open ones, then closed; each logged as read (who, about what)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        places = _my_places(s, actor) if actor.is_personnel else []
        if not places:
            return Inbox((), 0, 0, False, ())
        place = next((p for p in places if p.id == place_id), places[0])
        rows = s.exec(select(Conversation, Person)
                      .join(Person, Person.id == Conversation.person_id)
                      .where(Conversation.place_id == place.id,
                             Conversation.kind == ConversationKind.DIALOG)).all()
        today = to_oslo(now).date()
        lines = []
        for conv, person in rows:
            decision = decide(s, actor, person.nin, Service(conv.service))
            if not rules.may_read(decision, rules.item(conv.service, conv.shared_with_proxy)):
                continue
            waited = hours.working_days_between(to_oslo(conv.waiting_since).date(), today) \
                if conv.waiting_since else 0
            school, klass = _school_of(s, person, place)
            lines.append(InboxLine(
                conv.id, person.full_name, age_on(person.birth_date, today), school, klass,
                conv.category, conv.status, conv.waiting_since, waited,
                conv.waiting_since is not None and waited > place.reply_days,
                conv.handled_at is not None and conv.waiting_since is None,
                _name_of(s, conv.assigned_personnel_id), conv.last_message_at))
            _log(s, actor, person, conv, "read", "conversation_list")
        far = dt.datetime.max.replace(tzinfo=dt.UTC)

        def order(line: InboxLine):
            group = 0 if line.waiting_since else (1 if line.status == "open" else 2)
            first = line.waiting_since or far
            return (group, first, -line.last_message_at.timestamp())

        lines.sort(key=order)
        return Inbox(tuple((p.id, p.name) for p in places), place.id, place.reply_days,
                     place.kind in SCHOOL_PLACES, tuple(lines))


# --- Templates ---------------------------------------------------------------------------

def _place_of_mine(s: Session, actor: Actor, place_id: int) -> Place:
    if not actor.is_personnel or _serves(s, actor, place_id) is None:
        raise ConversationNotFound()
    return s.get(Place, place_id)


def templates(s_or_engine: SessionOrEngine, actor: Actor, place_id: int) -> list[Template]:
    with transaction(s_or_engine) as s:
        _place_of_mine(s, actor, place_id)
        rows = s.exec(select(MessageTemplate).where(MessageTemplate.place_id == place_id)
                      .order_by(col(MessageTemplate.title))).all()
        return [Template(r.id, r.title, r.body) for r in rows]


def add_template(s_or_engine: SessionOrEngine, actor: Actor, place_id: int, title: str,
                 body: str) -> int:
    name = rules.clean_body(title, limit=MAX_TEMPLATE_TITLE)
    text = rules.clean_body(body)
    with transaction(s_or_engine) as s:
        _place_of_mine(s, actor, place_id)
        row = MessageTemplate(place_id=place_id, title=name, body=text,
                              created_by_pid=actor.pid)
        s.add(row)
        s.flush()
        return row.id


def remove_template(s_or_engine: SessionOrEngine, actor: Actor, template_id: int) -> None:
    with transaction(s_or_engine) as s:
        row = s.get(MessageTemplate, template_id)
        if row is None:
            raise ConversationNotFound()
        _place_of_mine(s, actor, row.place_id)
        s.delete(row)


# --- Class and year-group messages -------------------------------------------------------

def year_of(school_class: str) -> str:
    """The year group of a class: "8" of "8B", "Vg1" of "Vg1 ST"."""
    head = school_class.strip().split(" ")[0]
    digits = "".join(ch for ch in head if ch.isdigit())
    if head.lower().startswith("vg") and digits:
        return f"Vg{digits}"
    return digits or head


def groups(s_or_engine: SessionOrEngine, actor: Actor, place_id: int) -> list[str]:
    """The year groups, then the classes, at one of her schools."""
    with transaction(s_or_engine) as s:
        place = _place_of_mine(s, actor, place_id)
        if place.kind not in SCHOOL_PLACES:
            return []
        classes = sorted({c for c in s.exec(select(Enrollment.school_class).where(
            Enrollment.place_id == place_id)).all() if c})
        years = sorted({year_of(c) for c in classes}, key=lambda y: (len(y), y))
        return [*years, *classes]


def send_broadcast(s_or_engine: SessionOrEngine, actor: Actor, place_id: int, group: str,
                   body: str, *, now: dt.datetime | None = None) -> int:
    """Send information to every pupil of a class or year group at her school; each gets
    it as a conversation she reads and cannot answer. How many got it."""
    now = aware_utc(now)
    text = rules.clean_body(body)
    with transaction(s_or_engine) as s:
        place = _place_of_mine(s, actor, place_id)
        if place.kind not in SCHOOL_PLACES:
            raise NoRecipient()
        pupils = s.exec(select(Person, Enrollment.school_class)
                        .join(Enrollment, Enrollment.person_id == Person.id)
                        .where(Enrollment.place_id == place_id)).all()
        chosen = [p for p, klass in pupils
                  if klass and (klass == group or year_of(klass) == group)]
        if not chosen:
            raise NoRecipient()
        sent = Broadcast(place_id=place_id, school_group=group, author_pid=actor.pid,
                         author_name=actor.name, body=text, created_at=now)
        s.add(sent)
        s.flush()
        count = 0
        for pupil in chosen:
            decision = decide(s, actor, pupil.nin, Service.YOUTH)
            if not rules.may_write(decision, rules.item(Service.YOUTH)):
                continue  # not of the youth service's ages (yet)
            conv = Conversation(place_id=place_id, person_id=pupil.id,
                                started_by_pid=actor.pid, service=Service.YOUTH,
                                kind=ConversationKind.INFO, broadcast_id=sent.id,
                                last_message_at=now, staff_seen_at=now, created_at=now)
            s.add(conv)
            s.flush()
            message = Message(conversation_id=conv.id, author_kind=AuthorKind.STAFF,
                              author_pid=actor.pid, author_name=actor.name,
                              author_hpr=actor.hpr_number, body=text, created_at=now)
            s.add(message)
            s.flush()
            queue_new_message(s, pupil.nin, message.id, now)
            _log(s, actor, pupil, conv, "create", "message")
            count += 1
        return count


# --- The same messages for the FHIR API (Communication) ---------------------------------

@dataclass(frozen=True)
class CommunicationItem:
    """One message with what a FHIR Communication says about it."""

    message_id: int
    conversation_id: int
    place_id: int
    person_id: int
    service: str
    category: str | None
    author_kind: str
    author_pid: str | None
    author_name: str
    author_hpr: str | None
    body: str
    at: dt.datetime
    back_on: dt.date | None
    in_response_to: int | None  # the message before it in the conversation


def communications(s_or_engine: SessionOrEngine, actor: Actor, *,
                   conversation_ids: set[int] | None = None,
                   place_id: int | None = None, message_id: int | None = None
                   ) -> list[CommunicationItem]:
    """The messages the actor may read: a citizen those of her subject (actor.subject_pid),
    personnel those of the places they serve; narrowed by conversation, place or message.
    Each conversation read is in the access log."""
    with transaction(s_or_engine) as s:
        query = select(Conversation, Person).join(Person, Person.id == Conversation.person_id)
        if actor.is_personnel:
            places = [p.id for p in _my_places(s, actor)]
            query = query.where(col(Conversation.place_id).in_(places))
        else:
            query = query.where(Person.nin == actor.subject_pid)
        if place_id is not None:
            query = query.where(Conversation.place_id == place_id)
        if conversation_ids is not None:
            query = query.where(col(Conversation.id).in_(conversation_ids))
        if message_id is not None:
            query = query.join(Message, Message.conversation_id == Conversation.id).where(
                Message.id == message_id)
        out: list[CommunicationItem] = []
        for conv, person in s.exec(query.order_by(col(Conversation.id))).all():
            decision = _decision(s, actor, conv, person)
            if decision is None or not rules.may_read(
                    decision, rules.item(conv.service, conv.shared_with_proxy)):
                continue
            rows = s.exec(select(Message).where(Message.conversation_id == conv.id)
                          .order_by(col(Message.created_at), col(Message.id))).all()
            before = None
            for m in rows:
                auto = m.author_kind == AuthorKind.AUTO
                if message_id is None or m.id == message_id:
                    out.append(CommunicationItem(
                        m.id, conv.id, conv.place_id, conv.person_id, conv.service,
                        conv.category, m.author_kind, m.author_pid, m.author_name,
                        m.author_hpr, "" if auto else m.body, m.created_at,
                        dt.date.fromisoformat(m.body) if auto else None, before))
                before = m.id
            _log(s, actor, person, conv, "read")
        return out


def conversation_of(s_or_engine: SessionOrEngine, message_id: int) -> int | None:
    """The conversation a message belongs to (no access check: the caller then asks
    reply(), which decides)."""
    with transaction(s_or_engine) as s:
        return s.exec(select(Message.conversation_id).where(Message.id == message_id)).first()
