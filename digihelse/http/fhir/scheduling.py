"""The IHE ITI Scheduling operations on Appointment, through the same booking services and
rules as the pages and the plain Appointment interactions:

    POST /fhir/R4/Appointment/$find  start, end, patient, location (or HealthcareService)
                                     -> a searchset Bundle of proposed Appointments
    POST /fhir/R4/Appointment/$hold  appointment-reference (a proposed Appointment)
                                     -> a Bundle with it "pending", held for the patient
    POST /fhir/R4/Appointment/$book  appointment-reference (book a proposed one), or
                                     appointment-resource (book it "pending"; an existing one
                                     "cancelled" cancels, with another Slot moves)
                                     -> a Bundle with the Appointment as it now is

Each takes a Parameters resource ($find also plain query parameters, as GET). A proposed
Appointment is not stored: its id, "proposed-<slot>-<patient>", names the free slot and
the patient it was found for. What the caller may not do or see answers as elsewhere:
the one 404 of an unknown id (or 403 for a reason about the caller)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session

from digihelse.access.actors import AccessDenied
from digihelse.booking import citizen, holds
from digihelse.booking.errors import (
    BookingError,
    ClientKeyReused,
    InvalidTransition,
    LimitReached,
    SlotTaken,
    SlotUnavailable,
    TooLate,
    TooManyRequests,
)
from digihelse.booking.models import Booking, Slot
from digihelse.booking.views import FreeSlot
from digihelse.core import db
from digihelse.http.fhir import appointment as appointments
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import Ctx, Result
from digihelse.http.fhir.directory import _nurse_names
from digihelse.http.fhir.outcome import FhirError, not_found
from digihelse.http.fhir.patient import patient_for_reference
from digihelse.http.fhir.search import int_id, reference_id
from digihelse.people.models import Person, Place

PROPOSED = re.compile(r"proposed-(\d{1,15})-(\d{1,15})")
MAX_DAYS = 62  # how long a period $find searches at most
OPERATION_BASE = "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/"
CAPABILITY = "https://profiles.ihe.net/ITI/Scheduling/CapabilityStatement/IHE.Scheduling.server"


# --- Parameters in ----------------------------------------------------------------------------

def _parameters(ctx: Ctx) -> list[dict[str, Any]]:
    body = ctx.json_body()
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise FhirError(422, "The body must be a Parameters resource.", code="structure")
    params = body.get("parameter") or []
    if not isinstance(params, list) or not all(isinstance(p, dict) and isinstance(
            p.get("name"), str) for p in params):
        raise FhirError(422, "Parameters.parameter must be a list of named parameters.",
                        code="structure")
    return params


def _values(params: list[dict[str, Any]], name: str) -> list[Any]:
    """Each value of the parameter: a valueX, a resource, or a valueReference's reference."""
    found = []
    for p in params:
        if p["name"] != name:
            continue
        if "resource" in p:
            found.append(p["resource"])
            continue
        value = next((v for k, v in p.items() if k.startswith("value")), None)
        if isinstance(value, dict) and "reference" in value:
            value = value["reference"]
        found.append(value)
    return found


def _one(params: list[dict[str, Any]], name: str, *, required: bool = False) -> Any:
    values = _values(params, name)
    if len(values) > 1:
        raise FhirError(422, f"Give {name} once.", code="value")
    if not values and required:
        raise FhirError(422, f"The parameter {name} is required.", code="required")
    return values[0] if values else None


def _instant(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise FhirError(422, f"{name} must be a dateTime.", code="value")
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FhirError(422, f"{name} is not a dateTime: {value!r}.", code="value") from exc
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _find_params(ctx: Ctx) -> list[dict[str, Any]]:
    """$find's parameters from a Parameters body (POST) or the query string (GET)."""
    if ctx.body:
        return _parameters(ctx)
    return [{"name": name, "valueString": value} for name, value in ctx.query.items]


# --- Appointments out ---------------------------------------------------------------------------

def proposed_id(slot_id: int, person_id: int) -> str:
    return f"proposed-{slot_id}-{person_id}"


def _proposed(slot: FreeSlot, place: Place, person: Person, status: str) -> Appointment:
    return Appointment.model_validate({
        "id": proposed_id(slot.slot_id, person.id),
        "status": status,
        "serviceType": [mapping._service_type_concept(place.kind)],
        "description": f"Time hos helsesykepleier, {place.name}",
        "start": mapping.oslo(slot.start_at),
        "end": mapping.oslo(slot.end_at),
        "minutesDuration": max(int((slot.end_at - slot.start_at).total_seconds() // 60), 1),
        "slot": [{"reference": f"Slot/{slot.slot_id}"}],
        "participant": [
            {"actor": mapping.patient_ref(person), "required": "required",
             "status": "needs-action"},
            {"actor": {"type": "Practitioner", "display": slot.nurse_name},
             "required": "required", "status": "accepted"},
            {"actor": {"reference": f"Location/{place.id}", "display": place.name},
             "required": "required", "status": "accepted"},
        ],
    })


def _bundle(ctx: Ctx, resources: list[Any], note: str | None = None) -> Bundle:
    entries: list[dict[str, Any]] = [{
        "fullUrl": f"{ctx.base}/Appointment/{r.id}", "resource": r,
        "search": {"mode": "match"}} for r in resources]
    if note:
        entries.append({"resource": {"resourceType": "OperationOutcome", "issue": [
            {"severity": "information", "code": "informational", "diagnostics": note}]},
            "search": {"mode": "outcome"}})
    return Bundle.model_validate({"type": "searchset", "total": len(resources),
                                  "entry": entries or None})


def _booked(ctx: Ctx, booking: Booking) -> Appointment:
    with db.session(ctx.engine) as s:
        return mapping.appointment(*appointments._rows(s, [booking.id])[booking.id])


def _person(s: Session, ctx: Ctx, patient: Any) -> Person:
    if patient is not None and not isinstance(patient, str):
        raise FhirError(422, "patient must be a reference Patient/<id>.", code="value")
    return patient_for_reference(s, ctx.actor, patient)


def _refused(exc: BookingError, what: str = "booked") -> FhirError:
    """A booking rule's refusal as the plain Appointment interactions answer it."""
    if isinstance(exc, SlotTaken):
        return FhirError(409, "The time was taken or held by somebody else first.",
                         code="conflict")
    if isinstance(exc, TooManyRequests):
        return appointments.throttled(exc)
    if isinstance(exc, ClientKeyReused):
        return FhirError(409, "This identifier was used for another appointment.",
                         code="duplicate")
    if isinstance(exc, InvalidTransition):
        return FhirError(409, "This appointment can no longer be changed.", code="conflict")
    if isinstance(exc, LimitReached):
        return FhirError(422, f"The patient already has {exc.limit} upcoming appointments.",
                         code="business-rule")
    if isinstance(exc, TooLate):
        return FhirError(422, f"The time can no longer be {what} ({exc.code}).",
                         code="business-rule")
    if isinstance(exc, SlotUnavailable):
        return FhirError(422, "The slot does not exist or is closed for booking.",
                         code="business-rule")
    if exc.code in ("not_found",):
        return not_found()
    return FhirError(422, f"Refused ({exc.code}).", code="business-rule")


# --- $find ----------------------------------------------------------------------------------------

def find(ctx: Ctx) -> Result:
    params = _find_params(ctx)
    start = _instant(_one(params, "start", required=True), "start")
    end = _instant(_one(params, "end", required=True), "end")
    if end <= start or end - start > dt.timedelta(days=MAX_DAYS):
        raise FhirError(422, f"end must come after start, at most {MAX_DAYS} days later.",
                        code="value")
    wanted: set[int] | None = None
    for name, kind in (("location", "Location"), ("service-type-reference",
                                                  "HealthcareService")):
        for value in _values(params, name):
            if not isinstance(value, str):
                raise FhirError(422, f"{name} must be a reference.", code="value")
            number = int_id(reference_id(value, kind))
            wanted = (wanted or set()) | ({number} if number is not None else set())
    with db.session(ctx.engine) as s:
        person = _person(s, ctx, _one(params, "patient"))
    actor = appointments._acting(ctx.actor, person)
    if actor.is_personnel:
        raise AccessDenied("personnel_cannot_book", "pupils book their own appointments")
    with db.write_session(ctx.engine) as s:  # a refusal is logged
        why = citizen.booking_refusal(s, actor)
    if why is not None:
        raise AccessDenied(why, "may not book for this patient")
    found: list[Appointment] = []
    first_day = mapping.oslo(start).date()
    days = (mapping.oslo(end).date() - first_day).days + 1
    with db.session(ctx.engine) as s:
        places = [p for p in citizen.places_for(s, actor, now=ctx.now)
                  if wanted is None or p.place_id in wanted]
        for info in places:
            place = s.get(Place, info.place_id)
            assert place is not None
            for slot in citizen.free_slots(s, info.place_id, from_date=first_day, days=days,
                                           now=ctx.now, settings=ctx.booking):
                if start <= slot.start_at < end:
                    found.append(_proposed(slot, place, person, "proposed"))
    found.sort(key=lambda a: (a.start, a.id))
    count = _one(params, "_count")
    if count is not None:
        if not str(count).isdigit():
            raise FhirError(422, "_count must be a whole number.", code="value")
        found = found[:int(count)]
    return Result(_bundle(ctx, found))


# --- $hold ----------------------------------------------------------------------------------------

def _proposal(value: Any) -> tuple[int, int]:
    if not isinstance(value, str):
        raise FhirError(422, "appointment-reference must be a reference Appointment/<id>.",
                        code="value")
    match = PROPOSED.fullmatch(reference_id(value, "Appointment"))
    if match is None:
        raise not_found()
    return int(match.group(1)), int(match.group(2))


def _slot_and_person(ctx: Ctx, slot_id: int, person_id: int) -> tuple[FreeSlot, Place, Person]:
    with db.session(ctx.engine) as s:
        slot, person = s.get(Slot, slot_id), s.get(Person, person_id)
        if slot is None or person is None:
            raise not_found()
        place = s.get(Place, slot.place_id)
        assert place is not None
        nurse = _nurse_names(s, [slot.personnel_id]).get(slot.personnel_id, "")
    return (FreeSlot(slot.id, slot.place_id, slot.start_at, slot.end_at, nurse), place, person)


def hold(ctx: Ctx) -> Result:
    params = _parameters(ctx)
    slot_id, person_id = _proposal(_one(params, "appointment-reference", required=True))
    slot, place, person = _slot_and_person(ctx, slot_id, person_id)
    actor = appointments._acting(ctx.actor, person)
    try:
        held = holds.hold(ctx.engine, actor, slot_id, now=ctx.now, settings=ctx.booking)
    except BookingError as exc:
        raise _refused(exc) from exc
    note = f"Held for the patient until {mapping.oslo(held.expires_at).isoformat()}."
    return Result(_bundle(ctx, [_proposed(slot, place, person, "pending")], note))


# --- $book ----------------------------------------------------------------------------------------

def book(ctx: Ctx) -> Result:
    params = _parameters(ctx)
    reference = _one(params, "appointment-reference")
    resource = _one(params, "appointment-resource")
    if (reference is None) == (resource is None):
        raise FhirError(422, "Give appointment-reference or appointment-resource.",
                        code="required")
    if reference is not None:
        slot_id, person_id = _proposal(reference)
        return _book_new(ctx, slot_id, person_id, None, None)
    if not isinstance(resource, dict) or resource.get("resourceType") != "Appointment":
        raise FhirError(422, "appointment-resource must be an Appointment.", code="structure")
    parsed = appointments._parse(resource)
    number = int_id(parsed.id or "")
    if number is None:  # a new booking: a proposed (or our own "pending") Appointment
        if parsed.status not in ("pending", "proposed", "booked"):
            raise FhirError(422, "A new appointment is booked with status pending.",
                            code="value")
        slot_id, patient_id, identifier, note = appointments._booking_request(parsed)
        patient = int_id(patient_id)
        if patient is None:
            raise not_found()
        return _book_new(ctx, slot_id, patient, identifier, note)
    return _change(ctx, number, parsed)


def _book_new(ctx: Ctx, slot_id: int, person_id: int, identifier: str | None,
              note: str | None) -> Result:
    with db.session(ctx.engine) as s:
        person = s.get(Person, person_id)
    if person is None:
        raise not_found()
    actor = appointments._acting(ctx.actor, person)
    key = mapping.client_key_prefix(person) + (identifier or f"ihe-{uuid.uuid4().hex}")
    if len(key) > appointments.MAX_KEY:
        raise FhirError(422, "Appointment.identifier is too long.", code="value")
    try:
        booked = citizen.book(ctx.engine, actor, slot_id=slot_id, client_key=key, note=note,
                              now=ctx.now, settings=ctx.booking)
    except BookingError as exc:
        raise _refused(exc) from exc
    return Result(_bundle(ctx, [_booked(ctx, booked)]), 200)


def _change(ctx: Ctx, booking_id: int, wanted: Appointment) -> Result:
    """An existing appointment: "cancelled" cancels it, another Slot moves it."""
    with db.session(ctx.engine) as s:
        row = s.get(Booking, booking_id)
        person = s.get(Person, row.person_id) if row is not None else None
    if row is None or person is None:
        raise not_found()
    actor = appointments._acting(ctx.actor, person)
    try:
        if wanted.status == "cancelled":
            reason = wanted.cancelationReason.text if wanted.cancelationReason else None
            changed = citizen.cancel(ctx.engine, actor, booking_id, now=ctx.now, reason=reason,
                                     settings=ctx.booking)
            return Result(_bundle(ctx, [_booked(ctx, changed)]))
        slots = [int_id(reference_id(ref.reference, "Slot")) for ref in wanted.slot or []
                 if ref.reference]
        if len(slots) != 1 or slots[0] is None:
            raise FhirError(422, "To move an appointment, name exactly one new Slot.",
                            code="required")
        if slots[0] == row.slot_id:
            return Result(_bundle(ctx, [_booked(ctx, row)]))
        moved = citizen.move(ctx.engine, actor, booking_id, new_slot_id=slots[0],
                             client_key=f"fhir-move:{booking_id}:{uuid.uuid4().hex[:16]}",
                             now=ctx.now, settings=ctx.booking)
    except BookingError as exc:
        raise _refused(exc, "changed") from exc
    return Result(_bundle(ctx, [_booked(ctx, moved)]))


OPERATIONS = {"$find": find, "$hold": hold, "$book": book}
DEFINITIONS = {"find": OPERATION_BASE + "appointment-find",
               "hold": OPERATION_BASE + "appointment-hold",
               "book": OPERATION_BASE + "appointment-book"}
