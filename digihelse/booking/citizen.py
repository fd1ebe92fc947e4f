"""The citizen's side of booking: a pupil (or a parent for a child) finds her places and
free times, books, cancels and moves, and sees her appointments; a pregnant woman books
her consultations with her own midwife. The nurse cancels and moves through the same
book/cancel/move calls (with a reason, and without the notice)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.access.enforcement import decide, thresholds
from digihelse.access.fullmakt import shares_card
from digihelse.access.policy import explain
from digihelse.booking import holds, ics, lean, offers, slot_events
from digihelse.booking.access import (
    authorize,
    booking_service,
    her_record,
    record_booking_access,
    scheduler,
    slot_service,
    viewable,
    visibility_key,
    visible,
)
from digihelse.booking.errors import (
    BookingNotFound,
    ClientKeyReused,
    InvalidTransition,
    ReasonRequired,
    SlotTaken,
    SlotUnavailable,
    TooLate,
)
from digihelse.booking.free_weeks import free_in_window
from digihelse.booking.models import MOVED_REASON, Booking, BookingStatus, CancelledBy, Slot
from digihelse.booking.notices import (
    cancelled_text,
    confirmation_text,
    format_when,
    moved_text,
    sms_where,
)
from digihelse.booking.opening_hours import next_drop_in
from digihelse.booking.rate import count_request
from digihelse.booking.reminders import queue_notices, reminder_key
from digihelse.booking.rules import (
    NURSE_ROLES,
    SCHOOL_PLACES,
    at_limit,
    check_bookable,
    check_input,
    check_limit,
    check_place_for_person,
    check_reason,
    check_topic,
    inside_cancel_notice,
)
from digihelse.booking.store import (
    booking_with_place_and_nurse,
    by_client_key,
    cancel_row,
    day_bounds,
    free_slot_rows,
    insert_booking,
    load_booking,
    load_slot,
    lock_person,
    nearest_free,
    owner,
    place_kind_of,
)
from digihelse.booking.views import Appointment, Appointments, FreeSlot, PlaceInfo
from digihelse.core import db
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.i18n.families import keyed
from digihelse.core.settings import BookingSettings
from digihelse.core.text import optional_text
from digihelse.core.timeutil import OSLO, aware_utc, to_oslo
from digihelse.core.writer import writer_for
from digihelse.healthcard import dating
from digihelse.healthcard.models import Consultation, PregnancyRecord
from digihelse.notify.outbox import drop_pending
from digihelse.people.kinds import PlaceKind, StaffRole
from digihelse.people.models import Enrollment, Person, Personnel, Place, StaffAssignment
from digihelse.people.nin import age_on
from digihelse.people.registry import person_by_pid


def _youth_age(person: Person, now: dt.datetime) -> bool:
    """Of the youth clinic's ages (the policy's figures) today."""
    return person.birth_date is not None and thresholds().in_youth_ages(
        age_on(person.birth_date, to_oslo(now).date()))


def booking_refusal(s: Session, actor: Actor) -> str | None:
    """Why the actor may not book for her subject at all, as the policy's reason key (say,
    a parent of a 13-year-old: "child_teen"), or None when she may. Asked before the
    times are shown, so nobody learns it only after Bekreft."""
    decision = decide(s, actor, actor.subject_pid, booking_service(actor))
    if decision.allows(Action.BOOK):
        return None
    return explain(decision).reason_key or keyed("access.reason", "action_not_allowed")


def at_booking_limit(s: Session, actor: Actor, *, now: dt.datetime | None = None,
                     settings: BookingSettings) -> bool:
    """Whether her subject already holds as many upcoming bookings as allowed, so that the
    page says so before she picks a time (a move is never stopped by the limit)."""
    person = person_by_pid(s, actor.subject_pid)
    return person is not None and at_limit(s, person, aware_utc(now), settings)


def places_for(s: Session, actor: Actor, *, now: dt.datetime | None = None
               ) -> list[PlaceInfo]:
    """Where the actor may book for her subject, each with its nurses and next drop-in
    hours. A pupil herself (youth service): her school, then the youth clinics while she is
    of their ages. A parent for a child (basic service): the child's school, then the
    health stations of the child's municipality; never the youth clinic."""
    now = aware_utc(now)
    person = person_by_pid(s, actor.subject_pid)
    if person is None:
        return []
    service = booking_service(actor)
    schools = s.exec(select(Place).join(Enrollment, Enrollment.place_id == Place.id)
                     .where(Enrollment.person_id == person.id,
                            col(Place.kind).in_(list(SCHOOL_PLACES)))
                     .order_by(col(Place.name))).all()
    kind = PlaceKind.YOUTH_CLINIC if service == Service.YOUTH else PlaceKind.HEALTH_STATION
    local = select(Place).where(Place.kind == kind)
    if person.municipality_id is not None:
        local = local.where(Place.municipality_id == person.municipality_id)
    others = s.exec(local.order_by(col(Place.name))).all() \
        if kind != PlaceKind.YOUTH_CLINIC or _youth_age(person, now) else []
    result = []
    for place in [*schools, *others]:
        nurses = s.exec(select(Person.given_name, Person.family_name)
                        .join(Personnel, Personnel.person_id == Person.id)
                        .join(StaffAssignment, StaffAssignment.personnel_id == Personnel.id)
                        .where(StaffAssignment.place_id == place.id,
                               col(Personnel.role).in_(list(NURSE_ROLES)))
                        .order_by(col(Person.given_name))).all()
        result.append(PlaceInfo(
            place.id, place.name, place.kind, place.address, place.description,
            service, tuple(f"{g} {f}" for g, f in nurses), next_drop_in(s, place.id, now),
            place.phone, place.phone_hours,
        ))
    return result


def free_slots(
    s: Session,
    place_id: int,
    *,
    from_date: dt.date | None = None,
    days: int = 14,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> list[FreeSlot]:
    """Free slots at a place from `from_date` (Oslo) for `days` days, nearest first,
    never inside the minimum notice. Only school nurses' times: a midwife's are offered
    through midwife_free_slots(). Group them with group_by_day()."""
    now = aware_utc(now)
    from_date = from_date or to_oslo(now).date()
    start = dt.datetime.combine(from_date, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    end_day = from_date + dt.timedelta(days=days)
    end = dt.datetime.combine(end_day, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
    earliest = max(start, now + settings.min_notice)
    # From `earliest` on, inclusive: a slot starting exactly at the window start counts.
    return free_in_window(s, place_id, start, end, earliest, now=now)


def midwife_free_slots(
    s: Session,
    midwife_id: int,
    *,
    from_date: dt.date,
    days: int,
    place_id: int | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> list[FreeSlot]:
    """One midwife's free times (at one place of hers, or all), like free_slots(). Who may
    book them is checked by book(): the women whose card names her."""
    now = aware_utc(now)
    start, _ = day_bounds(from_date)
    _, end = day_bounds(from_date + dt.timedelta(days=days - 1))
    earliest = max(start, now + settings.min_notice)
    if place_id is None:  # all her places: no one place's version to trust
        return free_slot_rows(s, None, earliest - dt.timedelta(microseconds=1), end,
                              personnel_id=midwife_id, now=now)
    return free_in_window(s, place_id, start, end, earliest, personnel_id=midwife_id,
                          now=now)


def book(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    *,
    slot_id: int,
    client_key: str,
    topic: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> Booking:
    """Book a slot for the actor's subject (the pupil herself, or a parent's child in the
    basic service; or, on a midwife's slot, a pregnancy consultation for the woman whose
    active card names that midwife). The same client_key returns the same booking.

    Raises SlotTaken (with the nearest alternatives), SlotUnavailable, TooLate,
    LimitReached, ClientKeyReused, AccessDenied."""
    now = aware_utc(now)
    check_input(client_key, topic, note)
    note = optional_text(note)
    count_request(actor, settings)
    request = dict(slot_id=slot_id, client_key=client_key, topic=topic, note=note, now=now,
                   settings=settings)
    if isinstance(s_or_engine, Engine):
        booking = _lean_book(s_or_engine, actor, request)
        if booking is not None:
            slot_events.tell({booking.slot_id})
            return booking
    with transaction(s_or_engine) as s:
        return _book(s, actor, **request)


def _lean_book(engine: Engine, actor: Actor, request: dict) -> Booking | None:
    """The common case in a transaction of its own: on SQLite one of the writer's group
    commits, on PostgreSQL its own. None when it is not the common case: nothing was
    written, and the general path decides in a new transaction."""
    try:
        group = writer_for(engine)
        if group is not None:
            return group.run(lambda conn: lean.book(conn, actor, **request))
        with db.immediate(engine).begin() as conn:  # SQLite in memory: one connection
            return lean.book(conn, actor, **request)
    except lean.Unusual:
        return None


def _book(s: Session, actor: Actor, *, slot_id: int, client_key: str, topic: str | None,
          note: str | None, now: dt.datetime, settings: BookingSettings) -> Booking:
    """book() in the caller's session and transaction: the general path."""
    if actor.is_personnel:
        raise AccessDenied("personnel_cannot_book", "pupils book their own appointments")
    slot = load_slot(s, slot_id, lock=True)
    person = lock_person(s, actor.subject_pid)
    place = s.get(Place, slot.place_id)
    assert place is not None
    service = slot_service(s, slot, actor)
    authorize(s, actor, person.nin, Action.BOOK, place_id=place.id, service=service)
    visit_key = None
    if service == Service.PREGNANCY:
        visit_key = visit_for_slot(s, her_record(s, person, slot), slot)
        topic = None  # a consultation has no topics: she writes what she wants to raise
    else:
        check_place_for_person(s, person, place, service,
                               youth_age=_youth_age(person, now))
        check_topic(topic, service)

    existing = by_client_key(s, client_key)
    if existing is not None:
        return _same_request(existing, slot_id=slot.id, person=person, moved_from=None)
    check_bookable(slot, now, settings)
    check_limit(s, person, now, settings)

    booking = Booking(
        slot_id=slot.id, person_id=person.id, service=service, topic=topic, note=note,
        visit_key=visit_key, client_key=client_key, created_at=now, updated_at=now,
        booked_by_pid=actor.pid if actor.pid != person.nin else None,
    )
    holds.clear_for_booking(s, slot.id, person.id, now)
    if not insert_booking(s, booking):
        return _after_refused_insert(s, client_key, slot, person, now, settings)
    record_booking_access(s, actor, person.nin, action="create", object_id=booking.id,
                          service=service)
    where = sms_where(service, place.kind)
    queue_notices(s, booking=booking, person=person, start=slot.start_at, kind="confirmed",
            body=confirmation_text(slot.start_at, where), now=now, settings=settings,
            reminder=True, where=where)
    return booking


def _same_request(existing: Booking, *, slot_id: int, person: Person,
                  moved_from: int | None) -> Booking:
    if (existing.slot_id, existing.person_id, existing.moved_from_booking_id) != (
            slot_id, person.id, moved_from):
        raise ClientKeyReused()
    return existing


def _after_refused_insert(s: Session, client_key: str, slot: Slot, person: Person,
                          now: dt.datetime, settings: BookingSettings,
                          moved_from: int | None = None) -> Booking:
    """The database refused the insert: the same request committed meanwhile (return
    it), the pupil already holds this slot (return that), or somebody else took it."""
    again = by_client_key(s, client_key)
    if again is not None:
        return _same_request(again, slot_id=slot.id, person=person, moved_from=moved_from)
    holder = s.exec(select(Booking).where(Booking.slot_id == slot.id,
                                          Booking.status != BookingStatus.CANCELLED)).first()
    if holder is not None and holder.person_id == person.id and moved_from is None:
        return holder
    raise SlotTaken(nearest_free(s, slot, now=now, settings=settings))


def cancel(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    now: dt.datetime | None = None,
    reason: str | None = None,
    settings: BookingSettings,
) -> Booking:
    """Cancel a booking. Pupils (and parents in the basic service) until the cancel
    notice; nurses at any time, with a reason the pupil reads in the app."""
    now = aware_utc(now)
    reason = optional_text(reason)
    check_reason(reason)
    count_request(actor, settings)
    with transaction(s_or_engine) as s:
        booking, slot, person = load_booking(s, booking_id, lock=True)
        authorize(s, actor, person.nin, Action.CANCEL, place_id=slot.place_id,
                   service=Service(booking.service), object_id=booking.id)
        if booking.status == BookingStatus.CANCELLED:
            return booking  # a repeated request
        if booking.status != BookingStatus.BOOKED:
            raise InvalidTransition()
        by_nurse = actor.is_personnel
        if by_nurse and reason is None:
            raise ReasonRequired()
        if not by_nurse and inside_cancel_notice(slot.start_at, now, settings):
            raise TooLate("cancel_notice")
        cancel_row(s, booking, now=now, by=CancelledBy.NURSE if by_nurse else CancelledBy.PUPIL,
                    reason=reason)
        offers.after_booking_ended(s, booking, slot, now=now, settings=settings)
        drop_pending(s, [reminder_key(booking.id)], now=now)
        record_booking_access(s, actor, person.nin, action="update",
                              object_id=booking.id, service=booking.service)
        where = sms_where(booking.service, place_kind_of(s, slot))
        queue_notices(s, booking=booking, person=person, start=slot.start_at, kind="cancelled",
                body=cancelled_text(slot.start_at, by_nurse, where), now=now,
                settings=settings)
        return booking


def move(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    new_slot_id: int,
    client_key: str,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> Booking:
    """Move a booking to another slot in one step: the old one is cancelled and the new
    one booked in one transaction. If the new slot is taken, nothing changes (SlotTaken)."""
    now = aware_utc(now)
    check_input(client_key, None, None)
    count_request(actor, settings)
    with transaction(s_or_engine) as s:
        old, old_slot, person = load_booking(s, booking_id, lock=True)
        person = lock_person(s, person.nin)
        service = Service(old.service)
        authorize(s, actor, person.nin, Action.CANCEL, place_id=old_slot.place_id,
                   service=service, object_id=old.id)
        new_slot = load_slot(s, new_slot_id, lock=True)
        authorize(s, actor, person.nin, Action.BOOK, place_id=new_slot.place_id,
                   service=service)
        pregnancy = service == Service.PREGNANCY
        if pregnancy != (owner(s, new_slot).role == StaffRole.MIDWIFE):
            raise SlotUnavailable()  # a pupil's time never moves to a midwife, nor back
        visit_key = old.visit_key
        if pregnancy:
            visit_key = visit_for_slot(s, her_record(s, person, new_slot), new_slot)
        else:
            check_place_for_person(s, person, s.get(Place, new_slot.place_id), service,
                                   youth_age=_youth_age(person, now))

        existing = by_client_key(s, client_key)
        if existing is not None:
            return _same_request(existing, slot_id=new_slot.id, person=person, moved_from=old.id)
        if old.status != BookingStatus.BOOKED:
            raise InvalidTransition()
        if new_slot.id == old_slot.id:
            return old
        by_nurse = actor.is_personnel
        if not by_nurse and inside_cancel_notice(old_slot.start_at, now, settings):
            raise TooLate("cancel_notice")
        check_bookable(new_slot, now, settings, by_nurse=by_nurse)
        check_limit(s, person, now, settings, moving=old.id)

        new = Booking(
            slot_id=new_slot.id, person_id=person.id, service=old.service, topic=old.topic,
            note=old.note, visit_key=visit_key, client_key=client_key,
            guardian_reservation=old.guardian_reservation,
            booked_by_pid=old.booked_by_pid, moved_from_booking_id=old.id,
            created_at=now, updated_at=now,
        )
        by = CancelledBy.NURSE if by_nurse else CancelledBy.PUPIL
        holds.clear_for_booking(s, new_slot.id, person.id, now)
        try:
            with s.begin_nested():  # both rows or neither
                cancel_row(s, old, now=now, by=by, reason=MOVED_REASON)
                s.add(new)
        except IntegrityError:
            s.refresh(old)
            return _after_refused_insert(s, client_key, new_slot, person, now, settings,
                                         moved_from=old.id)
        drop_pending(s, [reminder_key(old.id)], now=now)
        offers.after_booking_ended(s, old, old_slot, now=now, settings=settings)
        record_booking_access(s, actor, person.nin, action="update", object_id=old.id,
                              service=old.service)
        record_booking_access(s, actor, person.nin, action="create", object_id=new.id,
                              service=new.service)
        where = sms_where(new.service, place_kind_of(s, new_slot))
        queue_notices(s, booking=new, person=person, start=new_slot.start_at, kind="moved",
                body=moved_text(new_slot.start_at, where), now=now, settings=settings,
                reminder=True, where=where)
        return new

def appointments_for(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    person_pid: str,
    *,
    now: dt.datetime | None = None,
    settings: BookingSettings,
) -> Appointments:
    """A person's upcoming and past appointments, as far as the actor may see them: each
    booking only when the actor may view that service's appointments (parents never see the
    youth service, the pregnancy consultations nor reserved bookings; a partner with
    fullmakt sees her pregnancy consultations, read only)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        person = person_by_pid(s, person_pid)
        if person is None:
            raise AccessDenied("unknown_person", "no such person")
        places = None
        if actor.is_personnel:
            # Personnel see the bookings at the places they serve.
            nurse = scheduler(s, actor)
            places = set(s.exec(select(StaffAssignment.place_id)
                                .where(StaffAssignment.personnel_id == nurse.id)).all())
        decisions = viewable(s, actor, person_pid)
        shared = shares_card(s, person, now)
        rows = s.exec(
            booking_with_place_and_nurse()
            .where(Booking.person_id == person.id)
            .order_by(col(Slot.start_at))
        ).all()
        # A moved booking's old row points nowhere itself: the new row names it.
        moved_to = {booking.moved_from_booking_id: slot.start_at
                    for booking, slot, *_ in rows if booking.moved_from_booking_id}
        upcoming, past, cancelled = [], [], []
        for booking, slot, place, given, family in rows:
            if places is not None and slot.place_id not in places:
                continue
            decision = decisions.get(Service(booking.service))
            if decision is None or not visible(decision.relation, booking):
                continue
            relation = decision.relation
            may_cancel = (booking.status == BookingStatus.BOOKED
                          and decision.allows(Action.CANCEL))
            too_late = not actor.is_personnel and inside_cancel_notice(slot.start_at, now,
                                                                       settings)
            appointment = Appointment(
                booking.id, slot.id, place.id, place.name, place.address, f"{given} {family}",
                slot.start_at, slot.end_at, booking.status, booking.service, booking.topic,
                booking.note, booking.cancelled_by,
                None if booking.id in moved_to or booking.cancel_reason == MOVED_REASON
                else booking.cancel_reason,
                visibility_key(booking, shared, relation),
                can_change=may_cancel and not too_late,
                visit_key=booking.visit_key, moved_to=moved_to.get(booking.id),
                too_late=may_cancel and too_late, place_phone=place.phone,
                place_phone_hours=place.phone_hours,
            )
            # Past means the time has gone; a time cancelled for later today is not past.
            if slot.end_at <= now or booking.status in (BookingStatus.ATTENDED,
                                                          BookingStatus.NO_SHOW):
                past.append(appointment)
            elif booking.status == BookingStatus.CANCELLED:
                cancelled.append(appointment)
            else:
                upcoming.append(appointment)
            if relation != "self":
                record_booking_access(s, actor, person.nin, action="read", object_id=booking.id,
                        service=booking.service)
        past.reverse()
        return Appointments(upcoming, past, cancelled)




def calendar_file(
    s_or_engine: SessionOrEngine,
    actor: Actor,
    booking_id: int,
    *,
    now: dt.datetime | None = None,
) -> str:
    """An iCalendar file for one booking, made only when the pupil asks for it."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        booking, slot, person = load_booking(s, booking_id)
        relation = authorize(s, actor, person.nin, Action.VIEW_APPOINTMENTS,
                              place_id=slot.place_id, service=Service(booking.service),
                              object_id=booking.id)
        if not visible(relation, booking):
            raise BookingNotFound()
        place = s.get(Place, slot.place_id)
        assert place is not None
        if relation != "self":
            record_booking_access(s, actor, person.nin, action="read", object_id=booking.id,
                    service=booking.service)
        return ics.booking_event(
            uid=f"booking-{booking.id}", start_at=slot.start_at, end_at=slot.end_at,
            location=", ".join(part for part in (place.name, place.address) if part),
            description=f"{format_when(slot.start_at).capitalize()} (norsk tid).",
            stamp=now, cancelled=booking.status == BookingStatus.CANCELLED,
            # The file is hers, asked for by her: "jordmor" is no news to her calendar.
            summary="Time hos jordmor" if booking.service == Service.PREGNANCY
            else ics.SUMMARY,
        )


def visit_for_slot(s: Session, record: PregnancyRecord, slot: Slot) -> str | None:
    """Which recommended consultation a time is for: the one whose window holds its day,
    else the next one not yet done (a time booked just after a window)."""
    if record.due_date is None:
        return None
    held = s.exec(select(Consultation.held_on).where(Consultation.record_id == record.id))
    schedule = dating.recommended_schedule(record.due_date, list(held))
    day = to_oslo(slot.start_at).date()
    item = next((i for i in schedule if i.window_start <= day <= i.window_end), None)
    if item is None or item.done:
        item = dating.next_consultation(schedule, day) or item
    return item.key if item is not None else None
