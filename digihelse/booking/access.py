"""Who may do what with a booking: the one door to the access policy for every booking
call, the nurse's own schedule, which service a booking belongs to, whose bookings a
viewer sees and how the page words that, and the access log."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.access.enforcement import decide, record_access, require
from digihelse.access.policy import keeps_schedule
from digihelse.booking.models import Booking, Slot
from digihelse.booking.store import owner
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.kinds import StaffRole
from digihelse.people.models import Person, Personnel, StaffAssignment
from digihelse.people.registry import personnel_by_pid


def authorize(
    s: Session,
    actor: Actor,
    subject_pid: str | None,
    action: Action,
    *,
    place_id: int | None = None,
    service: Service = Service.YOUTH,
    object_id: int | None = None,
) -> str:
    """The one door to access control; returns the actor's relation to the subject
    ("self", "parent", "personnel", ...). Personnel must also serve the place."""
    if actor.is_personnel:
        scheduler(s, actor, place_id)
    if subject_pid is None:
        if not actor.is_personnel:
            raise AccessDenied("personnel_only", "only personnel manage slots")
        return "personnel"
    decision = require(s, actor, subject_pid, service, action, object_type="appointment",
                       object_id=None if object_id is None else str(object_id))
    return str(decision.relation)


def record_booking_access(
    s: Session,
    actor: Actor,
    subject_pid: str,
    *,
    action: str,
    object_id: int | None,
    service: str,
) -> None:
    """Log an access in the caller's transaction. Youth-service and pregnancy rows are
    hidden from parents (the card and its consultations are hers, also as a minor)."""
    hidden = service in (Service.YOUTH, Service.PREGNANCY)
    record_access(s, actor, subject_pid, action=action, object_type="appointment",
                  object_id=None if object_id is None else str(object_id),
                  service=Service(service), hidden_from_parents=hidden)


def scheduler(s: Session, actor: Actor, place_id: int | None = None) -> Personnel:
    """The acting nurse's or midwife's Personnel row; with place_id, she must serve that
    place. GPs and others keep no schedule here."""
    found = personnel_by_pid(s, actor.pid)
    if (found is None or not keeps_schedule(found[1].role)
            or not keeps_schedule(actor.role)):
        raise AccessDenied("role_not_permitted", "only nurses and midwives manage bookings")
    nurse = found[1]
    if place_id is not None and s.exec(select(StaffAssignment.id).where(
            StaffAssignment.personnel_id == nurse.id,
            StaffAssignment.place_id == place_id)).first() is None:
        raise AccessDenied("no_care_relation", "you do not serve this place")
    return nurse


def booking_service(actor: Actor) -> Service:
    # A pupil booking for herself uses the youth service; a parent acting for a child
    # books in the basic service, which parents may see.
    return Service.BASIC if actor.on_behalf_of_pid else Service.YOUTH
def slot_service(s: Session, slot: Slot, actor: Actor) -> Service:
    """A midwife's time is a pregnancy consultation; a nurse's is youth or basic."""
    if owner(s, slot).role == StaffRole.MIDWIFE:
        return Service.PREGNANCY
    return booking_service(actor)


def her_record(s: Session, person: Person, slot: Slot) -> PregnancyRecord:
    """Her active card, which must name the slot's midwife: only she has the care
    relation (and knows the card), so only her times are offered and booked."""
    record = s.exec(select(PregnancyRecord).where(
        PregnancyRecord.woman_id == person.id, PregnancyRecord.active,
        PregnancyRecord.midwife_id == slot.personnel_id)).first()
    # An ended pregnancy has no consultations to book (healthcard/ending.py).
    if record is not None and record.ended_on is not None:
        record = None
    if record is None:
        raise AccessDenied("not_her_midwife", "only the midwife on her card",
                           "booking.error.not_her_midwife")
    return record


def authorize_schedule(s: Session, actor: Actor, place_id: int | None) -> Personnel:
    """The acting nurse, allowed to manage her own slots (at place_id, when given)."""
    authorize(s, actor, None, Action.MANAGE_SCHEDULE, place_id=place_id)
    return scheduler(s, actor, place_id)


def viewable(s: Session, actor: Actor, person_pid: str) -> dict[Service, Any]:
    """The policy's decision for each service whose appointments the actor may view. When
    there is none, the refusal is logged and raised, as for any other refused call."""
    decisions = {service: decide(s, actor, person_pid, service) for service in Service}
    allowed = {service: d for service, d in decisions.items()
               if d.allows(Action.VIEW_APPOINTMENTS)}
    if not allowed:
        fallback = Service.YOUTH if actor.subject_pid == actor.pid else Service.BASIC
        require(s, actor, person_pid, fallback, Action.VIEW_APPOINTMENTS,
                object_type="appointment")  # raises AccessDenied, logged
    return allowed


def visible(relation: str, booking: Booking) -> bool:
    """Parents see basic-service bookings without a reservation; others follow policy."""
    from digihelse.access.policy import ItemFacts, item_visible

    try:
        return item_visible(relation, ItemFacts(service=Service(booking.service),
                                                guardian_reservation=booking.guardian_reservation))
    except ValueError:  # a relation the policy does not know: show only one's own
        return relation == "self"


def pregnancy_visibility_key(shared: bool, relation: str = "self") -> str:
    """Who sees a pregnancy consultation, as the viewer should read it."""
    if relation == "fullmakt":
        return "booking.visibility.pregnancy_proxy"
    return "booking.visibility.pregnancy_shared" if shared else "booking.visibility.pregnancy"


def visibility_key(booking: Booking, shared_pregnancy: bool = False,
                   relation: str = "self") -> str:
    if booking.service == Service.YOUTH:
        return "booking.visibility.youth"
    if booking.service == Service.PREGNANCY:
        return pregnancy_visibility_key(shared_pregnancy, relation)
    return "booking.visibility.reserved" if booking.guardian_reservation else (
        "booking.visibility.basic")
