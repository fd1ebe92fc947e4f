"""Holds: a time she tapped on /bestill is kept for her while she confirms, so nobody
takes it between "choose" and "Bekreft". The hold ends when she books it, goes back or
chooses another, or when it times out (settings.hold_for). The database keeps at most one
active hold or booking per slot (migration 0016); book() and move() end her own hold and
any timed-out one with clear_for_booking() before they insert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.access.enforcement import thresholds
from digihelse.booking.access import authorize, her_record, slot_service
from digihelse.booking.errors import SlotTaken
from digihelse.booking.models import Slot
from digihelse.booking.offer_models import HoldKind, HoldStatus, SlotHold
from digihelse.booking.rules import check_bookable, check_place_for_person
from digihelse.booking.store import load_slot, lock_person, nearest_free
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.people.models import Person, Place
from digihelse.people.nin import age_on


@dataclass(frozen=True)
class Held:
    """A hold as callers see it."""

    hold_id: int
    slot_id: int
    expires_at: dt.datetime


def _end(s: Session, query, status: HoldStatus, now: dt.datetime) -> list[int]:
    """End the active holds the query selects; the slot ids they kept."""
    rows = list(s.exec(query.where(SlotHold.status == HoldStatus.ACTIVE)).all())
    for row in rows:
        row.status, row.ended_at = status, now
        s.add(row)
    if rows:
        s.flush()
    return [row.slot_id for row in rows]


def check_may_book(s: Session, actor: Actor, slot: Slot, person: Person,
                   now: dt.datetime, settings: BookingSettings) -> Service:
    """What book() would refuse before its insert, asked when a time is held: who may
    book it, the place, and whether the time can be booked now."""
    if actor.is_personnel:
        raise AccessDenied("personnel_cannot_book", "pupils book their own appointments")
    place = s.get(Place, slot.place_id)
    assert place is not None  # foreign key
    service = slot_service(s, slot, actor)
    authorize(s, actor, person.nin, Action.BOOK, place_id=place.id, service=service)
    if service == Service.PREGNANCY:
        her_record(s, person, slot)
    else:
        youth = person.birth_date is not None and thresholds().in_youth_ages(
            age_on(person.birth_date, to_oslo(now).date()))
        check_place_for_person(s, person, place, service, youth_age=youth)
    check_bookable(slot, now, settings)
    return service


def insert_hold(s: Session, slot: Slot, person: Person, *, kind: HoldKind,
                expires_at: dt.datetime, now: dt.datetime) -> SlotHold | None:
    """A hold in a savepoint, after ending a timed-out one on the slot; None when the
    database refused it (the slot is held or booked)."""
    _end(s, select(SlotHold).where(SlotHold.slot_id == slot.id, SlotHold.expires_at <= now),
         HoldStatus.EXPIRED, now)
    hold = SlotHold(slot_id=slot.id, person_id=person.id, kind=kind, created_at=now,
                    expires_at=expires_at)
    try:
        with s.begin_nested():
            s.add(hold)
    except IntegrityError:
        return None
    return hold


def hold(s_or_engine: SessionOrEngine, actor: Actor, slot_id: int, *,
         now: dt.datetime | None = None, settings: BookingSettings) -> Held:
    """Hold a time for the actor's subject while she confirms. Her earlier choice is let
    go (one chosen time at a time); choosing the same time again renews it. Raises
    SlotTaken (with the nearest alternatives) when someone else holds or booked it, and
    what book() raises for a time she may not book."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        slot = load_slot(s, slot_id, lock=True)
        person = lock_person(s, actor.subject_pid)
        check_may_book(s, actor, slot, person, now, settings)
        mine = s.exec(select(SlotHold).where(
            SlotHold.slot_id == slot.id, SlotHold.person_id == person.id,
            SlotHold.status == HoldStatus.ACTIVE, SlotHold.expires_at > now)).first()
        if mine is not None and mine.kind == HoldKind.CHOOSE:
            mine.expires_at = now + settings.hold_for
            s.add(mine)
            s.flush()
            return Held(mine.id, slot.id, mine.expires_at)
        if mine is not None:  # an offer keeps it for her already
            return Held(mine.id, slot.id, mine.expires_at)
        _end(s, select(SlotHold).where(SlotHold.person_id == person.id,
                                       SlotHold.kind == HoldKind.CHOOSE),
             HoldStatus.RELEASED, now)
        new = insert_hold(s, slot, person, kind=HoldKind.CHOOSE,
                          expires_at=now + settings.hold_for, now=now)
        if new is None:
            raise SlotTaken(nearest_free(s, slot, now=now, settings=settings))
        return Held(new.id, slot.id, new.expires_at)


def release(s_or_engine: SessionOrEngine, actor: Actor, *,
            now: dt.datetime | None = None) -> int:
    """She went back or left: let go of the time she chose (not an offer's time: she
    declines that on /timer). How many holds ended."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        person = s.exec(select(Person).where(Person.nin == actor.subject_pid)).first()
        if person is None or actor.is_personnel:
            return 0
        return len(_end(s, select(SlotHold).where(SlotHold.person_id == person.id,
                                                  SlotHold.kind == HoldKind.CHOOSE),
                        HoldStatus.RELEASED, now))


def clear_for_booking(s: Session, slot_id: int, person_id: int, now: dt.datetime) -> None:
    """Before a booking of this slot is inserted: her own hold on it is used up and a
    timed-out one ended. Someone else's live hold stays, and the insert is refused."""
    _end(s, select(SlotHold).where(SlotHold.slot_id == slot_id,
                                   SlotHold.person_id == person_id),
         HoldStatus.CONFIRMED, now)
    _end(s, select(SlotHold).where(SlotHold.slot_id == slot_id, SlotHold.expires_at <= now),
         HoldStatus.EXPIRED, now)


def expire(s: Session, now: dt.datetime) -> list[int]:
    """End every timed-out hold (the job); the slots they kept."""
    return _end(s, select(SlotHold).where(SlotHold.expires_at <= now), HoldStatus.EXPIRED, now)


def active_holds(s: Session, slot_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """slot id -> the person who holds it now."""
    if not slot_ids:
        return {}
    rows = s.exec(select(SlotHold.slot_id, SlotHold.person_id).where(
        col(SlotHold.slot_id).in_(slot_ids), SlotHold.status == HoldStatus.ACTIVE,
        SlotHold.expires_at > now)).all()
    return dict(rows)



