"""Booking the next recommended pregnancy consultation with her own midwife: the midwife's
hours make slots, the woman books, others are refused, the midwife runs her day, and the
messages and access log behave as for the youth service."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.access.actors import AccessDenied, Actor
from digihelse.audit.models import AccessLog
from digihelse.booking import citizen, errors, notices, opening_hours, staff
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.pregnancy import pregnancy_booking_options
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO
from digihelse.healthcard.models import PregnancyRecord
from digihelse.healthcard.service import CardNotFound
from digihelse.notify.models import Outbox
from digihelse.people.models import Fullmakt, Person, Personnel, Place, StaffAssignment
from tests.factories import STATION, make_station_world, oslo
from tests.factories import StationWorld as World

SETTINGS = BookingSettings()  # the default booking limits

# Monday 23 November 2026, 08:00 in Oslo; Nora is 27+3 (seeded relative to this day), so
# her next consultation is week 28: window 26+0-29+6 = 13 November - 10 December.
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=OSLO).astimezone(dt.UTC)
WEDNESDAY = dt.date(2026, 11, 25)


@pytest.fixture
def world(engine) -> World:
    return make_station_world(engine, TODAY, NOW)


# --- the midwife's hours --------------------------------------------------------------------


def test_a_midwife_publishes_hours_and_they_become_slots(world):
    with db.session(world.engine) as s:
        wednesday = s.exec(select(Slot).where(
            Slot.personnel_id == world.lise_id, Slot.start_at >= oslo(WEDNESDAY, 0),
            Slot.start_at < oslo(WEDNESDAY, 23)).order_by(Slot.start_at)).all()
        mine = opening_hours.my_schedule(s, world.staff("lise"))
    starts = [slot.start_at for slot in wednesday]
    assert len(starts) == 12  # 08.30-11.30 and 12.00-15.00, every 30 minutes
    assert oslo(WEDNESDAY, 11, 30) not in starts and oslo(WEDNESDAY, 12) in starts
    assert [row.weekday for row in mine.weekly] == [0, 2]


def test_a_midwife_needs_to_serve_the_place_and_a_gp_keeps_no_schedule(world):
    with db.session(world.engine) as s:
        school = s.exec(select(Place).where(Place.kind == "lower_secondary")).one().id
    with pytest.raises(AccessDenied) as elsewhere:
        opening_hours.save_schedule_item(
            world.engine, world.staff("lise"), opening_hours.WeeklyHours(
                place_id=school, weekday=1, start=dt.time(9), end=dt.time(10)),
            now=NOW, settings=SETTINGS)
    assert elsewhere.value.code == "no_care_relation"
    with pytest.raises(AccessDenied) as gp:
        staff.day_view(world.engine, world.staff("ole"), WEDNESDAY)
    assert gp.value.code == "role_not_permitted"


def test_pupils_and_parents_are_never_offered_the_midwifes_times(world):
    with db.session(world.engine) as s:
        offered = citizen.free_slots(s, world.station_id, from_date=TODAY, days=7, now=NOW,
                                     settings=SETTINGS)
    assert all(slot.nurse_name != "Lise Haugen" for slot in offered)
    with pytest.raises(AccessDenied) as refused:  # Per books for Jonas (10) on Lise's time
        world.book("per", world.slot_at(WEDNESDAY, 9), for_key="jonas")
    assert refused.value.code == "card_personal"


# --- what the card offers ----------------------------------------------------------------


def test_the_card_offers_the_next_consultation_with_her_midwifes_free_times(world):
    options = pregnancy_booking_options(world.engine, world.citizen("nora"),
                                        world.persons["nora"].nin, NOW, settings=SETTINGS)
    assert options.state == "book" and options.can_book
    assert options.visit.key == "w28"
    assert (options.visit.window_start, options.visit.window_end) == (
        dt.date(2026, 11, 13), dt.date(2026, 12, 10))
    assert options.midwife_name == "Lise Haugen" and options.in_window
    assert [p.name for p in options.places] == [STATION]
    assert options.slots[0].start_at == oslo(TODAY, 10)  # two hours' notice from 08.00
    assert all(s.start_at < oslo(dt.date(2026, 12, 11), 0) for s in options.slots)
    assert {s.nurse_name for s in options.slots} == {"Lise Haugen"}


def test_without_times_in_the_window_the_nearest_after_it_are_offered(world):
    # Thursday 10 December, the window's last day: no hours that day, none left before.
    late = dt.datetime(2026, 12, 10, 8, tzinfo=OSLO).astimezone(dt.UTC)
    options = pregnancy_booking_options(world.engine, world.citizen("nora"),
                                        world.persons["nora"].nin, late, settings=SETTINGS)
    assert options.visit.key == "w28" and not options.in_window
    assert options.slots and options.slots[0].start_at == oslo(dt.date(2026, 12, 14), 8, 30)


def test_a_card_with_a_gp_only_says_so_instead_of_offering_times(world):
    with db.session(world.engine) as s:
        record = s.exec(select(PregnancyRecord).where(
            PregnancyRecord.woman_id == world.persons["nora"].id)).one()
        record.midwife_id = None
        s.add(record)
        s.commit()
    options = pregnancy_booking_options(world.engine, world.citizen("nora"),
                                        world.persons["nora"].nin, NOW, settings=SETTINGS)
    assert options.state == "no_midwife" and options.has_gp and options.slots == ()


def test_a_woman_without_a_card_gets_no_options(world):
    with pytest.raises(CardNotFound):
        pregnancy_booking_options(world.engine, world.citizen("per"),
                                  world.persons["per"].nin, NOW, settings=SETTINGS)


# --- booking ------------------------------------------------------------------------------


def test_nora_books_her_week_28_consultation(world):
    slot_id = world.slot_at(WEDNESDAY, 10)
    booking = world.book("nora", slot_id, note="Jeg lurer på fødselsforberedende kurs")
    assert (booking.service, booking.visit_key, booking.topic) == ("pregnancy", "w28", None)
    with db.session(world.engine) as s:
        rows = s.exec(select(AccessLog).where(AccessLog.object_id == str(booking.id))).all()
    assert [(r.action, r.subject_pid, r.hidden_from_parents, r.detail) for r in rows] == [
        ("create", world.persons["nora"].nin, True, "pregnancy")]
    options = pregnancy_booking_options(world.engine, world.citizen("nora"),
                                        world.persons["nora"].nin, NOW, settings=SETTINGS)
    assert options.state == "booked" and options.booked.booking_id == booking.id
    assert options.booked.start_at == oslo(WEDNESDAY, 10) and options.slots == ()
    assert options.booked.visit_key == "w28"


def test_the_messages_carry_no_health_content(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 10, 30))
    with db.session(world.engine) as s:
        bodies = [m.body for m in s.exec(select(Outbox).order_by(Outbox.id)).all()]
    assert bodies == [
        "Timen din på helsestasjonen er bestilt: onsdag 25. november kl. 10.30.",
        "Du har en time på helsestasjonen i morgen kl. 10.30.",
    ]
    citizen.cancel(world.engine, world.staff("lise"), booking.id, reason="Jeg er syk", now=NOW,
                   settings=SETTINGS)
    with db.session(world.engine) as s:
        told = s.exec(select(Outbox).where(Outbox.kind == "cancelled")).one().body
    assert told == ("Timen din på helsestasjonen onsdag 25. november kl. 10.30 må dessverre "
                    "avlyses. Logg inn for å se beskjeden og bestille en ny time.")
    for body in [*bodies, told]:  # not whom, not why, not the reason she was given
        assert not any(word in body.lower()
                       for word in ("jordmor", "gravid", "svangerskap", "lise", "syk"))


def test_the_youth_texts_are_unchanged():
    start = oslo(WEDNESDAY, 10, 15)
    assert notices.confirmation_text(start) == (
        "Timen din hos helsesykepleier er bestilt: onsdag 25. november kl. 10.15.")
    assert notices.reminder_text(start, dt.date(2026, 11, 24)) == (
        "Du har en time hos helsesykepleier i morgen kl. 10.15.")
    assert notices.cancelled_text(start, True).startswith("Helsesykepleieren måtte avlyse")


def test_another_midwifes_time_is_refused(world):
    """Maja's card names Lise; a second midwife at the station is not hers."""
    with db.session(world.engine) as s:
        other = Person(nin="01019049887", given_name="Eva", family_name="Jordmor",
                       birth_date=dt.date(1990, 1, 1))
        s.add(other)
        s.flush()
        staff = Personnel(person_id=other.id, hpr_number="9100099", role="midwife",
                          organisation="Fjordvik kommune")
        s.add(staff)
        s.flush()
        s.add(StaffAssignment(personnel_id=staff.id, place_id=world.station_id))
        s.commit()
        eva_id = staff.id
        eva = Actor(pid=other.nin, role="midwife", name="Eva Jordmor")
    opening_hours.save_schedule_item(world.engine, eva, opening_hours.WeeklyHours(
        place_id=world.station_id, weekday=1, start=dt.time(9), end=dt.time(10),
        slot_minutes=30, valid_from=TODAY), now=NOW, settings=SETTINGS)
    with pytest.raises(AccessDenied) as refused:
        world.book("nora", world.slot_at(dt.date(2026, 11, 24), 9, 30, personnel_id=eva_id))
    assert refused.value.code == "not_her_midwife"
    assert refused.value.message_key == "booking.error.not_her_midwife"


def test_a_woman_without_a_card_cannot_book_a_midwife(world):
    with pytest.raises(AccessDenied) as refused:
        world.book("ella", world.slot_at(WEDNESDAY, 9))
    assert refused.value.code == "not_her_midwife"


def test_her_partner_sees_but_cannot_book_and_her_parent_sees_nothing(world):
    nora, jon = world.persons["nora"], world.persons["jon"]
    with db.session(world.engine) as s:
        s.add(Fullmakt(giver_id=nora.id, receiver_id=jon.id, scope="pregnancy",
                       valid_from=TODAY - dt.timedelta(days=30)))
        s.commit()
    booking = world.book("nora", world.slot_at(WEDNESDAY, 9))
    partner = world.citizen("jon", "nora")
    with pytest.raises(AccessDenied) as refused:
        world.book("jon", world.slot_at(WEDNESDAY, 9, 30), for_key="nora")
    assert refused.value.code == "view_only"
    with pytest.raises(AccessDenied):
        citizen.cancel(world.engine, partner, booking.id, now=NOW, settings=SETTINGS)
    seen = citizen.appointments_for(world.engine, partner, nora.nin, now=NOW, settings=SETTINGS)
    assert [a.booking_id for a in seen.upcoming] == [booking.id]
    assert not seen.upcoming[0].can_change
    assert seen.upcoming[0].visibility_key == "booking.visibility.pregnancy_proxy"
    own = citizen.appointments_for(world.engine, world.citizen("nora"), nora.nin, now=NOW,
                                   settings=SETTINGS)
    assert own.upcoming[0].visibility_key == "booking.visibility.pregnancy_shared"
    options = pregnancy_booking_options(world.engine, partner, nora.nin, NOW, settings=SETTINGS)
    assert options.state == "booked" and not options.can_book
    with db.session(world.engine) as s:
        reads = s.exec(select(AccessLog).where(AccessLog.actor_pid == jon.nin,
                                               AccessLog.action == "read")).all()
    assert reads and all(r.hidden_from_parents for r in reads)
    # Maja (17) is pregnant too; her father Tor lives with her and sees nothing of it.
    maja_booking = world.book("maja", world.slot_at(WEDNESDAY, 13))
    with pytest.raises(AccessDenied) as parent:
        world.book("tor", world.slot_at(WEDNESDAY, 13, 30), for_key="maja")
    assert parent.value.code == "card_personal"
    with pytest.raises(AccessDenied):
        citizen.appointments_for(world.engine, world.citizen("tor", "maja"),
                             world.persons["maja"].nin, now=NOW, settings=SETTINGS)
    assert maja_booking.service == "pregnancy"


def test_the_booking_is_listed_for_her_with_a_plain_visibility_line(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 9))
    mine = citizen.appointments_for(world.engine, world.citizen("nora"),
                                world.persons["nora"].nin, now=NOW, settings=SETTINGS)
    (appointment,) = mine.upcoming
    assert appointment.booking_id == booking.id and appointment.service == "pregnancy"
    assert appointment.visit_key == "w28" and appointment.nurse_name == "Lise Haugen"
    assert appointment.visibility_key == "booking.visibility.pregnancy"
    assert appointment.can_change


def test_she_moves_it_to_another_of_her_midwifes_times_only(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 9))
    moved = citizen.move(world.engine, world.citizen("nora"), booking.id,
                     new_slot_id=world.slot_at(dt.date(2026, 11, 30), 9), client_key="m1",
                     now=NOW, settings=SETTINGS)
    assert moved.service == "pregnancy" and moved.visit_key == "w28"
    with db.session(world.engine) as s:
        anders = s.exec(select(Personnel).where(
            Personnel.person_id == world.persons["anders"].id)).one().id
        nurse_slot = s.exec(select(Slot.id).where(Slot.personnel_id == anders)).first()
    if nurse_slot is not None:
        with pytest.raises(errors.SlotUnavailable):
            citizen.move(world.engine, world.citizen("nora"), moved.id, new_slot_id=nurse_slot,
                     client_key="m2", now=NOW, settings=SETTINGS)


def test_a_taken_time_offers_three_of_her_midwifes_alternatives(world):
    slot_id = world.slot_at(WEDNESDAY, 10)
    world.book("maja", slot_id)
    with pytest.raises(errors.SlotTaken) as taken:
        world.book("nora", slot_id)
    alternatives = taken.value.alternatives
    assert len(alternatives) == 3 and {a.nurse_name for a in alternatives} == {"Lise Haugen"}


# --- the midwife's day --------------------------------------------------------------------


def test_the_midwife_sees_the_booking_in_her_day_and_marks_it_attended(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 10), note="Vondt i ryggen")
    lise = world.staff("lise")
    day = staff.day_view(world.engine, lise, WEDNESDAY)
    (entry,) = [e for e in day.entries if e.booking is not None]
    line = entry.booking
    assert (line.pupil_name, line.service, line.visit_key, line.note) == (
        "Nora Lie", "pregnancy", "w28", "Vondt i ryggen")
    week = staff.week_view(world.engine, lise, TODAY)
    assert sum(e.booking is not None for d in week for e in d.entries) == 1
    at_ten = oslo(WEDNESDAY, 10, 5)
    marked = staff.mark_attended(world.engine, lise, booking.id, now=at_ten, settings=SETTINGS)
    assert marked.status == BookingStatus.ATTENDED
    with db.session(world.engine) as s:
        rows = s.exec(select(AccessLog).where(AccessLog.object_id == str(booking.id),
                                              AccessLog.actor_pid == lise.pid)).all()
    assert {r.action for r in rows} == {"read", "update"}
    assert all(r.hidden_from_parents and r.detail == "pregnancy" for r in rows)


def test_the_midwife_cancels_with_a_reason_and_blocks_a_free_time(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 10))
    lise = world.staff("lise")
    with pytest.raises(errors.ReasonRequired):
        citizen.cancel(world.engine, lise, booking.id, now=NOW, settings=SETTINGS)
    cancelled = citizen.cancel(world.engine, lise, booking.id, reason="Syk", now=NOW,
                               settings=SETTINGS)
    assert cancelled.status == BookingStatus.CANCELLED
    blocked = staff.block_slot(world.engine, lise, world.slot_at(WEDNESDAY, 14), now=NOW)
    assert blocked.status == "blocked"


def test_a_school_nurse_cannot_touch_a_pregnancy_booking(world):
    booking = world.book("nora", world.slot_at(WEDNESDAY, 10))
    with pytest.raises(AccessDenied):
        citizen.cancel(world.engine, world.staff("anders"), booking.id, reason="x", now=NOW,
                       settings=SETTINGS)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset_hours=st.integers(min_value=0, max_value=24 * 20))
def test_offered_times_are_always_her_midwifes_free_future_times(world, offset_hours):
    """Whenever she looks, every offered time is Lise's, open, free and past the notice."""
    now = NOW + dt.timedelta(hours=offset_hours)
    options = pregnancy_booking_options(world.engine, world.citizen("nora"),
                                        world.persons["nora"].nin, now, settings=SETTINGS)
    with db.session(world.engine) as s:
        for offered in options.slots:
            slot = s.get(Slot, offered.slot_id)
            assert slot.personnel_id == world.lise_id and slot.status == "open"
            assert slot.start_at >= now + SETTINGS.min_notice
            assert s.exec(select(Booking.id).where(Booking.slot_id == slot.id)).first() is None
        if options.in_window:
            day = lambda f: f.start_local.date()  # noqa: E731
            assert all(options.visit.window_start <= day(f) <= options.visit.window_end
                       for f in options.slots)
