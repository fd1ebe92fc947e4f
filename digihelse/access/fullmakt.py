"""Fullmakt for the pregnancy card: the woman gives a person (her partner) a view of her
card, sees who has one, and takes it back.

The rules (DOMAIN.md, helsenorge.no/fullmakt): the giver is 16 or older, the receiver 18
or older on the start date, and neither has a confidential address (kode 6/7). Only the
woman herself gives or revokes, never someone acting for her and never personnel. One
active fullmakt per giver, receiver and scope: giving again changes the end date. What
the receiver may then do is decided by digihelse.access.policy on every request, so a
revoked fullmakt stops working at once.

Every give, revoke and listing is written to the access log in the same transaction; the
receiver is told, with no health content, through the outbox. No UI imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from digihelse.access import policy
from digihelse.access.actors import Actor, Service
from digihelse.access.enforcement import record_access, thresholds
from digihelse.audit import log as audit_log
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.errors import ServiceError
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.notify.outbox import enqueue
from digihelse.people.models import Fullmakt, Person
from digihelse.people.nin import InvalidNin, age_on, parse_nin
from digihelse.people.registry import person_by_pid

# Object types in the access log.
O_FULLMAKT, O_LIST, O_RECEIVER = "fullmakt", "fullmakt_list", "fullmakt_receiver"

# An SMS can be read by anyone holding the phone: no name, no health content.
GIVEN_TEXT = "Du har fått tilgang til å se et helsekort i DigiHelse. Logg inn for å se det."


# --- Errors ---------------------------------------------------------------------------------

class FullmaktError(ServiceError):
    """A refused fullmakt action; `message_key` is the page's sentence."""

    code = "fullmakt_error"
    message_key = "sharing.error.generic"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)


class OnlyOwner(FullmaktError):
    """Only the person herself gives or takes back a fullmakt."""

    code, message_key = "only_owner", "sharing.error.only_owner"


class NinLength(FullmaktError):
    """The number does not have 11 digits."""

    code, message_key = "nin_length", "sharing.error.nin_length"


class NinTypo(FullmaktError):
    """The number has 11 digits but is not a valid national identity number."""

    code, message_key = "nin_typo", "sharing.error.nin_typo"


class UnknownReceiver(FullmaktError):
    """Nobody with this number is in the registry. The page says the same as for a
    protected receiver, so the form cannot be used to learn who has a confidential address."""

    code, message_key = "unknown_receiver", "sharing.error.not_possible"


class SelfReceiver(FullmaktError):
    """A fullmakt to oneself."""

    code, message_key = "self_receiver", "sharing.error.self"


class ProtectedReceiver(FullmaktError):
    """The receiver cannot be given a fullmakt. The message does not say why: it must not
    reveal that the person has a confidential address."""

    code, message_key = "not_possible", "sharing.error.not_possible"


class GiverProtected(FullmaktError):
    """The giver has a confidential address (kode 6/7): no representation."""

    code, message_key = "giver_protected", "sharing.error.giver_protected"


class GiverTooYoung(FullmaktError):
    """The giver is younger than the giver's minimum age (16)."""

    code, message_key = "giver_too_young", "sharing.error.giver_too_young"


class ReceiverTooYoung(FullmaktError):
    """The receiver is younger than the receiver's minimum age (18) on the start date."""

    code, message_key = "receiver_too_young", "sharing.error.receiver_too_young"


class StartInPast(FullmaktError):
    """The start date is before today."""

    code, message_key = "start_in_past", "sharing.error.start_in_past"


class EndInPast(FullmaktError):
    """The end date is before today."""

    code, message_key = "end_in_past", "sharing.error.end_in_past"


class EndBeforeStart(FullmaktError):
    """The end date is before the start date."""

    code, message_key = "end_before_start", "sharing.error.end_before_start"


class FullmaktNotFound(FullmaktError):
    """No such fullmakt given by this person."""

    code, message_key = "fullmakt_not_found", "sharing.error.not_found"


# --- Views ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FullmaktView:
    """One fullmakt as its giver or receiver sees it: the other party's name, no number."""

    id: int
    other_name: str  # the receiver's name in a giver's list, the giver's in a receiver's
    services: frozenset[str]
    valid_from: dt.date
    valid_to: dt.date | None
    revoked_at: dt.datetime | None
    status: str  # active, future, expired, revoked


@dataclass(frozen=True)
class Overview:
    given: tuple[FullmaktView, ...]
    received: tuple[FullmaktView, ...]
    # When she cannot give a fullmakt at all (too young, confidential address): the
    # message key, so the page shows it instead of a form that would only fail.
    cannot_give: str | None


@dataclass(frozen=True)
class Given:
    fullmakt_id: int
    receiver_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    updated: bool  # True: an active fullmakt existed and got the new end date


# --- Helpers --------------------------------------------------------------------------------

def _status(row: Fullmakt, on: dt.date) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.valid_to is not None and row.valid_to < on:
        return "expired"
    return "future" if row.valid_from > on else "active"


def _view(row: Fullmakt, other: Person, on: dt.date) -> FullmaktView:
    return FullmaktView(row.id, other.full_name, row.services, row.valid_from, row.valid_to,
                        row.revoked_at, _status(row, on))


def _own_person(s: Session, actor: Actor) -> Person:
    """The logged-in citizen herself, acting for nobody else."""
    if actor.is_personnel or actor.on_behalf_of_pid not in (None, actor.pid):
        raise OnlyOwner()
    me = person_by_pid(s, actor.pid)
    if me is None:
        raise OnlyOwner()
    return me


def _confidential(person: Person) -> bool:
    return str(person.address_protection) in policy.CONFIDENTIAL


def _giver_problem(me: Person, on: dt.date) -> FullmaktError | None:
    if _confidential(me):
        return GiverProtected()
    if age_on(me.birth_date, on) < thresholds().fullmakt_giver_min_age:
        return GiverTooYoung()
    return None


def _parse(text: str) -> str:
    value = (text or "").replace(" ", "").strip()
    if len(value) != 11 or not value.isdigit():
        raise NinLength()
    try:
        return parse_nin(value).value
    except InvalidNin as exc:
        raise NinTypo() from exc


def _active(s: Session, giver_id: int, receiver_id: int, scope: str, on: dt.date
            ) -> Fullmakt | None:
    """The one fullmakt still in force or yet to start, for this pair and scope."""
    return s.exec(select(Fullmakt).where(
        Fullmakt.giver_id == giver_id, Fullmakt.receiver_id == receiver_id,
        Fullmakt.scope == scope, col(Fullmakt.revoked_at).is_(None),
        or_(col(Fullmakt.valid_to).is_(None), col(Fullmakt.valid_to) >= on),
    ).order_by(col(Fullmakt.id))).first()


def _log(s: Session, actor: Actor, subject_pid: str, action: str, object_type: str,
         object_id: int | None) -> None:
    """One row about `subject_pid`, done by the actor herself (never "on behalf of"). The
    card's rows are hidden from parents (DOMAIN.md: a minor's card is hers); so are these."""
    oid = None if object_id is None else str(object_id)
    if subject_pid == actor.pid:
        record_access(s, actor, subject_pid, action=action, object_type=object_type,
                      object_id=oid, service=Service.PREGNANCY, hidden_from_parents=True)
        return
    # The receiver's own log: he sees under Innsyn who gave or took back his access.
    audit_log.append(s, audit_log.Entry(
        action=action, object_type=object_type, object_id=oid, outcome="ok",
        channel=str(actor.channel), actor_pid=actor.pid, actor_role=actor.role,
        actor_name=actor.name or None, subject_pid=subject_pid,
        detail=Service.PREGNANCY.value, hidden_from_parents=True))


def shares_card(s: Session, person: Person, now: dt.datetime) -> bool:
    """Whether she has a fullmakt for her pregnancy card in force today (given, started,
    not ended, not revoked): then she, her midwife and that person see her consultations."""
    on = to_oslo(now).date()
    rows = s.exec(select(Fullmakt).where(
        Fullmakt.giver_id == person.id, col(Fullmakt.revoked_at).is_(None),
        Fullmakt.valid_from <= on,
        or_(col(Fullmakt.valid_to).is_(None), col(Fullmakt.valid_to) >= on))).all()
    return any(Service.PREGNANCY in row.services for row in rows)


# --- The calls ------------------------------------------------------------------------------

def overview(s_or_engine: SessionOrEngine, actor: Actor, on: dt.date | None = None
             ) -> Overview:
    """The fullmakts she has given and received, newest first. Logged."""
    on = on or today_oslo()
    with transaction(s_or_engine) as s:
        me = _own_person(s, actor)
        given = s.exec(select(Fullmakt, Person).join(Person, Person.id == Fullmakt.receiver_id)
                       .where(Fullmakt.giver_id == me.id)
                       .order_by(col(Fullmakt.created_at).desc(), col(Fullmakt.id).desc())).all()
        received = s.exec(select(Fullmakt, Person).join(Person, Person.id == Fullmakt.giver_id)
                          .where(Fullmakt.receiver_id == me.id)
                          .order_by(col(Fullmakt.created_at).desc(),
                                    col(Fullmakt.id).desc())).all()
        problem = _giver_problem(me, on)
        _log(s, actor, actor.pid, "read", O_LIST, None)
        return Overview(tuple(_view(row, other, on) for row, other in given),
                        tuple(_view(row, other, on) for row, other in received),
                        problem.message_key if problem else None)


def _checked(s: Session, actor: Actor, receiver_nin: str, start: dt.date,
             valid_to: dt.date | None, on: dt.date) -> tuple[Person, Person]:
    """She and the receiver, when she may give him a view for these dates; else the
    FullmaktError that says why (the same neutral one for an unknown and a protected
    receiver, so nothing is learnt about a confidential address)."""
    me = _own_person(s, actor)
    problem = _giver_problem(me, on)
    if problem is not None:
        raise problem
    pid = _parse(receiver_nin)
    if pid == me.nin:
        raise SelfReceiver()
    receiver = person_by_pid(s, pid)
    if receiver is None:
        raise UnknownReceiver()
    if _confidential(receiver):
        raise ProtectedReceiver()
    if start < on:
        raise StartInPast()
    if valid_to is not None and valid_to < on:
        raise EndInPast()
    if valid_to is not None and valid_to < start:
        raise EndBeforeStart()
    if age_on(receiver.birth_date, start) < thresholds().fullmakt_receiver_min_age:
        raise ReceiverTooYoung()
    return me, receiver


@dataclass(frozen=True)
class Receiver:
    """Whom she is about to give a view, as the registry has him, for her to confirm."""

    name: str
    birth_year: int
    valid_from: dt.date
    valid_to: dt.date | None
    updated: bool  # he has one already: confirming changes its end date


def look_up(s_or_engine: SessionOrEngine, actor: Actor, receiver_nin: str, *,
            valid_to: dt.date | None = None, valid_from: dt.date | None = None,
            scope: Service = Service.PREGNANCY, on: dt.date | None = None) -> Receiver:
    """The first of two steps: who the person with this number is, checked as give()
    checks him, so she sees to whom before anything is given. Gives nothing; the look-up
    is logged as a read, in her log and his."""
    on = on or today_oslo()
    start = valid_from or on
    with transaction(s_or_engine) as s:
        me, receiver = _checked(s, actor, receiver_nin, start, valid_to, on)
        existing = _active(s, me.id, receiver.id, scope.value, on)
        _log(s, actor, me.nin, "read", O_RECEIVER, None)
        _log(s, actor, receiver.nin, "read", O_RECEIVER, None)
        return Receiver(receiver.full_name, receiver.birth_date.year,
                        existing.valid_from if existing else start, valid_to,
                        existing is not None)


def give(s_or_engine: SessionOrEngine, actor: Actor, receiver_nin: str, *,
         valid_to: dt.date | None = None, valid_from: dt.date | None = None,
         scope: Service = Service.PREGNANCY, on: dt.date | None = None,
         now: dt.datetime | None = None) -> Given:
    """She gives the person with this national id number a view of her card, from
    `valid_from` (today) to `valid_to` (open-ended when None). Giving again while one is
    active changes its end date. Raises a FullmaktError subclass; writes nothing then."""
    on = on or today_oslo()
    now = now or utcnow()
    start = valid_from or on
    with transaction(s_or_engine) as s:
        me, receiver = _checked(s, actor, receiver_nin, start, valid_to, on)
        # On PostgreSQL, lock her row so two taps cannot both insert; SQLite's BEGIN
        # IMMEDIATE already serialises writers.
        s.exec(select(Person.id).where(Person.id == me.id).with_for_update()).first()
        row = _active(s, me.id, receiver.id, scope.value, on)
        updated = row is not None
        if row is None:
            row = Fullmakt(giver_id=me.id, receiver_id=receiver.id, scope=scope.value,
                           valid_from=start, valid_to=valid_to, created_at=now)
        else:
            row.valid_to = valid_to
        s.add(row)
        s.flush()
        action = "update" if updated else "give"
        _log(s, actor, me.nin, action, O_FULLMAKT, row.id)
        _log(s, actor, receiver.nin, action, O_FULLMAKT, row.id)
        if not updated:
            enqueue(s, recipient_pid=receiver.nin, body=GIVEN_TEXT, kind="fullmakt_given",
                    dedupe_key=f"fullmakt:{row.id}:given", now=now)
        return Given(row.id, receiver.full_name, row.valid_from, row.valid_to, updated)


def revoke(s_or_engine: SessionOrEngine, actor: Actor, fullmakt_id: int, *,
           now: dt.datetime | None = None) -> None:
    """She takes a fullmakt back; the receiver's next request is refused. Revoking twice
    is harmless. The receiver gets no message: the app shows it when he next logs in."""
    now = now or utcnow()
    with transaction(s_or_engine) as s:
        me = _own_person(s, actor)
        row = s.get(Fullmakt, fullmakt_id)
        if row is None or row.giver_id != me.id:
            raise FullmaktNotFound()
        if row.revoked_at is not None:
            return
        row.revoked_at = now
        s.add(row)
        s.flush()
        receiver = s.get(Person, row.receiver_id)
        _log(s, actor, me.nin, "revoke", O_FULLMAKT, row.id)
        if receiver is not None:
            _log(s, actor, receiver.nin, "revoke", O_FULLMAKT, row.id)


__all__ = [
    "EndBeforeStart", "EndInPast", "FullmaktError", "FullmaktNotFound", "FullmaktView",
    "Given", "GiverProtected", "GiverTooYoung", "NinLength", "NinTypo", "OnlyOwner",
    "Overview", "ProtectedReceiver", "Receiver", "ReceiverTooYoung", "SelfReceiver",
    "StartInPast", "UnknownReceiver", "give", "look_up", "overview", "revoke",
]
