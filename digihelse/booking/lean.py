"""The lean path of a booking: the common case (a pupil books a free school-nurse time for
herself) in SQLAlchemy Core, eight statements on one connection, with the same rules,
rows, log record and messages as citizen.book(). Anything else (a parent, a midwife's
time, a refusal of any kind, a repeated request) is handed back as Unusual, and the caller
runs the general ORM path in the same transaction, which raises the refusal and logs it."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from digihelse.access import policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.access.enforcement import _entry, _person_facts, thresholds
from digihelse.audit.log import append_rows
from digihelse.booking.access import booking_service
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.notices import confirmation_text, reminder_text, sms_where
from digihelse.booking.reminders import reminder_key
from digihelse.booking.rules import SCHOOL_PLACES, TOPICS, place_serves_person, refusal
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo, today_oslo
from digihelse.notify.models import Outbox
from digihelse.people.kinds import StaffRole
from digihelse.people.models import Enrollment, Person, Personnel, Place

logger = logging.getLogger(__name__)

_slot, _place, _staff = Slot.__table__, Place.__table__, Personnel.__table__
_person, _booking, _enrolled = Person.__table__, Booking.__table__, Enrollment.__table__
_outbox = Outbox.__table__
_OUTBOX_INSERT = _outbox.insert()
# A refused insert (the slot's partial unique index, the client key) returns no row.
_INSERT_SQLITE = _booking.insert().prefix_with("OR IGNORE", dialect="sqlite").returning(
    _booking.c.id)

_SLOT = (select(_slot.c.id, _slot.c.place_id, _slot.c.start_at, _slot.c.status,
                _place.c.kind, _place.c.municipality_id, _staff.c.role)
         .join(_place, _place.c.id == _slot.c.place_id)
         .join(_staff, _staff.c.id == _slot.c.personnel_id)
         .where(_slot.c.id == bindparam("slot_id")).with_for_update(of=_slot))
_PERSON = select(_person).where(_person.c.nin == bindparam("pid")).with_for_update()
# What else the rules ask, in one round trip: the request seen before, her upcoming
# bookings, whether she is a pupil of the place.
_CHECKS = select(
    select(_booking.c.id).where(_booking.c.client_key == bindparam("key"))
    .scalar_subquery().label("seen"),
    select(func.count()).select_from(_booking.join(_slot, _slot.c.id == _booking.c.slot_id))
    .where(_booking.c.person_id == bindparam("person_id"),
           _booking.c.status == BookingStatus.BOOKED, _slot.c.start_at > bindparam("now"))
    .scalar_subquery().label("active"),
    select(_enrolled.c.id).where(_enrolled.c.person_id == bindparam("person_id"),
                                 _enrolled.c.place_id == bindparam("place_id"))
    .limit(1).scalar_subquery().label("enrolled"),
)


class Unusual(Exception):
    """Not the common case: the general path decides (and raises, and logs)."""


def book(conn: Connection, actor: Actor, *, slot_id: int, client_key: str, topic: str | None,
         note: str | None, now: dt.datetime, settings: BookingSettings) -> Booking:
    """citizen.book()'s common case on a Core connection, in its transaction; raises
    Unusual for anything else, having written nothing."""
    if actor.is_personnel or actor.subject_pid != actor.pid:
        raise Unusual
    slot = conn.execute(_SLOT, {"slot_id": slot_id}).first()
    if slot is None or slot.role == StaffRole.MIDWIFE:
        raise Unusual
    person = conn.execute(_PERSON, {"pid": actor.pid}).first()
    if person is None:
        raise Unusual
    service = booking_service(actor)
    facts = _person_facts(person)
    decision = policy.decide(policy.Facts(facts, facts, (policy.SelfRelation(),),
                                          actor.assurance), service, today_oslo(), thresholds())
    if not decision.allows(Action.BOOK):
        raise Unusual
    seen, active, enrolled = conn.execute(_CHECKS, {
        "key": client_key, "person_id": person.id, "now": now, "place_id": slot.place_id,
    }).one()
    youth_age = person.birth_date is not None and thresholds().in_youth_ages(
        _age(person.birth_date, now))
    if (not place_serves_person(slot.kind, slot.municipality_id, person.municipality_id,
                                service, enrolled=slot.kind not in SCHOOL_PLACES
                                or enrolled is not None, youth_age=youth_age)
            or (topic is not None and topic not in TOPICS.get(service, ()))
            or seen is not None
            or refusal(slot.status, slot.start_at, now, settings) is not None
            or active >= settings.max_active_future_bookings):
        raise Unusual
    fields = dict(slot_id=slot.id, person_id=person.id, service=str(service), topic=topic,
                  note=note, visit_key=None, client_key=client_key, created_at=now,
                  updated_at=now, booked_by_pid=None, status=BookingStatus.BOOKED,
                  guardian_reservation=False)
    inserted = conn.execute(_INSERT_SQLITE if conn.dialect.name == "sqlite" else _insert_pg(),
                            fields).first()
    if inserted is None:  # taken meanwhile, or the key: the general path says which
        raise Unusual
    booking_id = inserted[0]
    append_rows(conn, [_entry(actor, person.nin, action="create", object_type="appointment",
                              object_id=str(booking_id), outcome="ok",
                              detail=service.value,
                              hidden_from_parents=service in (Service.YOUTH, Service.PREGNANCY))])
    _queue_messages(conn, booking_id, person.nin, slot.start_at, sms_where(service, slot.kind),
                    now, settings)
    return Booking(id=booking_id, **fields)


@functools.cache
def _insert_pg():
    from sqlalchemy.dialects.postgresql import insert

    return insert(_booking).on_conflict_do_nothing().returning(_booking.c.id)


def _age(birth: dt.date, now: dt.datetime) -> int:
    from digihelse.people.nin import age_on

    return age_on(birth, to_oslo(now).date())


def _queue_messages(conn: Connection, booking_id: int, recipient: str, start: dt.datetime,
                    where: str, now: dt.datetime, settings: BookingSettings) -> None:
    """The confirmation and the reminder, as reminders.queue_notices() queues them: in
    a savepoint of their own, since a failure here never undoes the booking."""
    rows = [dict(recipient_pid=recipient, channel="sms", body=confirmation_text(start, where),
                 kind="confirmed", dedupe_key=f"booking:{booking_id}:confirmed",
                 next_attempt_at=now, created_at=now, status="pending", attempts=0)]
    send_at = start - settings.reminder_before
    if send_at > now:
        rows.append(dict(rows[0], kind="reminder", dedupe_key=reminder_key(booking_id),
                         body=reminder_text(start, to_oslo(send_at).date(), where),
                         next_attempt_at=send_at))
    # A failed statement undoes only itself on SQLite; PostgreSQL's aborts the
    # transaction unless it ran in a savepoint.
    savepoint = conn.begin_nested() if conn.dialect.name != "sqlite" else None
    try:
        conn.execute(_OUTBOX_INSERT, rows)
    except Exception:
        if savepoint is not None:
            savepoint.rollback()
        logger.exception("could not queue the message for booking %s", booking_id)
    else:
        if savepoint is not None:
            savepoint.commit()
