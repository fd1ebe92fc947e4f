"""The lean path of a booking: the common case (a pupil books a free school-nurse time for
herself) in six statements on one connection (SQLAlchemy Core, run on the sqlite3
connection itself on SQLite), with the same rules, rows, log record and messages as
citizen.book() (tests/unit/booking/test_lean_booking.py compares). Anything else (a parent,
a midwife's time, a refusal of any kind, a repeated request) is handed back as Unusual
having written nothing, and the caller runs the general ORM path in a new transaction,
which raises the refusal and logs it."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from digihelse.access import policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.access.enforcement import _entry, thresholds
from digihelse.audit.log import GENESIS, append_rows, chained_rows
from digihelse.audit.models import AccessLog
from digihelse.booking.access import booking_service
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.notices import confirmation_text, reminder_text, sms_where
from digihelse.booking.reminders import reminder_key
from digihelse.booking.rules import SCHOOL_PLACES, TOPICS, place_serves_person, refusal
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo, today_oslo, utcnow
from digihelse.notify.models import Outbox
from digihelse.people.kinds import StaffRole
from digihelse.people.models import Enrollment, Person, Personnel, Place

logger = logging.getLogger(__name__)

_slot, _place, _staff = Slot.__table__, Place.__table__, Personnel.__table__
_person, _booking, _enrolled = Person.__table__, Booking.__table__, Enrollment.__table__
_outbox = Outbox.__table__
_OUTBOX_INSERT = _outbox.insert()
_LOG_HEAD = select(AccessLog.__table__.c.row_hash).order_by(
    AccessLog.__table__.c.id.desc()).limit(1)

_SLOT = (select(_slot.c.id, _slot.c.place_id, _slot.c.start_at, _slot.c.status,
                _place.c.kind, _place.c.municipality_id, _staff.c.role)
         .join(_place, _place.c.id == _slot.c.place_id)
         .join(_staff, _staff.c.id == _slot.c.personnel_id)
         .where(_slot.c.id == bindparam("slot_id")).with_for_update(of=_slot))
_PERSON = (select(_person.c.id, _person.c.nin, _person.c.birth_date, _person.c.address_key,
                  _person.c.address_protection, _person.c.municipality_id)
           .where(_person.c.nin == bindparam("pid")).with_for_update())
# What else the rules ask, in one round trip: the request seen before, her upcoming
# bookings, whether she is a pupil of the place (and, on SQLite, the log's head).
_CHECKS = [
    select(_booking.c.id).where(_booking.c.client_key == bindparam("key"))
    .scalar_subquery().label("seen"),
    select(func.count()).select_from(_booking.join(_slot, _slot.c.id == _booking.c.slot_id))
    .where(_booking.c.person_id == bindparam("person_id"),
           _booking.c.status == BookingStatus.BOOKED, _slot.c.start_at > bindparam("now"))
    .scalar_subquery().label("active"),
    select(_enrolled.c.id).where(_enrolled.c.person_id == bindparam("person_id"),
                                 _enrolled.c.place_id == bindparam("place_id"))
    .limit(1).scalar_subquery().label("enrolled"),
]
_CHECKS_PG = select(*_CHECKS)
_CHECKS_SQLITE = select(*_CHECKS, _LOG_HEAD.scalar_subquery().label("head"))
_BOOKING_COLUMNS = ("slot_id", "person_id", "booked_by_pid", "service", "status", "topic",
                    "visit_key", "note", "client_key", "guardian_reservation", "created_at",
                    "updated_at")
_LOG_COLUMNS = ("at", "actor_pid", "actor_role", "actor_name", "actor_hpr", "organisation",
                "on_behalf_of_pid", "subject_pid", "object_type", "object_id", "action",
                "channel", "outcome", "detail", "hidden_from_parents", "prev_hash", "row_hash",
                "keyed")
_OUTBOX_COLUMNS = ("recipient_pid", "channel", "body", "kind", "status", "attempts",
                   "next_attempt_at", "dedupe_key", "created_at")


def _insert_sql(table: str, columns: tuple[str, ...], head: str = "INSERT") -> str:
    return (f"{head} INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


class _Sqlite:
    """The same statements on the sqlite3 connection itself: SQLAlchemy's execution
    costs more than SQLite's, and this path runs for every booking in the writer."""

    def __init__(self) -> None:
        dialect = sqlite.dialect()
        self.compiled = {}
        for name, stmt in (("slot", _SLOT), ("person", _PERSON), ("checks", _CHECKS_SQLITE)):
            compiled = stmt.compile(dialect=dialect)
            self.compiled[name] = (str(compiled), compiled.positiontup, compiled.params)
        self.booking = _insert_sql("booking", _BOOKING_COLUMNS, "INSERT OR IGNORE") + \
            " RETURNING id"
        self.log = _insert_sql("access_log", _LOG_COLUMNS)
        self.outbox = _insert_sql("outbox", _OUTBOX_COLUMNS)

    def one(self, cursor, name: str, params: dict):
        sql, order, fixed = self.compiled[name]
        values = {**fixed, **params}
        return cursor.execute(sql, [_bind(values[key]) for key in order]).fetchone()


def _bind(value):
    """A value as SQLAlchemy stores it in SQLite (UTCDateTime: UTC, without the offset)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _as_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


_SQLITE = _Sqlite()


class Unusual(Exception):
    """Not the common case: the general path decides (and raises, and logs)."""


def book(conn: Connection, actor: Actor, *, slot_id: int, client_key: str, topic: str | None,
         note: str | None, now: dt.datetime, settings: BookingSettings) -> Booking:
    """citizen.book()'s common case on a Core connection, in its transaction; raises
    Unusual for anything else, having written nothing."""
    if actor.is_personnel or actor.subject_pid != actor.pid:
        raise Unusual
    lite = conn.dialect.name == "sqlite"
    cursor = conn.connection.driver_connection.cursor() if lite else None

    def one(name: str, stmt, params: dict):
        return _SQLITE.one(cursor, name, params) if lite else conn.execute(stmt, params).first()

    slot = one("slot", _SLOT, {"slot_id": slot_id})
    if slot is None or slot[6] == StaffRole.MIDWIFE:
        raise Unusual
    slot_id, place_id, start_at, status, kind, municipality, _role = slot
    start_at = _as_datetime(start_at)
    person = one("person", _PERSON, {"pid": actor.pid})
    if person is None:
        raise Unusual
    person_id, nin, birth, address_key, protection, person_municipality = person
    birth = _as_date(birth)
    service = booking_service(actor)
    limits = thresholds()
    facts = policy.PersonFacts(nin, birth, address_key, str(protection))
    decision = policy.decide(policy.Facts(facts, facts, (policy.SelfRelation(),),
                                          actor.assurance), service, today_oslo(), limits)
    if not decision.allows(Action.BOOK):
        raise Unusual
    checks = one("checks", _CHECKS_PG, {"key": client_key, "person_id": person_id, "now": now,
                                        "place_id": place_id})
    seen, active, enrolled = checks[:3]
    youth_age = birth is not None and limits.in_youth_ages(_age(birth, now))
    if (not place_serves_person(kind, municipality, person_municipality, service,
                                enrolled=kind not in SCHOOL_PLACES or enrolled is not None,
                                youth_age=youth_age)
            or (topic is not None and topic not in TOPICS.get(service, ()))
            or seen is not None
            or refusal(status, start_at, now, settings) is not None
            or active >= settings.max_active_future_bookings):
        raise Unusual
    fields = dict(slot_id=slot_id, person_id=person_id, service=str(service), topic=topic,
                  note=note, visit_key=None, client_key=client_key, created_at=now,
                  updated_at=now, booked_by_pid=None, status=str(BookingStatus.BOOKED),
                  guardian_reservation=False)
    _clear_holds(conn, cursor, slot_id, person_id, now)
    try:
        if lite:
            inserted = cursor.execute(_SQLITE.booking,
                                      [_bind(fields[c]) for c in _BOOKING_COLUMNS]).fetchone()
        else:
            inserted = conn.execute(_insert_pg(), fields).first()
    except (sqlite3.IntegrityError, IntegrityError):  # held (0016's trigger): the general
        raise Unusual from None  # path says so; the caller's savepoint undoes the above
    if inserted is None:  # taken meanwhile, or the key: the general path says which
        raise Unusual
    booking_id = inserted[0]
    entry = _entry(actor, nin, action="create", object_type="appointment",
                   object_id=str(booking_id), outcome="ok", detail=service.value,
                   hidden_from_parents=service in (Service.YOUTH, Service.PREGNANCY))
    if lite:  # the writer holds SQLite's write lock: the head read above is still the head
        for row in chained_rows(checks[3] or GENESIS, [entry], utcnow()):  # when it was done
            cursor.execute(_SQLITE.log, [_bind(row[c]) for c in _LOG_COLUMNS])
    else:
        append_rows(conn, [entry])
    messages = _messages(booking_id, nin, start_at, sms_where(service, kind), now, settings)
    _queue(conn, cursor, booking_id, messages)
    return Booking.model_construct(id=booking_id, **fields)


_OTHERS_HOLD = ("SELECT 1 FROM slot_hold WHERE slot_id = ? AND status = 'active' "
                "AND expires_at > ? AND person_id != ? LIMIT 1")
_END_OWN_HOLD = ("UPDATE slot_hold SET status = 'confirmed', ended_at = ? "
                 "WHERE slot_id = ? AND person_id = ? AND status = 'active'")
_END_TIMED_OUT = ("UPDATE slot_hold SET status = 'expired', ended_at = ? "
                  "WHERE slot_id = ? AND expires_at <= ? AND status = 'active'")


def _clear_holds(conn: Connection, cursor, slot_id: int, person_id: int,
                 now: dt.datetime) -> None:
    """holds.clear_for_booking() on this connection: her own hold on the slot is used up
    and a timed-out one ended. Someone else's live hold: Unusual (the general path
    refuses it with the alternatives), before anything is written."""
    def run(sql: str, values: list):
        if cursor is not None:
            return cursor.execute(sql, [_bind(v) for v in values])
        names = [f"p{i}" for i in range(len(values))]
        for name in names:
            sql = sql.replace("?", f":{name}", 1)
        return conn.execute(text(sql), dict(zip(names, values, strict=True)))

    if run(_OTHERS_HOLD, [slot_id, now, person_id]).fetchone() is not None:
        raise Unusual
    run(_END_OWN_HOLD, [now, slot_id, person_id])
    run(_END_TIMED_OUT, [now, slot_id, now])


def _insert_pg():
    from sqlalchemy.dialects.postgresql import insert

    return insert(_booking).on_conflict_do_nothing().returning(_booking.c.id)


def _age(birth: dt.date, now: dt.datetime) -> int:
    from digihelse.people.nin import age_on

    return age_on(birth, to_oslo(now).date())


def _messages(booking_id: int, recipient: str, start: dt.datetime, where: str,
              now: dt.datetime, settings: BookingSettings) -> list[dict]:
    """The confirmation and the reminder, as reminders.queue_notices() queues them."""
    rows = [dict(recipient_pid=recipient, channel="sms", body=confirmation_text(start, where),
                 kind="confirmed", dedupe_key=f"booking:{booking_id}:confirmed",
                 next_attempt_at=now, created_at=now, status="pending", attempts=0)]
    send_at = start - settings.reminder_before
    if send_at > now:
        rows.append(dict(rows[0], kind="reminder", dedupe_key=reminder_key(booking_id),
                         body=reminder_text(start, to_oslo(send_at).date(), where),
                         next_attempt_at=send_at))
    return rows


def _queue(conn: Connection, cursor, booking_id: int, rows: list[dict]) -> None:
    """A failure here never undoes the booking (it is logged). A failed statement undoes
    only itself on SQLite; PostgreSQL's aborts the transaction unless in a savepoint."""
    savepoint = conn.begin_nested() if cursor is None else None
    try:
        if cursor is not None:
            cursor.executemany(_SQLITE.outbox,
                               [[_bind(row[c]) for c in _OUTBOX_COLUMNS] for row in rows])
        else:
            conn.execute(_OUTBOX_INSERT, rows)
    except Exception:
        if savepoint is not None:
            savepoint.rollback()
        logger.exception("could not queue the message for booking %s", booking_id)
    else:
        if savepoint is not None:
            savepoint.commit()
