"""Earlier-time offers: who is offered a freed time (order of waiting, only those whose
booking is later, at that place, fitting their wishes), the offer's hold and its expiry,
accepting (a move, and the old time offered on), declining, and what is never offered."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from digihelse.booking import citizen, errors, offers, opening_hours, staff
from digihelse.booking.models import Booking, BookingStatus
from digihelse.booking.offer_models import EarlierOffer, HoldStatus, OfferStatus, SlotHold
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY, World, oslo

SETTINGS = BookingSettings()
pytestmark = pytest.mark.postgres  # the rules hold on both databases
THURSDAY = TUESDAY + dt.timedelta(days=2)
ASKED = NOW + dt.timedelta(seconds=1)  # after the slots were made: a time free before
LATER = NOW + dt.timedelta(minutes=1)  # she asked is not "coming free"; this one is


def _book(world: World, who: str, day: dt.date, hour: int, minute: int = 0,
          now: dt.datetime = NOW) -> Booking:
    return citizen.book(world.engine, world.pupil(who), slot_id=world.slot_at(day, hour, minute),
                        client_key=f"{who}-{day}-{hour}-{minute}", now=now, settings=SETTINGS)


def _wish(world: World, who: str, booking: Booking, now: dt.datetime = ASKED, **kw) -> None:
    offers.set_wish(world.engine, world.pupil(who), booking.id, on=True, now=now, **kw)


def _offers(world: World) -> list[tuple[str, int, str]]:
    """(whose, slot id, status) of every offer, in order."""
    names = {p.id: key for key, p in world.persons.items()}
    with db.session(world.engine) as s:
        return [(names[o.person_id], o.slot_id, o.status)
                for o in s.exec(select(EarlierOffer).order_by(EarlierOffer.id))]


def _cancel(world: World, who: str, booking: Booking, now: dt.datetime = LATER) -> None:
    citizen.cancel(world.engine, world.pupil(who), booking.id, now=now, settings=SETTINGS)


@pytest.fixture
def waiting(world):
    """Emil has Tuesday 10.00; Ida (asked first) and Mia wait for earlier than Thursday."""
    emil = _book(world, "emil", TUESDAY, 10)
    ida = _book(world, "ida", THURSDAY, 10)
    mia = _book(world, "mia", THURSDAY, 13)
    _wish(world, "ida", ida)
    _wish(world, "mia", mia)  # the same instant: the order is who asked first
    return world, emil, ida, mia


def test_a_cancelled_time_is_offered_to_the_first_in_line_and_held_for_her(waiting):
    world, emil, _ida, _mia = waiting
    later = LATER
    _cancel(world, "emil", emil, later)
    tuesday = world.slot_at(TUESDAY, 10)
    assert _offers(world) == [("ida", tuesday, OfferStatus.OFFERED)]
    mine = offers.my_offers(world.engine, world.pupil("ida"), now=later)
    assert [(o.slot_id, o.expires_at) for o in mine] == [(tuesday, later + SETTINGS.offer_for)]
    assert offers.my_offers(world.engine, world.pupil("mia"), now=later) == []
    with pytest.raises(errors.SlotTaken):  # held for Ida
        _book(world, "sara", TUESDAY, 10, now=later)
    sms = [m for m in world.outbox() if m.kind == "earlier_offer"]
    assert [(m.recipient_pid, m.body) for m in sms] == [
        (world.persons["ida"].nin,
         "En tidligere time er ledig for deg. Logg inn i DigiHelse for å se den.")]


def test_an_offer_not_taken_passes_to_the_next_in_line(waiting):
    world, emil, _ida, _mia = waiting
    _cancel(world, "emil", emil)
    tuesday = world.slot_at(TUESDAY, 10)
    offers.run_offers(world.engine, now=LATER + SETTINGS.offer_for - dt.timedelta(seconds=1),
                      settings=SETTINGS)
    assert _offers(world) == [("ida", tuesday, OfferStatus.OFFERED)]
    offers.run_offers(world.engine, now=LATER + SETTINGS.offer_for, settings=SETTINGS)
    assert _offers(world) == [("ida", tuesday, OfferStatus.EXPIRED),
                              ("mia", tuesday, OfferStatus.OFFERED)]
    with pytest.raises(offers.OfferGone):  # Ida is too late
        ida_offer = _ids(world)[0]
        offers.accept(world.engine, world.pupil("ida"), ida_offer,
                      now=LATER + SETTINGS.offer_for, settings=SETTINGS)
    # After Mia's turn nobody is left: the time is free for anyone again.
    offers.run_offers(world.engine, now=LATER + 2 * SETTINGS.offer_for, settings=SETTINGS)
    assert _offers(world)[-1] == ("mia", tuesday, OfferStatus.EXPIRED)
    _book(world, "sara", TUESDAY, 10, now=LATER + 2 * SETTINGS.offer_for)


def _ids(world: World) -> list[int]:
    with db.session(world.engine) as s:
        return [o.id for o in s.exec(select(EarlierOffer).order_by(EarlierOffer.id))]


def test_accepting_moves_the_booking_and_offers_the_old_time_on(waiting):
    world, emil, ida, _mia = waiting
    _cancel(world, "emil", emil)
    moved = offers.accept(world.engine, world.pupil("ida"), _ids(world)[0], now=LATER,
                          settings=SETTINGS)
    assert moved.slot_id == world.slot_at(TUESDAY, 10) and moved.moved_from_booking_id == ida.id
    assert world.booking(ida.id).status == BookingStatus.CANCELLED
    # Thursday 10.00 is earlier than Mia's 13.00: it is hers to take now.
    assert _offers(world) == [("ida", world.slot_at(TUESDAY, 10), OfferStatus.ACCEPTED),
                              ("mia", world.slot_at(THURSDAY, 10), OfferStatus.OFFERED)]
    with db.session(world.engine) as s:
        assert [h.status for h in s.exec(select(SlotHold).order_by(SlotHold.id))] == [
            HoldStatus.CONFIRMED, HoldStatus.ACTIVE]
    # Her wish ended with the booking it was on: she is not offered anything again.
    assert offers.my_offers(world.engine, world.pupil("ida"), now=LATER) == []


def test_declining_passes_it_on_at_once(waiting):
    world, emil, _ida, _mia = waiting
    _cancel(world, "emil", emil)
    offers.decline(world.engine, world.pupil("ida"), _ids(world)[0], now=LATER, settings=SETTINGS)
    assert [(who, status) for who, _, status in _offers(world)] == [
        ("ida", OfferStatus.DECLINED), ("mia", OfferStatus.OFFERED)]


def test_an_offer_is_hers_alone(waiting):
    world, emil, _ida, _mia = waiting
    _cancel(world, "emil", emil)
    with pytest.raises(errors.BookingNotFound):
        offers.accept(world.engine, world.pupil("mia"), _ids(world)[0], now=LATER,
                      settings=SETTINGS)
    with pytest.raises(errors.BookingNotFound):
        offers.accept(world.engine, world.kari, _ids(world)[0], now=LATER, settings=SETTINGS)


def test_never_inside_the_minimum_notice(waiting):
    world, emil, _ida, _mia = waiting
    close = oslo(TUESDAY, 10) - SETTINGS.min_notice + dt.timedelta(minutes=1)
    staff_cancel = world.kari  # the nurse may cancel late; the time is not offered
    citizen.cancel(world.engine, staff_cancel, emil.id, reason="Syk", now=close,
                   settings=SETTINGS)
    assert _offers(world) == []
    offers.run_offers(world.engine, now=close, settings=SETTINGS)
    assert _offers(world) == []


def test_never_a_time_the_nurse_blocked_and_an_offer_ends_when_she_blocks_it(waiting):
    world, emil, _ida, _mia = waiting
    _cancel(world, "emil", emil)
    tuesday = world.slot_at(TUESDAY, 10)
    # The offer holds the time; the nurse closes it anyway (blocking ignores holds).
    staff.block_slot(world.engine, world.kari, tuesday, reason="Møte", now=LATER)
    offers.run_offers(world.engine, now=LATER, settings=SETTINGS)
    assert _offers(world) == [("ida", tuesday, OfferStatus.VOID)]
    staff.block_slot(world.engine, world.kari, world.slot_at(TUESDAY, 9), now=LATER)
    offers.run_offers(world.engine, now=LATER, settings=SETTINGS)
    assert len(_offers(world)) == 1


def test_only_times_earlier_than_her_booking_and_that_fit_her_wishes(world):
    ida = _book(world, "ida", THURSDAY, 10)
    _wish(world, "ida", ida, mornings_only=True)
    mia = _book(world, "mia", THURSDAY, 13, 20)
    _wish(world, "mia", mia, weekdays=(1,))  # Tuesdays only
    later = _book(world, "emil", THURSDAY, 13)
    afternoon = _book(world, "sara", TUESDAY, 13)
    _cancel(world, "emil", later)  # after Ida's time: not earlier for her; Mia: not Tuesday
    assert _offers(world) == []
    _cancel(world, "sara", afternoon)  # afternoon: not for Ida; Mia, a Tuesday: hers
    assert _offers(world) == [("mia", world.slot_at(TUESDAY, 13), OfferStatus.OFFERED)]


def test_hours_the_nurse_adds_are_offered_but_never_at_another_place(world):
    ida = _book(world, "ida", THURSDAY, 10)
    _wish(world, "ida", ida)
    offers.run_offers(world.engine, now=LATER, settings=SETTINGS)
    assert _offers(world) == []  # the times free before she asked are hers to book herself
    later = LATER
    anders = world.nurse("anders")
    opening_hours.save_schedule_item(world.engine, anders, opening_hours.ExtraHours(
        place_id=world.clinic_id, day=TUESDAY, start=dt.time(12), end=dt.time(13)),
        now=later, settings=SETTINGS)
    offers.run_offers(world.engine, now=later, settings=SETTINGS)
    assert _offers(world) == []  # the youth clinic is another place
    opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.ExtraHours(
        place_id=world.school_id, day=TUESDAY + dt.timedelta(days=1), start=dt.time(12),
        end=dt.time(13)), now=later, settings=SETTINGS)  # offered at once, not by the job
    wednesday_noon = oslo(TUESDAY + dt.timedelta(days=1), 12)
    with db.session(world.engine) as s:
        offered = s.exec(select(EarlierOffer)).all()
        assert len(offered) == 1  # one live offer per person at a time
        from digihelse.booking.models import Slot

        assert s.get(Slot, offered[0].slot_id).start_at == wednesday_noon


def test_turning_the_wish_off_ends_her_offers_and_the_nurse_counts_who_waits(waiting):
    world, emil, ida, _mia = waiting
    counts = offers.waiting_per_day(world.engine, world.kari, first_day=TUESDAY, days=3)
    assert counts == {THURSDAY: 2}
    _cancel(world, "emil", emil)
    offers.set_wish(world.engine, world.pupil("ida"), ida.id, on=False, now=LATER)
    assert [(who, status) for who, _, status in _offers(world)] == [
        ("ida", OfferStatus.VOID)]
    offers.run_offers(world.engine, now=LATER, settings=SETTINGS)
    assert [(who, status) for who, _, status in _offers(world)] == [
        ("ida", OfferStatus.VOID), ("mia", OfferStatus.OFFERED)]
    assert offers.waiting_per_day(world.engine, world.kari, first_day=TUESDAY,
                                  days=3) == {THURSDAY: 1}


def test_only_she_may_ask_for_an_earlier_time_on_her_booking(waiting):
    world, emil, _ida, _mia = waiting
    from digihelse.access.actors import AccessDenied

    with pytest.raises(AccessDenied):
        offers.set_wish(world.engine, world.pupil("ida"), emil.id, on=True, now=LATER)
