"""The booking service: book, idempotency, limits, notice, cancel, move, alternatives,
blocking, attendance, and messages that never carry health content."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.audit.models import AccessLog
from digihelse.booking import citizen, errors, opening_hours, reminders, rules, staff, views
from digihelse.booking.models import Booking, BookingStatus, SlotStatus
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO
from digihelse.notify.models import Outbox, OutboxStatus
from digihelse.people.nin import age_on
from tests.factories import NOW, SCHOOL, TUESDAY, World, oslo

SETTINGS = BookingSettings()  # the default booking limits


def _book(world: World, who: str, slot_id: int, key: str | None = None, **kw) -> Booking:
    return citizen.book(world.engine, world.pupil(who), slot_id=slot_id,
                        client_key=key or f"{who}-{slot_id}", now=kw.pop("now", NOW),
                        settings=kw.pop("settings", SETTINGS), **kw)


# --- booking -------------------------------------------------------------------------------


def test_book_writes_booking_access_log_and_messages_in_one_go(world):
    slot_id = world.slot_at(TUESDAY, 10, 20)
    booking = _book(world, "ida", slot_id, topic="feelings", note="Jeg sover dårlig")
    assert booking.status == BookingStatus.BOOKED and booking.service == "youth"
    assert booking.topic == "feelings" and booking.note == "Jeg sover dårlig"
    with db.session(world.engine) as s:
        rows = s.exec(select(AccessLog).where(AccessLog.object_id == str(booking.id))).all()
    assert [(r.action, r.subject_pid, r.hidden_from_parents) for r in rows] == [
        ("create", world.persons["ida"].nin, True)]
    messages = world.outbox()
    assert [m.kind for m in messages] == ["confirmed", "reminder"]
    assert messages[0].body == (
        "Timen din hos helsesykepleier er bestilt: tirsdag 25. november kl. 10.20.")
    assert messages[1].body == "Du har en time hos helsesykepleier i morgen kl. 10.20."
    assert messages[1].next_attempt_at == oslo(dt.date(2025, 11, 24), 10, 20)
    assert all(m.recipient_pid == world.persons["ida"].nin for m in messages)


def test_the_same_client_key_returns_the_same_booking(world):
    slot_id = world.slot_at(TUESDAY, 9)
    first = _book(world, "ida", slot_id, key="tap-1")
    again = _book(world, "ida", slot_id, key="tap-1")
    assert again.id == first.id
    with db.session(world.engine) as s:
        assert len(s.exec(select(Booking)).all()) == 1
    assert len(world.outbox()) == 2  # no second confirmation


def test_a_client_key_reused_for_another_slot_is_an_error(world):
    _book(world, "ida", world.slot_at(TUESDAY, 9), key="tap-1")
    with pytest.raises(errors.ClientKeyReused):
        _book(world, "ida", world.slot_at(TUESDAY, 9, 20), key="tap-1")


def test_at_most_two_active_future_bookings(world):
    _book(world, "ida", world.slot_at(TUESDAY, 9))
    second = _book(world, "ida", world.slot_at(TUESDAY, 9, 20))
    with pytest.raises(errors.LimitReached) as caught:
        _book(world, "ida", world.slot_at(TUESDAY, 9, 40))
    assert caught.value.code == "limit_reached" and caught.value.limit == 2
    citizen.cancel(world.engine, world.pupil("ida"), second.id, now=NOW, settings=SETTINGS)
    assert _book(world, "ida", world.slot_at(TUESDAY, 9, 40)).status == BookingStatus.BOOKED


def test_the_limit_is_a_setting(world):
    one = BookingSettings(max_active_future_bookings=1)
    _book(world, "ida", world.slot_at(TUESDAY, 9), settings=one)
    with pytest.raises(errors.LimitReached):
        _book(world, "ida", world.slot_at(TUESDAY, 9, 20), settings=one)


def test_no_booking_inside_the_minimum_notice_or_in_the_past(world):
    slot_id = world.slot_at(TUESDAY, 10)
    with pytest.raises(errors.TooLate) as caught:
        _book(world, "ida", slot_id, now=oslo(TUESDAY, 8, 30))
    assert caught.value.code == "min_notice"
    assert caught.value.message_key == "booking.error.min_notice"
    with pytest.raises(errors.TooLate) as caught:
        _book(world, "ida", slot_id, now=oslo(TUESDAY, 10, 5))
    assert caught.value.code == "past"
    # Exactly at the notice is fine.
    assert _book(world, "ida", slot_id, now=oslo(TUESDAY, 8)).status == BookingStatus.BOOKED


def test_free_slots_respect_the_notice_and_come_nearest_first(world):
    with db.session(world.engine) as s:
        slots = citizen.free_slots(s, world.school_id, now=oslo(TUESDAY, 8, 30), days=7,
                                   settings=SETTINGS)
    assert slots[0].start_local.time() == dt.time(10, 40)  # 10.30 would be inside 2 hours
    assert [f.start_at for f in slots] == sorted(f.start_at for f in slots)
    days = views.group_by_day(slots)
    assert [day for day, _ in days] == [TUESDAY, dt.date(2025, 11, 27)]
    assert slots[0].label == "Tirsdag 25. nov 10.40"
    assert slots[0].nurse_name == "Kari Lund"
    assert all(f.start_local.time() != dt.time(11, 40) for f in slots)  # lunch


def test_a_booked_slot_is_not_free(world):
    slot_id = world.slot_at(TUESDAY, 9)
    _book(world, "ida", slot_id)
    with db.session(world.engine) as s:
        assert slot_id not in {f.slot_id for f in citizen.free_slots(s, world.school_id, now=NOW,
                                                                     settings=SETTINGS)}


def test_slot_taken_offers_the_three_nearest_free_alternatives(world):
    wanted = world.slot_at(TUESDAY, 10)
    _book(world, "mia", wanted)
    _book(world, "emil", world.slot_at(TUESDAY, 10, 20))
    with pytest.raises(errors.SlotTaken) as caught:
        _book(world, "ida", wanted)
    err = caught.value
    assert err.code == "slot_taken" and err.message_key == "booking.error.slot_taken"
    assert [a.start_local.time() for a in err.alternatives] == [
        dt.time(9, 20), dt.time(9, 40), dt.time(10, 40)]
    with db.session(world.engine) as s:  # nothing changed for Ida
        ida = world.persons["ida"].id
        assert s.exec(select(Booking).where(Booking.person_id == ida)).all() == []


def test_a_pupil_books_only_at_her_own_school(world):
    with pytest.raises(AccessDenied):
        _book(world, "noah", world.slot_at(TUESDAY, 9))


def test_personnel_do_not_book(world):
    with pytest.raises(AccessDenied):
        citizen.book(world.engine, world.kari, slot_id=world.slot_at(TUESDAY, 9), client_key="x",
                 now=NOW, settings=SETTINGS)


def test_the_database_itself_refuses_a_second_active_booking_on_a_slot(world):
    slot_id = world.slot_at(TUESDAY, 9)
    _book(world, "ida", slot_id)
    with pytest.raises(IntegrityError), db.write_session(world.engine) as s:
        s.add(Booking(slot_id=slot_id, person_id=world.persons["mia"].id, client_key="raw"))
    # A cancelled booking does not hold the slot.
    with db.write_session(world.engine) as s:
        s.exec(text("UPDATE booking SET status = 'cancelled'"))
        s.add(Booking(slot_id=slot_id, person_id=world.persons["mia"].id, client_key="raw"))


# --- cancel and move -----------------------------------------------------------------------


def test_pupils_cancel_until_the_cancel_notice(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    with pytest.raises(errors.TooLate) as caught:
        citizen.cancel(world.engine, world.pupil("ida"), booking.id, now=oslo(TUESDAY, 8, 30),
                       settings=SETTINGS)
    assert caught.value.code == "cancel_notice"
    done = citizen.cancel(world.engine, world.pupil("ida"), booking.id, now=oslo(TUESDAY, 7, 59),
                          settings=SETTINGS)
    assert done.status == BookingStatus.CANCELLED and done.cancelled_by == "pupil"
    reminder = next(m for m in world.outbox() if m.kind == "reminder")
    assert reminder.status == OutboxStatus.DROPPED
    assert world.outbox()[-1].body == (
        "Timen din hos helsesykepleier tirsdag 25. november kl. 10.00 er avbestilt.")
    # Cancelling twice is harmless.
    assert citizen.cancel(world.engine, world.pupil("ida"), booking.id, now=NOW,
                          settings=SETTINGS).id == booking.id


def test_a_pupil_cannot_cancel_someone_elses_booking(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    with pytest.raises(AccessDenied):
        citizen.cancel(world.engine, world.pupil("mia"), booking.id, now=NOW, settings=SETTINGS)


def test_nurse_cancels_any_time_with_a_reason_and_the_pupil_is_told_plainly(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10), topic="contraception",
                    note="Trenger resept")
    with pytest.raises(errors.ReasonRequired):
        citizen.cancel(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 50),
                       settings=SETTINGS)
    done = citizen.cancel(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 50),
                      reason="Jeg er dessverre syk i dag.", settings=SETTINGS)
    assert done.cancelled_by == "nurse" and done.cancel_reason == "Jeg er dessverre syk i dag."
    told = world.outbox()[-1]
    assert told.recipient_pid == world.persons["ida"].nin and told.kind == "cancelled"
    assert told.body == ("Helsesykepleieren måtte avlyse timen din tirsdag 25. november "
                         "kl. 10.00. Logg inn for å se beskjeden og bestille en ny time.")
    for forbidden in ("contraception", "Prevensjon", "resept", "dessverre syk"):
        assert forbidden not in told.body
    seen = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                now=oslo(TUESDAY, 9, 50), settings=SETTINGS)
    # Cancelled for later today: not past (its time has not gone), with her reason.
    assert seen.upcoming == [] and seen.past == []
    assert seen.cancelled[0].cancel_reason == "Jeg er dessverre syk i dag."
    later = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                     now=oslo(TUESDAY, 11), settings=SETTINGS)
    assert later.cancelled == [] and [a.booking_id for a in later.past] == [booking.id]


def test_a_moved_booking_says_where_it_went_and_never_the_services_marker(world):
    old = _book(world, "ida", world.slot_at(TUESDAY, 10))
    new = citizen.move(world.engine, world.pupil("ida"), old.id,
                       new_slot_id=world.slot_at(TUESDAY, 13), client_key="move-1", now=NOW,
                       settings=SETTINGS)
    seen = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                    now=NOW, settings=SETTINGS)
    assert [a.booking_id for a in seen.upcoming] == [new.id] and seen.past == []
    (moved,) = seen.cancelled
    assert moved.booking_id == old.id and moved.cancel_reason is None
    assert moved.moved_to == seen.upcoming[0].start_at


def test_the_pupil_is_told_of_what_her_nurse_changed_until_she_has_seen_it(world):
    from digihelse.booking import changes
    from tests import factories

    moved = _book(world, "ida", world.slot_at(TUESDAY, 10))
    dropped = _book(world, "ida", world.slot_at(TUESDAY, 11))
    mine = _book(world, "mia", world.slot_at(TUESDAY, 12))
    citizen.cancel(world.engine, world.pupil("mia"), mine.id, now=NOW, settings=SETTINGS)
    assert changes.unseen_changes(world.engine, world.pupil("mia")) == []  # her own doing
    new = citizen.move(world.engine, world.kari, moved.id, new_slot_id=world.slot_at(TUESDAY, 13),
                       client_key="nurse-move", now=NOW, settings=SETTINGS)
    citizen.cancel(world.engine, world.kari, dropped.id, now=NOW, reason="Jeg er på kurs.",
                   settings=SETTINGS)
    told = {c.booking_id: c for c in changes.unseen_changes(world.engine, world.pupil("ida"))}
    assert told[moved.id].kind == "moved" and told[moved.id].reason is None
    assert told[moved.id].moved_to == oslo(TUESDAY, 13) and new.id != moved.id
    assert told[dropped.id].kind == "cancelled" and told[dropped.id].reason == "Jeg er på kurs."
    # Anyone acting for her (a parent) is never told: the youth service is hers.
    parent = factories.citizen(world.persons["mia"], world.persons["ida"])
    assert changes.unseen_changes(world.engine, parent) == []
    # Nobody else marks it seen; once she has, it stays seen (in the database).
    with pytest.raises(errors.BookingNotFound):
        changes.mark_seen(world.engine, world.pupil("mia"), dropped.id, now=NOW)
    changes.mark_seen(world.engine, world.pupil("ida"), dropped.id, now=NOW)
    left = changes.unseen_changes(world.engine, world.pupil("ida"))
    assert [c.booking_id for c in left] == [moved.id]
    assert world.booking(dropped.id).change_seen_at is not None


def test_a_nurse_from_another_school_cannot_touch_the_booking(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    with pytest.raises(AccessDenied):
        citizen.cancel(world.engine, world.nurse("mona"), booking.id, now=NOW, reason="x",
                       settings=SETTINGS)


def test_move_cancels_and_books_in_one_step(world):
    old = _book(world, "ida", world.slot_at(TUESDAY, 10), topic="feelings")
    new = citizen.move(world.engine, world.pupil("ida"), old.id,
                   new_slot_id=world.slot_at(TUESDAY, 13), client_key="move-1", now=NOW,
                       settings=SETTINGS)
    assert new.moved_from_booking_id == old.id and new.topic == "feelings"
    assert world.booking(old.id).status == BookingStatus.CANCELLED
    assert world.booking(old.id).cancel_reason == "moved"
    kinds = [(m.kind, m.status) for m in world.outbox()]
    assert kinds == [("confirmed", "pending"), ("reminder", "dropped"),
                     ("moved", "pending"), ("reminder", "pending")]
    # Retrying the move returns the same new booking.
    again = citizen.move(world.engine, world.pupil("ida"), old.id,
                     new_slot_id=world.slot_at(TUESDAY, 13), client_key="move-1", now=NOW,
                         settings=SETTINGS)
    assert again.id == new.id


def test_move_to_a_taken_slot_changes_nothing(world):
    old = _book(world, "ida", world.slot_at(TUESDAY, 10))
    taken = world.slot_at(TUESDAY, 13)
    _book(world, "mia", taken)
    before = world.outbox()
    with pytest.raises(errors.SlotTaken) as caught:
        citizen.move(world.engine, world.pupil("ida"), old.id, new_slot_id=taken,
                 client_key="move-1", now=NOW, settings=SETTINGS)
    assert len(caught.value.alternatives) == 3
    assert world.booking(old.id).status == BookingStatus.BOOKED
    with db.session(world.engine) as s:
        assert s.exec(select(Booking).where(Booking.client_key == "move-1")).first() is None
    assert [(m.id, m.status) for m in world.outbox()] == [(m.id, m.status) for m in before]


def test_the_nurse_moves_a_booking_to_one_of_her_own_free_times(world):
    old = _book(world, "ida", world.slot_at(TUESDAY, 10), note="Om søvn")
    _book(world, "mia", world.slot_at(TUESDAY, 13))
    free = staff.own_free_slots(world.engine, world.kari, world.school_id, exclude=None, now=NOW)
    starts = {f.slot_id for f in free}
    assert world.slot_at(TUESDAY, 13) not in starts and old.slot_id not in starts
    assert world.slot_at(TUESDAY, 9) in starts
    # Another nurse (Mona, at the upper secondary school) has no times at this place.
    with pytest.raises(AccessDenied):
        staff.own_free_slots(world.engine, world.nurse("mona"), world.school_id, now=NOW)
    new = citizen.move(world.engine, world.kari, old.id, new_slot_id=world.slot_at(TUESDAY, 9),
                   client_key="nurse-move", now=NOW, settings=SETTINGS)
    assert new.note == "Om søvn" and world.booking(old.id).cancelled_by == "nurse"
    moved = [m for m in world.outbox() if m.kind == "moved"]
    assert len(moved) == 1 and "flyttet til tirsdag 25. november kl. 09.00" in moved[0].body


def test_move_does_not_count_against_the_limit(world):
    first = _book(world, "ida", world.slot_at(TUESDAY, 9))
    _book(world, "ida", world.slot_at(TUESDAY, 9, 20))
    moved = citizen.move(world.engine, world.pupil("ida"), first.id,
                     new_slot_id=world.slot_at(TUESDAY, 12), client_key="m", now=NOW,
                         settings=SETTINGS)
    assert moved.status == BookingStatus.BOOKED


# --- the nurse's side ----------------------------------------------------------------------


def test_a_blocked_slot_cannot_be_booked(world):
    slot_id = world.slot_at(TUESDAY, 9)
    blocked = staff.block_slot(world.engine, world.kari, slot_id, reason="Møte", now=NOW)
    assert blocked.status == SlotStatus.BLOCKED
    with pytest.raises(errors.SlotUnavailable):
        _book(world, "ida", slot_id)
    staff.unblock_slot(world.engine, world.kari, slot_id, now=NOW)
    assert _book(world, "ida", slot_id).status == BookingStatus.BOOKED
    with pytest.raises(errors.SlotBooked):
        staff.block_slot(world.engine, world.kari, slot_id, now=NOW)


def test_attended_and_no_show(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    with pytest.raises(errors.InvalidTransition) as caught:
        staff.mark_attended(world.engine, world.kari, booking.id, now=NOW, settings=SETTINGS)
    assert caught.value.code == "not_started"
    done = staff.mark_attended(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 50),
                               settings=SETTINGS)
    assert done.status == BookingStatus.ATTENDED
    fixed = staff.mark_no_show(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 10, 30),
                               settings=SETTINGS)
    assert fixed.status == BookingStatus.NO_SHOW
    with pytest.raises(AccessDenied):
        staff.mark_attended(world.engine, world.pupil("ida"), booking.id, now=oslo(TUESDAY, 11),
                            settings=SETTINGS)
    other = _book(world, "mia", world.slot_at(TUESDAY, 13))
    citizen.cancel(world.engine, world.pupil("mia"), other.id, now=NOW, settings=SETTINGS)
    with pytest.raises(errors.InvalidTransition):
        staff.mark_no_show(world.engine, world.kari, other.id, now=oslo(TUESDAY, 14),
                           settings=SETTINGS)


def test_ikke_mott_waits_until_the_time_has_begun(world):
    """A pupil may come in a little early, so "Møtt" opens 15 minutes before; she has not
    failed to come until her time begins, so "Ikke møtt" opens at the start."""
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    assert rules.marking_opens(oslo(TUESDAY, 10), SETTINGS) == (
        oslo(TUESDAY, 9, 45), oslo(TUESDAY, 10))
    with pytest.raises(errors.InvalidTransition) as caught:
        staff.mark_no_show(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 59),
                           settings=SETTINGS)
    assert caught.value.code == "not_started"
    with pytest.raises(errors.InvalidTransition):
        staff.mark_attended(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 44),
                            settings=SETTINGS)
    assert staff.mark_attended(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 9, 45),
                               settings=SETTINGS).status == BookingStatus.ATTENDED
    assert staff.mark_no_show(world.engine, world.kari, booking.id, now=oslo(TUESDAY, 10),
                              settings=SETTINGS).status == BookingStatus.NO_SHOW


def test_day_view_gives_each_pupils_age_on_the_day_and_her_class(world):
    _book(world, "ida", world.slot_at(TUESDAY, 10))
    view = staff.day_view(world.engine, world.kari, TUESDAY)
    line = next(e.booking for e in view.entries if e.booking is not None)
    assert line.pupil_age == age_on(world.persons["ida"].birth_date, TUESDAY)
    assert line.pupil_class == "9B"


def test_day_view_shows_bookings_with_pupil_and_note_and_logs_the_reads(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10), note="Vil snakke")
    staff.block_slot(world.engine, world.kari, world.slot_at(TUESDAY, 9), now=NOW)
    view = staff.day_view(world.engine, world.kari, TUESDAY)
    assert len(view.entries) == 13
    booked = next(e for e in view.entries if e.booking is not None)
    assert booked.label == "10.00–10.20"
    assert booked.booking.pupil_name == "Ida Berg" and booked.booking.note == "Vil snakke"
    assert view.entries[0].slot_status == SlotStatus.BLOCKED and not view.entries[0].is_free
    with db.session(world.engine) as s:
        reads = s.exec(select(AccessLog).where(AccessLog.action == "read",
                                               AccessLog.object_id == str(booking.id))).all()
    assert [(r.actor_pid, r.subject_pid) for r in reads] == [
        (world.kari.pid, world.persons["ida"].nin)]


def test_week_view_has_seven_days(world):
    week = staff.week_view(world.engine, world.kari, dt.date(2025, 11, 24))
    assert [len(d.entries) for d in week] == [0, 13, 0, 13, 0, 0, 0]


def test_only_nurses_see_the_day(world):
    with pytest.raises(AccessDenied):
        staff.day_view(world.engine, world.pupil("ida"), TUESDAY)


# --- what the pupil (and her parents) see ----------------------------------------------------


def test_appointments_for_the_pupil(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10), topic="feelings")
    seen = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                now=NOW, settings=SETTINGS)
    [a] = seen.upcoming
    assert a.booking_id == booking.id and a.place_name == SCHOOL and a.nurse_name == "Kari Lund"
    assert a.start_local == dt.datetime(2025, 11, 25, 10, 0, tzinfo=OSLO)
    assert a.visibility_key == "booking.visibility.youth" and a.can_change
    later = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                 now=oslo(TUESDAY, 12), settings=SETTINGS)
    assert later.upcoming == [] and [p.booking_id for p in later.past] == [booking.id]


def test_inside_the_cancel_notice_she_is_told_to_call_before_she_tries(world):
    _book(world, "ida", world.slot_at(TUESDAY, 10))
    early = citizen.appointments_for(world.engine, world.pupil("ida"), world.persons["ida"].nin,
                                     now=oslo(TUESDAY, 7, 59), settings=SETTINGS)
    assert early.upcoming[0].can_change and not early.upcoming[0].too_late
    [late] = citizen.appointments_for(world.engine, world.pupil("ida"),
                                      world.persons["ida"].nin, now=oslo(TUESDAY, 8, 30),
                                      settings=SETTINGS).upcoming
    assert late.too_late and not late.can_change
    assert late.place_phone  # the number to call is there, with the place's name
    # Her nurse may still change it: for personnel it is never too late.
    [nurse_view] = citizen.appointments_for(world.engine, world.kari, world.persons["ida"].nin,
                                            now=oslo(TUESDAY, 8, 30), settings=SETTINGS).upcoming
    assert nurse_view.can_change and not nurse_view.too_late


def test_parents_never_see_the_youth_service(world):
    _book(world, "sara", world.slot_at(TUESDAY, 10))
    per = Actor(pid=world.persons["per"].nin, role="citizen", name="Per Hansen",
                on_behalf_of_pid=world.persons["sara"].nin)
    seen = citizen.appointments_for(world.engine, per, world.persons["sara"].nin, now=NOW,
                                    settings=SETTINGS)
    assert seen.upcoming == [] and seen.past == []
    with pytest.raises(AccessDenied):  # and cannot book in her name
        citizen.book(world.engine, per, slot_id=world.slot_at(TUESDAY, 13), client_key="p", now=NOW,
                     settings=SETTINGS)


def test_places_for_pupil_with_nurses_and_drop_in(world):
    opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.DropIn(
        place_id=world.school_id, weekday=0, start=dt.time(11, 30), end=dt.time(12, 30)),
        now=NOW, settings=SETTINGS)
    with db.session(world.engine) as s:
        places = citizen.places_for(s, world.pupil("ida"), now=NOW)
    assert [p.name for p in places] == [SCHOOL, "Helsestasjon for ungdom Fjordvik"]
    assert "Kari Lund" in places[0].nurses
    drop_in = places[0].next_drop_in
    assert drop_in.start_local == dt.datetime(2025, 11, 24, 11, 30, tzinfo=OSLO)
    assert drop_in.end_local.time() == dt.time(12, 30)
    with db.session(world.engine) as s:  # after today's hours, next Monday's
        later = citizen.places_for(s, world.pupil("ida"), now=oslo(TUESDAY, 9))
    assert later[0].next_drop_in.start_local.date() == dt.date(2025, 12, 1)


# --- nothing about health leaves the service ---------------------------------------------------


def test_messages_and_calendar_carry_no_topic_or_note(world):
    note = "Jeg tror jeg er gravid"
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10), topic="contraception", note=note)
    moved = citizen.move(world.engine, world.pupil("ida"), booking.id,
                     new_slot_id=world.slot_at(TUESDAY, 12), client_key="m", now=NOW,
                         settings=SETTINGS)
    citizen.cancel(world.engine, world.kari, moved.id, now=NOW, reason="Kurs", settings=SETTINGS)
    calendar = citizen.calendar_file(world.engine, world.pupil("ida"), moved.id, now=NOW)
    texts = [m.body for m in world.outbox()] + [calendar]
    for body in texts:
        for forbidden in ("contraception", "prevensjon", "gravid", "Kurs", note):
            assert forbidden.lower() not in body.lower()
    assert "SUMMARY:Time hos helsesykepleier" in calendar


def test_calendar_file_is_rfc5545_with_utc_times(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10))
    calendar = citizen.calendar_file(world.engine, world.pupil("ida"), booking.id, now=NOW)
    lines = calendar.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20251125T090000Z" in lines and "DTEND:20251125T092000Z" in lines
    assert f"UID:booking-{booking.id}@digihelse.no" in lines
    assert "DESCRIPTION:Tirsdag 25. november kl. 10.00 (norsk tid)." in lines
    assert all(len(line.encode()) <= 75 for line in lines)


def test_ics_folds_long_lines_without_splitting_characters():
    from digihelse.booking import ics

    event = ics.booking_event(uid="x", start_at=NOW, end_at=NOW, stamp=NOW,
                              location="Å" * 100 + ", rom 214; 2. etasje")
    lines = event.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = event.replace("\r\n ", "")
    assert "LOCATION:" + "Å" * 100 + "\\, rom 214\\; 2. etasje" in unfolded


# --- reminders -------------------------------------------------------------------------------


def test_queue_reminders_fills_a_missing_reminder_once(world):
    booking = _book(world, "ida", world.slot_at(dt.date(2025, 11, 27), 10))
    with db.write_session(world.engine) as s:  # as if the reminder had never been queued
        s.exec(text("DELETE FROM outbox WHERE kind = 'reminder'"))
    day_before = oslo(dt.date(2025, 11, 26), 10, 0, )
    assert reminders.queue_reminders(world.engine, now=day_before - dt.timedelta(hours=1),
                                     settings=SETTINGS) == 0
    assert reminders.queue_reminders(world.engine, now=day_before, settings=SETTINGS) == 1
    assert reminders.queue_reminders(world.engine, now=day_before + dt.timedelta(minutes=1),
                                     settings=SETTINGS) == 0
    reminder = [m for m in world.outbox() if m.kind == "reminder"]
    assert [m.dedupe_key for m in reminder] == [f"booking:{booking.id}:reminder"]
    assert reminder[0].body == "Du har en time hos helsesykepleier i morgen kl. 10.00."


def test_no_reminder_for_a_booking_made_inside_the_last_day(world):
    _book(world, "ida", world.slot_at(TUESDAY, 12), now=oslo(TUESDAY, 8))
    assert [m.kind for m in world.outbox()] == ["confirmed"]
    assert reminders.queue_reminders(world.engine, now=oslo(TUESDAY, 8, 1), settings=SETTINGS) == 0


def test_a_session_joins_the_callers_transaction(world):
    slot_id = world.slot_at(TUESDAY, 9)
    with Session(world.engine) as s:
        citizen.book(s, world.pupil("ida"), slot_id=slot_id, client_key="in-tx", now=NOW,
                     settings=SETTINGS)
        s.rollback()  # the caller decides: nothing is kept
    with db.session(world.engine) as s:
        assert s.exec(select(Booking)).all() == []
        assert s.exec(select(Outbox)).all() == []


def test_a_guardian_reservation_by_the_nurse_hides_the_booking_from_parents(world):
    from digihelse.people.models import Enrollment

    with db.write_session(world.engine) as s:
        s.add(Enrollment(person_id=world.persons["jonas"].id, place_id=world.school_id))
    per = Actor(pid=world.persons["per"].nin, role="citizen", name="Per Hansen",
                on_behalf_of_pid=world.persons["jonas"].nin)
    booking = citizen.book(world.engine, per, slot_id=world.slot_at(TUESDAY, 10),
                       client_key="per-jonas", now=NOW, settings=SETTINGS)
    assert booking.service == "basic"
    seen = citizen.appointments_for(world.engine, per, world.persons["jonas"].nin, now=NOW,
                                    settings=SETTINGS)
    assert [a.booking_id for a in seen.upcoming] == [booking.id]
    with pytest.raises(AccessDenied):  # a parent cannot decide it, nor lift it
        staff.set_guardian_reservation(world.engine, per, booking.id, True, now=NOW)
    staff.set_guardian_reservation(world.engine, world.kari, booking.id, True, now=NOW)
    hidden = citizen.appointments_for(world.engine, per, world.persons["jonas"].nin, now=NOW,
                                      settings=SETTINGS)
    assert hidden.upcoming == [] and hidden.past == []
    staff.set_guardian_reservation(world.engine, world.kari, booking.id, False, now=NOW)
    again = citizen.appointments_for(world.engine, per, world.persons["jonas"].nin, now=NOW,
                                     settings=SETTINGS)
    assert [a.booking_id for a in again.upcoming] == [booking.id]


def _anders_hours(world: World, place_name: str, hour: int = 9) -> int:
    """Anders (school nurse at the youth clinic and the health station) opens an hour on
    Tuesday at a place; returns its first slot."""
    from digihelse.people.models import Personnel, Place

    with db.session(world.engine) as s:
        place = s.exec(select(Place).where(Place.name == place_name)).one()
        worker = s.exec(select(Personnel).where(
            Personnel.person_id == world.persons["anders"].id)).one()
    anders = Actor(pid=world.persons["anders"].nin, role="school_nurse", name="Anders",
                   hpr_number=worker.hpr_number)
    opening_hours.save_schedule_item(world.engine, anders, opening_hours.WeeklyHours(
        place_id=place.id, weekday=1, start=dt.time(hour), end=dt.time(hour + 1),
        slot_minutes=20,
        valid_from=NOW.date()), now=NOW, settings=SETTINGS)
    with db.session(world.engine) as s:
        from digihelse.booking.models import Slot

        return s.exec(select(Slot.id).where(Slot.place_id == place.id,
                                            Slot.start_at == oslo(TUESDAY, hour))).one()


def test_a_parent_books_the_childs_health_station_with_a_childs_topics(world):
    station = _anders_hours(world, "Fjordvik helsestasjon")
    per = Actor(pid=world.persons["per"].nin, role="citizen", name="Per Hansen",
                on_behalf_of_pid=world.persons["jonas"].nin)
    with db.session(world.engine) as s:
        places = citizen.places_for(s, per, now=NOW)
    assert [(p.name, p.service) for p in places] == [("Fjordvik helsestasjon", "basic")]
    with pytest.raises(errors.BookingError) as youth_topic:
        citizen.book(world.engine, per, slot_id=station, client_key="j1", topic="contraception",
                     now=NOW, settings=SETTINGS)
    assert youth_topic.value.code == "bad_request"
    booking = citizen.book(world.engine, per, slot_id=station, client_key="j2",
                           topic="growth", now=NOW, settings=SETTINGS)
    assert (booking.service, booking.topic) == ("basic", "growth")


def test_the_youth_clinic_is_never_a_childs_and_the_health_station_never_a_pupils(world):
    clinic = _anders_hours(world, "Helsestasjon for ungdom Fjordvik")
    station_slot = _anders_hours(world, "Fjordvik helsestasjon", hour=10)
    per = Actor(pid=world.persons["per"].nin, role="citizen", name="Per Hansen",
                on_behalf_of_pid=world.persons["emma"].nin)
    with pytest.raises(AccessDenied) as child:
        citizen.book(world.engine, per, slot_id=clinic, client_key="e1", now=NOW,
                     settings=SETTINGS)
    assert child.value.code == "not_your_place"
    ida = world.pupil("ida")
    with db.session(world.engine) as s:
        assert "Fjordvik helsestasjon" not in {p.name for p in citizen.places_for(s, ida)}
    with pytest.raises(AccessDenied):
        citizen.book(world.engine, ida, slot_id=station_slot, client_key="i1", now=NOW,
                     settings=SETTINGS)
    # Her own topics are the youth service's; a child's are not offered to her.
    with pytest.raises(errors.BookingError):
        citizen.book(world.engine, ida, slot_id=clinic, client_key="i2", topic="vaccination",
                     now=NOW, settings=SETTINGS)
    assert citizen.book(world.engine, ida, slot_id=clinic, client_key="i3", topic="feelings",
                        now=NOW, settings=SETTINGS).service == "youth"


def test_a_nurses_reason_longer_than_its_column_is_refused_plainly(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 9))
    with pytest.raises(errors.BookingError) as long:
        citizen.cancel(world.engine, world.kari, booking.id, reason="x" * 501, now=NOW,
                       settings=SETTINGS)
    assert long.value.message_key == "booking.error.note_too_long"
    assert world.booking(booking.id).status == BookingStatus.BOOKED


def test_hidden_controls_never_reach_the_nurse(world):
    booking = _book(world, "ida", world.slot_at(TUESDAY, 10),
                    note="Hei\u0000 \u202etxet\u202c nå")
    assert world.booking(booking.id).note == "Hei txet nå"
