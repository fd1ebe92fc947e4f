"""Appointment: book a free Slot for a patient (create), read, search by patient, status and
date, and cancel (PUT or JSON Patch setting status to "cancelled", with If-Match).

Everything goes through the booking service (digihelse.booking.citizen), so the pages'
rules hold: who may book for whom, own school or a youth clinic, the notice, the limit of
upcoming appointments, one booking per slot (a partial unique index in the database decides
races), parents never seeing the youth service nor reserved bookings, and the access log.

Idempotency: the booking service keys every booking by a client key. POST takes the value
of the Appointment's first identifier as that key (scoped to the patient, so two clients'
identifiers never collide); a retry with the same identifier, slot and patient gets the
same appointment back with 200 instead of 201. Without an identifier a random UUID is used
and a retry books nothing twice only because the slot is then taken (409).

Versions: ETag W/"<version>", where the version is a hash of the booking's id, status and
last change, so it changes on every change (Appointment.meta.versionId is the same value).
PUT and PATCH need If-Match with the current ETag, else 412."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fhir.resources.R4B.appointment import Appointment
from pydantic import ValidationError
from sqlmodel import Session, col, select

from digihelse.access import enforcement, policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.booking.citizen import appointments_for, book, cancel
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
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.store import booking_with_place_and_nurse
from digihelse.core import db
from digihelse.core.db import transaction
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import JSON_PATCH, Ctx, ResourceSpec, Result, SearchParam
from digihelse.http.fhir.outcome import FhirError, not_found
from digihelse.http.fhir.patient import patient_for_reference
from digihelse.http.fhir.search import date_filters, int_id, paging, reference_id, searchset
from digihelse.people.models import Person, Place

BOOKABLE_STATUSES = frozenset({"proposed", "pending", "booked"})
FHIR_TO_BOOKING = {fhir: status for status, fhir in mapping.APPOINTMENT_STATUS.items()}
MAX_KEY = 100

Row = tuple[Booking, Slot, Place, str, Person]


def _rows(s: Session, booking_ids: list[int]) -> dict[int, Row]:
    if not booking_ids:
        return {}
    found = s.exec(
        booking_with_place_and_nurse()
        .where(col(Booking.id).in_(booking_ids))).all()
    patients = {p.id: p for p in s.exec(select(Person).where(
        col(Person.id).in_({b.person_id for b, *_ in found})))}
    return {b.id: (b, slot, place, f"{given} {family}", patients[b.person_id])
            for b, slot, place, given, family in found}


def _resource(row: Row) -> Appointment:
    return mapping.appointment(*row)


def _result(row: Row, status: int = 200, **headers: str) -> Result:
    version = mapping.appointment_version(row[0])
    return Result(_resource(row), status, {"ETag": mapping.etag(version), **headers})


def _acting(actor: Actor, person: Person) -> Actor:
    """Citizens act for the patient (themself, a child, a fullmakt giver); personnel act as
    personnel on their patient."""
    return actor if actor.is_personnel else actor.acting_for(person.nin)


def _as_utc(at: Any) -> dt.datetime | None:
    if at is None:
        return None
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    if isinstance(at, dt.datetime):
        return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return None


def _invalid(message: str, code: str = "invalid") -> FhirError:
    return FhirError(422, message, code=code)


def _parse(body: Any) -> Appointment:
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise _invalid("The body must be an Appointment resource.", "structure")
    try:
        return Appointment.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise _invalid(f"The Appointment is not valid FHIR R4: {problems}",
                       "structure") from exc


# --- create ---------------------------------------------------------------------------------

def _booking_request(resource: Appointment) -> tuple[int, str, str | None, str | None]:
    """(slot id, patient resource id, client identifier, note) from a POSTed Appointment."""
    if resource.status not in BOOKABLE_STATUSES:
        raise _invalid(f"A new appointment has status booked (or proposed/pending), not "
                       f"{resource.status!r}.", "value")
    slots = resource.slot or []
    if len(slots) != 1 or not slots[0].reference:
        raise _invalid("Name exactly one Slot to book in Appointment.slot.", "required")
    slot_id = int_id(_ref(slots[0].reference, "Slot"))
    if slot_id is None:
        raise _invalid(f"{slots[0].reference} is not a slot of this server.", "value")
    patients = [p.actor.reference for p in resource.participant
                if p.actor is not None and p.actor.reference
                and "Patient/" in p.actor.reference]
    if len(patients) != 1:
        raise _invalid("Name exactly one participant actor Patient/<id>.", "required")
    identifier = None
    if resource.identifier:
        identifier = resource.identifier[0].value
        if not identifier:
            raise _invalid("Appointment.identifier needs a value.", "required")
    return slot_id, _ref(patients[0], "Patient"), identifier, resource.comment


def _ref(value: str, resource_type: str) -> str:
    try:
        return reference_id(value, resource_type)
    except FhirError as exc:
        raise _invalid(exc.diagnostics, "value") from exc


def _slot_taken_by_other(engine: Any, slot_id: int, person_id: int) -> bool:
    with db.session(engine) as s:
        holder = s.exec(select(Booking.person_id).where(
            Booking.slot_id == slot_id, Booking.status != BookingStatus.CANCELLED)).first()
    return holder is not None and holder != person_id


def create(ctx: Ctx) -> Result:
    resource = _parse(ctx.json_body())
    slot_id, patient_id, identifier, note = _booking_request(resource)
    with db.session(ctx.engine) as s:
        number = int_id(patient_id)
        person = None if number is None else s.get(Person, number)
        if person is None:
            raise not_found()
        slot_row = s.get(Slot, slot_id)
    if slot_row is not None:
        for given, actual, name in ((resource.start, slot_row.start_at, "start"),
                                    (resource.end, slot_row.end_at, "end")):
            if given is not None and _as_utc(given) != _as_utc(actual):
                raise _invalid(f"Appointment.{name} does not match the slot's {name}.", "value")
    client_key = mapping.client_key_prefix(person) + (identifier or uuid.uuid4().hex)
    if len(client_key) > MAX_KEY:
        raise _invalid("Appointment.identifier is too long (at most 80 characters).", "value")
    actor = _acting(ctx.actor, person)
    try:
        booked = book(ctx.engine, actor, slot_id=slot_id, client_key=client_key,
                      note=note, now=ctx.now, settings=ctx.booking)
    except SlotTaken as exc:
        raise FhirError(409, "The slot was booked by somebody else first.",
                        code="conflict") from exc
    except LimitReached as exc:
        if _slot_taken_by_other(ctx.engine, slot_id, person.id):
            raise FhirError(409, "The slot was booked by somebody else first.",
                            code="conflict") from exc
        raise _invalid(f"The patient already has {exc.limit} upcoming appointments.",
                       "business-rule") from exc
    except TooLate as exc:
        raise _invalid(f"The slot can no longer be booked ({exc.code}).",
                       "business-rule") from exc
    except SlotUnavailable as exc:
        raise _invalid("The slot does not exist or is closed for booking.",
                       "business-rule") from exc
    except ClientKeyReused as exc:
        raise FhirError(409, "This identifier was used for another appointment.",
                        code="duplicate") from exc
    except TooManyRequests as exc:
        raise throttled(exc) from exc
    except BookingError as exc:
        raise _invalid(f"The appointment cannot be booked ({exc.code}).",
                       "business-rule") from exc
    if booked.client_key != client_key:
        # The booking service hands back the patient's own earlier booking of this slot.
        raise FhirError(409, "The slot is already booked (by this patient).", code="conflict")
    created = mapping.as_utc(booked.created_at) == ctx.now.astimezone(dt.UTC)
    with db.session(ctx.engine) as s:
        row = _rows(s, [booked.id])[booked.id]
    location = f"{ctx.base}/Appointment/{booked.id}"
    return _result(row, 201 if created else 200, Location=location)


# --- read and search --------------------------------------------------------------------------

def _visible_ids(ctx: Ctx, person: Person) -> set[int]:
    """The patient's bookings the caller may see, through the service (logs the reads)."""
    found = appointments_for(ctx.engine, _acting(ctx.actor, person), person.nin,
                             now=ctx.now, settings=ctx.booking)
    return {a.booking_id for a in (*found.upcoming, *found.cancelled, *found.past)}


def read(ctx: Ctx) -> Result:
    number = int_id(ctx.resource_id or "")
    with db.session(ctx.engine) as s:
        row = s.get(Booking, number) if number is not None else None
        person = s.get(Person, row.person_id) if row is not None else None
    if row is None or person is None:
        raise not_found()
    if row.id not in _visible_ids(ctx, person):
        raise not_found()
    with db.session(ctx.engine) as s:
        return _result(_rows(s, [row.id])[row.id])


def search(ctx: Ctx) -> Result:
    query = ctx.query
    patient = query.one("patient")
    statuses = query.any_of("status")
    dates = date_filters(query, "date")
    count, offset = paging(query)
    if patient is None and ctx.actor.is_personnel:
        raise FhirError(400, "Personnel must name the patient: ?patient=Patient/<id>.")
    with db.session(ctx.engine) as s:
        if patient is None:
            person = patient_for_reference(s, ctx.actor, None)
        else:
            number = int_id(reference_id(patient, "Patient"))
            person = s.get(Person, number) if number is not None else None
            if person is None:
                raise not_found()
    ids = _visible_ids(ctx, person)
    with db.session(ctx.engine) as s:
        rows = list(_rows(s, sorted(ids)).values())
    if statuses is not None:
        wanted = {FHIR_TO_BOOKING[code] for code in statuses if code in FHIR_TO_BOOKING}
        rows = [r for r in rows if r[0].status in wanted]
    rows = [r for r in rows if all(f.matches(mapping.as_utc(r[1].start_at)) for f in dates)]
    rows.sort(key=lambda r: (r[1].start_at, r[0].id))
    resources = [_resource(r) for r in rows]
    return Result(searchset(ctx.base, "Appointment", query, resources, count, offset))


# --- cancel -----------------------------------------------------------------------------------

def _if_match(ctx: Ctx) -> str:
    raw = ctx.headers.get("if-match")
    if not raw:
        raise FhirError(412, "Send If-Match with the appointment's current ETag.",
                        code="conflict")
    value = raw.strip()
    value = value[2:] if value.startswith("W/") else value
    return value.strip('"')


def _change_status(ctx: Ctx, wanted: str, reason: str | None) -> Result:
    expected = _if_match(ctx)
    number = int_id(ctx.resource_id or "")
    with transaction(ctx.engine) as s:
        row = s.get(Booking, number) if number is not None else None
        person = s.get(Person, row.person_id) if row is not None else None
        if row is None or person is None:
            raise not_found()
        actor = _acting(ctx.actor, person)
        # The same door the service uses, so a refusal is logged before anything is said.
        decision = enforcement.require(s, actor, person.nin, Service(row.service), Action.CANCEL,
                                  object_type="appointment", object_id=str(row.id))
        if not policy.item_visible(decision.relation, policy.ItemFacts(
                Service(row.service), guardian_reservation=row.guardian_reservation)):
            raise not_found()
        if expected != mapping.appointment_version(row):
            raise FhirError(412, "The appointment changed since you read it: read it again.",
                            code="conflict")
        current = mapping.APPOINTMENT_STATUS.get(row.status)
        if wanted != current:
            if wanted != "cancelled":
                raise _invalid("Only cancelling is supported: set status to cancelled.",
                               "business-rule")
            try:
                cancel(s, actor, row.id, now=ctx.now, reason=reason, settings=ctx.booking)
            except TooLate as exc:
                raise _invalid("It is too late to cancel this appointment here; call the "
                               "school nurse.", "business-rule") from exc
            except InvalidTransition as exc:
                raise FhirError(409, "This appointment can no longer be cancelled.",
                                code="conflict") from exc
            except TooManyRequests as exc:
                raise throttled(exc) from exc
            except BookingError as exc:
                raise _invalid(f"The appointment cannot be cancelled ({exc.code}).",
                               "business-rule") from exc
    with db.session(ctx.engine) as s:
        return _result(_rows(s, [row.id])[row.id])


def update(ctx: Ctx) -> Result:
    resource = _parse(ctx.json_body())
    if resource.id is not None and resource.id != ctx.resource_id:
        raise FhirError(400, "The resource's id differs from the id in the URL.")
    reason = resource.cancelationReason.text if resource.cancelationReason else None
    return _change_status(ctx, str(resource.status), reason)


def patch(ctx: Ctx) -> Result:
    """JSON Patch (RFC 6902) on /status, with an optional /cancelationReason."""
    operations = ctx.json_body(JSON_PATCH)
    if not isinstance(operations, list) or not operations:
        raise FhirError(400, "A JSON Patch is a list of operations.", code="structure")
    wanted: str | None = None
    reason: str | None = None
    for op in operations:
        if not isinstance(op, dict) or op.get("op") not in ("replace", "add", "test"):
            raise _invalid("Only replace, add and test operations are supported.",
                           "not-supported")
        path, value = op.get("path"), op.get("value")
        if op["op"] == "test":
            continue  # If-Match already guards the version
        if path == "/status" and isinstance(value, str):
            wanted = value
        elif path == "/cancelationReason" and isinstance(value, dict):
            reason = value.get("text") if isinstance(value.get("text"), str) else None
        elif path == "/cancelationReason/text" and isinstance(value, str):
            reason = value
        else:
            raise _invalid(f"Patching {path!r} is not supported; patch /status.",
                           "not-supported")
    if wanted is None:
        raise _invalid("The patch must set /status.", "required")
    return _change_status(ctx, wanted, reason)


SPEC = ResourceSpec(
    type="Appointment",
    documentation=("Create books a free Slot for one Patient participant (201; 409 when the "
                   "slot was taken; 422 when a booking rule refuses it). The first identifier "
                   "is the idempotency key. Cancel with PUT or JSON Patch setting status to "
                   "cancelled, with If-Match (412 without the current ETag). The IHE ITI "
                   "Scheduling operations $find, $hold and $book take Parameters."),
    interactions={"read": read, "search-type": search, "create": create, "update": update,
                  "patch": patch},
    search_params=(
        SearchParam("patient", "reference", "Patient/<id>; without it, the caller."),
        SearchParam("status", "token", "booked, fulfilled, noshow, cancelled; comma for any."),
        SearchParam("date", "date", "The start, with prefixes ge, gt, le, lt or eq."),
    ),
    versioning="versioned-update",
)  # routes.py adds the IHE operations (http/fhir/scheduling.py, which builds on this module)


def throttled(exc: TooManyRequests) -> FhirError:
    """429 with Retry-After: too many booking requests from this person."""
    return FhirError(429, f"Too many booking requests: try again in {exc.retry_after} s.",
                     code="throttled", headers={"Retry-After": str(exc.retry_after),
                                                "Cache-Control": "no-store"})
