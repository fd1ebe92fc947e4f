"""Earlier-time offers (like MyChart's Fast Pass): with a booking she may ask to hear of an
earlier time. A time that comes free (a cancellation, a move, hours the nurse adds) is
offered to those waiting at that place whose booking is later, one at a time in order of
waiting, by a content-free SMS; the offer holds the time (settings.offer_for), then
passes to the next. Accepting moves her booking in one step (citizen.move), and the old
time is offered on in its turn. Never offered: a time inside the minimum notice, at
another place, or one the nurse blocked."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor, Service
from digihelse.booking import holds
from digihelse.booking.access import authorize, record_booking_access, scheduler
from digihelse.booking.errors import BookingError, BookingNotFound
from digihelse.booking.models import Booking, BookingStatus, Slot, SlotStatus
from digihelse.booking.offer_models import (
    EarlierOffer,
    EarlierWish,
    HoldKind,
    HoldStatus,
    OfferStatus,
    SlotHold,
    held_slot_ids,
)
from digihelse.booking.rules import NURSE_ROLES
from digihelse.booking.store import day_bounds, load_booking
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.i18n import DEFAULT_LANG, t
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.notify.outbox import enqueue
from digihelse.people.models import Person, Personnel, Place, StaffAssignment

log = logging.getLogger(__name__)

MORNING_ENDS = dt.time(12)  # "bare formiddager": a time that starts before noon (Oslo)


class OfferGone(BookingError):
    """The offer ran out, or the time went to someone else."""

    code = "offer_gone"
    message_key = "booking.error.offer_gone"


@dataclass(frozen=True)
class Wish:
    booking_id: int
    active: bool
    mornings_only: bool
    weekdays: tuple[int, ...]


@dataclass(frozen=True)
class Offer:
    """A live offer as she sees it: the earlier time, her booking's time, until when."""

    offer_id: int
    booking_id: int
    slot_id: int
    place_name: str
    nurse_name: str
    start_at: dt.datetime
    end_at: dt.datetime
    booked_start_at: dt.datetime
    expires_at: dt.datetime


def offer_text(lang: str = DEFAULT_LANG) -> str:
    """The SMS: no time, no place, no service; she reads the offer after logging in."""
    return t("sms.earlier_offer", lang)


def _weekdays(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d.strip().isdigit())


def fits(wish: EarlierWish, start_at: dt.datetime) -> bool:
    """Her wishes about the time of day and the weekdays."""
    local = to_oslo(start_at)
    days = _weekdays(wish.weekdays)
    if days and local.weekday() not in days:
        return False
    return not wish.mornings_only or local.time() < MORNING_ENDS


# --- her side -----------------------------------------------------------------------------


def set_wish(s_or_engine: SessionOrEngine, actor: Actor, booking_id: int, *, on: bool,
             mornings_only: bool = False, weekdays: tuple[int, ...] = (),
             now: dt.datetime | None = None) -> Wish:
    """Turn "Gi meg beskjed om en tidligere time blir ledig" on or off for a booking. The
    waiting order is from when it was first turned on (changing the wishes keeps it)."""
    now = aware_utc(now)
    days = sorted({d for d in weekdays if 0 <= d <= 6})
    with transaction(s_or_engine) as s:
        booking, slot, person = load_booking(s, booking_id, lock=True)
        service = Service(booking.service)
        authorize(s, actor, person.nin, Action.CANCEL, place_id=slot.place_id,
                  service=service, object_id=booking.id)
        if service == Service.PREGNANCY or booking.status != BookingStatus.BOOKED \
                or slot.start_at <= now:
            raise BookingError("no earlier times for this booking", code="bad_request")
        wish = s.exec(select(EarlierWish).where(EarlierWish.booking_id == booking.id)).first()
        if wish is None:
            wish = EarlierWish(booking_id=booking.id, person_id=person.id,
                               place_id=slot.place_id, created_at=now, active=False)
        if on and not wish.active:
            wish.created_at, wish.ended_at = now, None
        elif not on and wish.active:
            wish.ended_at = now
            _void_offers(s, select(EarlierOffer).where(EarlierOffer.wish_id == wish.id), now)
        wish.active, wish.mornings_only, wish.weekdays = on, mornings_only, \
            ",".join(map(str, days))
        s.add(wish)
        s.flush()
        if actor.pid != person.nin:
            record_booking_access(s, actor, person.nin, action="update", object_id=booking.id,
                                  service=booking.service)
        return Wish(booking.id, wish.active, wish.mornings_only, tuple(days))


def my_wishes(s_or_engine: SessionOrEngine, actor: Actor) -> dict[int, Wish]:
    """booking id -> her wish, for the actor's subject's bookings (the page has already
    shown her those bookings through appointments_for, which logs that)."""
    with transaction(s_or_engine) as s:
        person = s.exec(select(Person).where(Person.nin == actor.subject_pid)).first()
        if person is None or actor.is_personnel:
            return {}
        rows = s.exec(select(EarlierWish).where(EarlierWish.person_id == person.id))
        return {w.booking_id: Wish(w.booking_id, w.active, w.mornings_only,
                                   _weekdays(w.weekdays)) for w in rows}


def my_offers(s_or_engine: SessionOrEngine, actor: Actor, *,
              now: dt.datetime | None = None) -> list[Offer]:
    """The live offers to the actor's subject, soonest first."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        person = s.exec(select(Person).where(Person.nin == actor.subject_pid)).first()
        if person is None or actor.is_personnel:
            return []
        rows = s.exec(
            select(EarlierOffer, Slot, Place.name, Person.given_name, Person.family_name,
                   EarlierWish.booking_id)
            .join(Slot, Slot.id == EarlierOffer.slot_id)
            .join(Place, Place.id == Slot.place_id)
            .join(Personnel, Personnel.id == Slot.personnel_id)
            .join(Person, Person.id == Personnel.person_id)
            .join(EarlierWish, EarlierWish.id == EarlierOffer.wish_id)
            .where(EarlierOffer.person_id == person.id,
                   EarlierOffer.status == OfferStatus.OFFERED,
                   EarlierOffer.expires_at > now)
            .order_by(col(Slot.start_at))).all()
        result = []
        for offer, slot, place_name, given, family, booking_id in rows:
            booking, booked_slot, _ = load_booking(s, booking_id)
            if actor.pid != person.nin and booking.service != Service.BASIC:
                continue  # her youth-service times are never a parent's to see
            relation = authorize(s, actor, person.nin, Action.VIEW_APPOINTMENTS,
                                 place_id=slot.place_id, service=Service(booking.service),
                                 object_id=booking.id)
            if relation != "self":
                record_booking_access(s, actor, person.nin, action="read",
                                      object_id=booking.id, service=booking.service)
            result.append(Offer(offer.id, booking.id, slot.id, place_name, f"{given} {family}",
                                slot.start_at, slot.end_at, booked_slot.start_at,
                                offer.expires_at))
        return result


def _her_offer(s: Session, actor: Actor, offer_id: int, now: dt.datetime) -> EarlierOffer:
    """Her live offer, or one 404 whatever the reason (not hers, unknown, ended)."""
    offer = s.exec(select(EarlierOffer).where(EarlierOffer.id == offer_id)
                   .with_for_update()).first()
    person = s.exec(select(Person).where(Person.nin == actor.subject_pid)).first()
    if offer is None or person is None or offer.person_id != person.id or actor.is_personnel:
        raise BookingNotFound()
    if offer.status != OfferStatus.OFFERED or offer.expires_at <= now:
        raise OfferGone()
    return offer


def accept(s_or_engine: SessionOrEngine, actor: Actor, offer_id: int, *,
           now: dt.datetime | None = None, settings: BookingSettings) -> Booking:
    """Take the earlier time: her booking moves there in one step (citizen.move, with all
    its rules); the old time is offered on."""
    from digihelse.booking import citizen  # citizen calls back into this module

    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        offer = _her_offer(s, actor, offer_id, now)
        wish = s.get(EarlierWish, offer.wish_id)
        assert wish is not None  # foreign key
        new = citizen.move(s, actor, wish.booking_id, new_slot_id=offer.slot_id,
                           client_key=f"earlier-offer-{offer.id}", now=now, settings=settings)
        offer.status, offer.ended_at = OfferStatus.ACCEPTED, now
        s.add(offer)
        s.flush()
        return new


def decline(s_or_engine: SessionOrEngine, actor: Actor, offer_id: int, *,
            now: dt.datetime | None = None, settings: BookingSettings) -> None:
    """No thanks: the time passes to the next in line at once. Her wish stays."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        offer = _her_offer(s, actor, offer_id, now)
        _end_offer(s, offer, OfferStatus.DECLINED, now)
        slot = s.get(Slot, offer.slot_id)
        assert slot is not None
        offer_slot(s, slot, now=now, settings=settings)


# --- the booking service's hooks ------------------------------------------------------------


def after_booking_ended(s: Session, booking: Booking, slot: Slot, *, now: dt.datetime,
                        settings: BookingSettings) -> None:
    """A booking was cancelled or moved away: its wish ends, and its time is offered on."""
    wish = s.exec(select(EarlierWish).where(EarlierWish.booking_id == booking.id,
                                            EarlierWish.active == True)).first()  # noqa: E712
    if wish is not None:
        wish.active, wish.ended_at = False, now
        s.add(wish)
        _void_offers(s, select(EarlierOffer).where(EarlierOffer.wish_id == wish.id), now)
    offer_slot(s, slot, now=now, settings=settings)


# --- choosing who is offered a time ------------------------------------------------------


def _end_offer(s: Session, offer: EarlierOffer, status: OfferStatus, now: dt.datetime) -> None:
    offer.status, offer.ended_at = status, now
    s.add(offer)
    if offer.hold_id is not None:
        hold = s.get(SlotHold, offer.hold_id)
        if hold is not None and hold.status == HoldStatus.ACTIVE:
            hold.status = HoldStatus.EXPIRED if status == OfferStatus.EXPIRED \
                else HoldStatus.RELEASED
            hold.ended_at = now
            s.add(hold)
    s.flush()


def _void_offers(s: Session, query, now: dt.datetime) -> list[int]:
    offers = list(s.exec(query.where(EarlierOffer.status == OfferStatus.OFFERED)).all())
    for offer in offers:
        _end_offer(s, offer, OfferStatus.VOID, now)
    return [o.slot_id for o in offers]


def _freed_at(s: Session, slot: Slot) -> dt.datetime:
    """When the time last came free: its last cancelled booking, or when it was made,
    opened again or unblocked."""
    cancelled = s.exec(select(Booking.cancelled_at).where(
        Booking.slot_id == slot.id, Booking.status == BookingStatus.CANCELLED)
        .order_by(col(Booking.cancelled_at).desc())).first()
    return max(filter(None, (cancelled, slot.created_at, slot.updated_at)))


def _offerable(s: Session, slot: Slot, now: dt.datetime, settings: BookingSettings) -> bool:
    """Open, a nurse's, outside the minimum notice, neither booked nor held."""
    if slot.status != SlotStatus.OPEN or slot.start_at < now + settings.min_notice:
        return False
    staff = s.get(Personnel, slot.personnel_id)
    if staff is None or staff.role not in NURSE_ROLES:
        return False  # a midwife's times are booked from the card, not offered
    booked = s.exec(select(Booking.id).where(Booking.slot_id == slot.id,
                                             Booking.status != BookingStatus.CANCELLED)).first()
    held = s.exec(held_slot_ids(now).where(SlotHold.slot_id == slot.id)).first()
    return booked is None and held is None


def next_in_line(s: Session, slot: Slot, now: dt.datetime) -> tuple[EarlierWish, Booking] | None:
    """Who is offered this time: the first in waiting order of those at its place whose
    booking is later, who asked before it came free, fit her wishes, were not offered it
    before and hold no other live offer."""
    freed = _freed_at(s, slot)
    offered_before = select(EarlierOffer.wish_id).where(EarlierOffer.slot_id == slot.id)
    busy = select(EarlierOffer.person_id).where(EarlierOffer.status == OfferStatus.OFFERED,
                                                EarlierOffer.expires_at > now)
    rows = s.exec(
        select(EarlierWish, Booking).join(Booking, Booking.id == EarlierWish.booking_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(EarlierWish.place_id == slot.place_id, EarlierWish.active == True,  # noqa: E712
               Booking.status == BookingStatus.BOOKED, Slot.start_at > slot.start_at,
               EarlierWish.created_at < freed,
               col(EarlierWish.id).not_in(offered_before),
               col(EarlierWish.person_id).not_in(busy))
        .order_by(col(EarlierWish.created_at), col(EarlierWish.id))).all()
    return next(((w, b) for w, b in rows if fits(w, slot.start_at)), None)


def offer_slot(s: Session, slot: Slot, *, now: dt.datetime,
               settings: BookingSettings) -> EarlierOffer | None:
    """Offer a free time to the next in line, holding it for her; None when it is not
    offerable or nobody waits for it."""
    if not _offerable(s, slot, now, settings):
        return None
    found = next_in_line(s, slot, now)
    if found is None:
        return None
    wish, booking = found
    person = s.get(Person, wish.person_id)
    assert person is not None
    expires = now + settings.offer_for
    hold = holds.insert_hold(s, slot, person, kind=HoldKind.OFFER, expires_at=expires, now=now)
    if hold is None:
        return None
    offer = EarlierOffer(slot_id=slot.id, wish_id=wish.id, person_id=person.id,
                         hold_id=hold.id, offered_at=now, expires_at=expires)
    s.add(offer)
    s.flush()
    enqueue(s, recipient_pid=booking.booked_by_pid or person.nin, body=offer_text(),
            kind="earlier_offer", dedupe_key=f"earlier-offer:{offer.id}", now=now)
    return offer


def run_offers(s_or_engine: SessionOrEngine, *, now: dt.datetime | None = None,
               settings: BookingSettings) -> int:
    """The job (leader only, every interval): offers that ran out pass to the next, offers
    whose time or booking went away end, timed-out holds end, and every free time that
    someone waits for is offered. How many offers were made."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        expired = list(s.exec(select(EarlierOffer).where(
            EarlierOffer.status == OfferStatus.OFFERED, EarlierOffer.expires_at <= now)).all())
        for offer in expired:
            _end_offer(s, offer, OfferStatus.EXPIRED, now)
        gone = select(EarlierOffer).join(Slot, Slot.id == EarlierOffer.slot_id).join(
            EarlierWish, EarlierWish.id == EarlierOffer.wish_id).where(
            (Slot.status != SlotStatus.OPEN) | (EarlierWish.active == False))  # noqa: E712
        _void_offers(s, gone, now)
        holds.expire(s, now)
        made = offer_free_times(s, now=now, settings=settings)
    if made:
        log.info("earlier-time offers: %d made", made)
    return made


def offer_free_times(s: Session, *, now: dt.datetime, settings: BookingSettings) -> int:
    """Offer every free time that someone waits for (new hours the nurse added, a time
    whose offers ran out): in time order, each to the next in line. How many offers."""
    made = 0
    places = set(s.exec(select(EarlierWish.place_id).where(
        EarlierWish.active == True)).all())  # noqa: E712
    for place_id in sorted(places):
        latest = s.exec(select(Slot.start_at).join(Booking, Booking.slot_id == Slot.id)
                        .join(EarlierWish, EarlierWish.booking_id == Booking.id)
                        .where(EarlierWish.place_id == place_id,
                               EarlierWish.active == True)  # noqa: E712
                        .order_by(col(Slot.start_at).desc())).first()
        if latest is None:
            continue
        taken = select(Booking.slot_id).where(Booking.status != BookingStatus.CANCELLED)
        free = s.exec(select(Slot).where(
            Slot.place_id == place_id, Slot.status == SlotStatus.OPEN,
            Slot.start_at >= now + settings.min_notice, Slot.start_at < latest,
            col(Slot.id).not_in(taken), col(Slot.id).not_in(held_slot_ids(now)))
            .order_by(col(Slot.start_at))).all()
        for slot in free:
            made += offer_slot(s, slot, now=now, settings=settings) is not None
    return made


# --- the nurse's side ------------------------------------------------------------------------


def waiting_per_day(s_or_engine: SessionOrEngine, actor: Actor, *, first_day: dt.date,
                    days: int = 7, place_id: int | None = None) -> dict[dt.date, int]:
    """How many wait for an earlier time, by the day of the booking they hold now, at the
    places the nurse serves (or one of them). Counts only: no names."""
    with transaction(s_or_engine) as s:
        nurse = scheduler(s, actor, place_id)
        places = set(s.exec(select(StaffAssignment.place_id).where(
            StaffAssignment.personnel_id == nurse.id)).all())
        if place_id is not None:
            places &= {place_id}
        start, _ = day_bounds(first_day)
        _, end = day_bounds(first_day + dt.timedelta(days=days - 1))
        starts = s.exec(select(Slot.start_at).join(Booking, Booking.slot_id == Slot.id)
                        .join(EarlierWish, EarlierWish.booking_id == Booking.id)
                        .where(EarlierWish.active == True,  # noqa: E712
                               Booking.status == BookingStatus.BOOKED,
                               col(EarlierWish.place_id).in_(places),
                               Slot.start_at >= start, Slot.start_at < end)).all()
        return dict(Counter(to_oslo(at).date() for at in starts))
