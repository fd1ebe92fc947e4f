"""The lean booking path (booking/lean.py) writes what the general path writes: the same
booking, access-log row and messages; it hands every unusual case to the general path;
and under concurrent clients no booking is lost or doubled and the log's chain holds."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from digihelse.access.actors import Actor
from digihelse.audit import log as audit_log
from digihelse.audit.models import AccessLog
from digihelse.booking import citizen, errors, lean
from digihelse.booking.models import Booking, BookingStatus
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.notify.models import Outbox
from tests.factories import NOW, TUESDAY, World

SETTINGS = BookingSettings()
BOOKING_FIELDS = ("person_id", "booked_by_pid", "service", "status", "topic", "visit_key",
                  "note", "guardian_reservation", "created_at", "updated_at", "cancelled_at",
                  "cancel_reason", "cancelled_by", "moved_from_booking_id")
LOG_FIELDS = ("actor_pid", "actor_role", "actor_name", "actor_hpr", "organisation",
              "on_behalf_of_pid", "subject_pid", "object_type", "action", "channel",
              "outcome", "detail", "hidden_from_parents", "keyed")


def _rows_of(world: World, booking_id: int) -> tuple[dict, list[dict], list[tuple]]:
    with db.session(world.engine) as s:
        booking = s.get(Booking, booking_id)
        logs = s.exec(select(AccessLog).where(AccessLog.object_id == str(booking_id),
                                              AccessLog.object_type == "appointment")).all()
        messages = s.exec(select(Outbox).where(
            Outbox.dedupe_key.like(f"booking:{booking_id}:%"))).all()
    return ({f: getattr(booking, f) for f in BOOKING_FIELDS},
            [{f: getattr(row[0], f) for f in LOG_FIELDS} for row in logs],
            sorted((m.kind, m.recipient_pid, m.channel, m.status, m.attempts,
                    m.dedupe_key.split(":")[2]) for (m,) in messages))


def _request(world: World, slot_id: int, key: str, **kw) -> dict:
    return dict(slot_id=slot_id, client_key=key, topic=kw.get("topic"), note=kw.get("note"),
                now=NOW, settings=SETTINGS)


@pytest.mark.postgres
def test_the_lean_path_writes_what_the_general_path_writes(world):
    ida = world.pupil("ida")
    lean_slot, general_slot = world.slot_at(TUESDAY, 10), world.slot_at(TUESDAY, 11)
    fast = citizen._lean_book(world.engine, ida, _request(world, lean_slot, "lean",
                                                          topic="feelings", note="Hei"))
    assert fast is not None  # the common case took the lean path
    with db.write_session(world.engine) as s:  # a Session: the general path
        slow = citizen.book(s, ida, slot_id=general_slot, client_key="general",
                            topic="feelings", note="Hei", now=NOW, settings=SETTINGS)
    assert _rows_of(world, fast.id) == _rows_of(world, slow.id)
    assert fast.slot_id == lean_slot and fast.status == BookingStatus.BOOKED
    with db.session(world.engine) as s:
        assert audit_log.verify(s).ok


@pytest.mark.postgres
@pytest.mark.parametrize("case", ["taken", "repeat", "reused_key", "parent", "bad_topic",
                                  "past", "unknown_slot"])
def test_every_unusual_case_goes_to_the_general_path_unwritten(world, case):
    slot_id = world.slot_at(TUESDAY, 10)
    ida, mia = world.pupil("ida"), world.pupil("mia")
    if case in ("taken", "repeat", "reused_key"):
        citizen.book(world.engine, ida, slot_id=slot_id, client_key="first", now=NOW,
                     settings=SETTINGS)
    actor, request = ida, _request(world, slot_id, "second")
    if case == "taken":
        actor = mia
    elif case == "repeat":
        request["client_key"] = "first"
    elif case == "reused_key":
        request.update(client_key="first", slot_id=world.slot_at(TUESDAY, 11))
    elif case == "parent":
        actor = Actor(pid=world.persons["per"].nin, role="citizen",
                      on_behalf_of_pid=world.persons["sara"].nin)
    elif case == "bad_topic":
        request["topic"] = "growth"  # a parent's topic, not the youth service's
    elif case == "past":
        request["now"] = NOW.replace(year=NOW.year + 1)
    elif case == "unknown_slot":
        request["slot_id"] = 10**9
    with db.session(world.engine) as s:
        before = (len(s.exec(select(Booking)).all()), len(s.exec(select(AccessLog)).all()))
    with pytest.raises(lean.Unusual), world.engine.begin() as conn:
        lean.book(conn, actor, **request)
    with db.session(world.engine) as s:
        after = (len(s.exec(select(Booking)).all()), len(s.exec(select(AccessLog)).all()))
    assert after == before


def test_the_general_path_answers_what_the_lean_path_hands_over(world):
    slot_id = world.slot_at(TUESDAY, 10)
    first = citizen.book(world.engine, world.pupil("ida"), slot_id=slot_id, client_key="k",
                         now=NOW, settings=SETTINGS)
    again = citizen.book(world.engine, world.pupil("ida"), slot_id=slot_id, client_key="k",
                         now=NOW, settings=SETTINGS)
    assert again.id == first.id
    with pytest.raises(errors.SlotTaken):
        citizen.book(world.engine, world.pupil("mia"), slot_id=slot_id, client_key="m",
                     now=NOW, settings=SETTINGS)


@pytest.mark.postgres
def test_concurrent_clients_lose_no_booking_double_none_and_keep_the_chain(world):
    slots = [world.slot_at(TUESDAY, hour, minute) for hour in (9, 10, 12)
             for minute in (0, 20, 40)]
    pupils = ["ida", "mia", "emil", "sara"]  # the school's pupils
    won: list[tuple[str, int, int]] = []
    taken: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(pupils))

    def client(who: str) -> None:
        barrier.wait()
        for slot_id in slots:  # everybody tries every slot: each has one winner
            try:
                booking = citizen.book(world.engine, world.pupil(who), slot_id=slot_id,
                                       client_key=f"{who}-{slot_id}", now=NOW,
                                       settings=BookingSettings(max_active_future_bookings=99))
            except errors.SlotTaken:
                with lock:
                    taken.append((who, slot_id))
            else:
                with lock:
                    won.append((who, slot_id, booking.id))

    threads = [threading.Thread(target=client, args=(who,)) for who in pupils]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(slot for _, slot, _ in won) == sorted(slots)  # one winner a slot
    assert len(won) + len(taken) == len(pupils) * len(slots)  # nobody's answer lost
    with db.session(world.engine) as s:
        active = s.exec(select(Booking).where(Booking.status != BookingStatus.CANCELLED)).all()
        assert sorted(b.id for (b,) in active) == sorted(i for *_, i in won)
        logged = {int(r.object_id) for (r,) in s.exec(select(AccessLog).where(
            AccessLog.action == "create", AccessLog.object_type == "appointment")).all()}
        assert {i for *_, i in won} <= logged  # every booking has its log row
        assert audit_log.verify(s).ok
