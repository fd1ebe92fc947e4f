"""Location, HealthcareService, Schedule and Slot: the schools and clinics, each school
nurse's bookable times there, and the free slots.

This is public service information (the pages show it to every pupil), so any logged-in
caller may read it and nothing is written to the access log. A Slot says only whether it
is free, never who booked it. Whether a patient may book a slot (her own school, or a
youth clinic) is decided when she books: POST Appointment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, col, select

from digihelse.booking.citizen import free_slots
from digihelse.booking.models import Booking, BookingStatus, Slot
from digihelse.booking.offer_models import SlotHold, held_slot_ids
from digihelse.booking.rules import NURSE_ROLES, refusal
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import Ctx, ResourceSpec, Result, SearchParam
from digihelse.http.fhir.outcome import FhirError
from digihelse.http.fhir.search import (
    Query,
    Token,
    bounds,
    date_filters,
    int_id,
    paging,
    reference_id,
    searchset,
    string_matches,
)
from digihelse.people.models import Person, Personnel, Place, StaffAssignment

MAX_SEARCH_DAYS = 366


def _place(s: Session, resource_id: str | None, resource_type: str) -> Place:
    number = int_id(resource_id or "")
    place = None if number is None else s.get(Place, number)
    if place is None:
        raise FhirError(404, f"{resource_type}/{resource_id} is not known.")
    return place


def _places(s: Session) -> list[Place]:
    return list(s.exec(select(Place).order_by(col(Place.name), col(Place.id))))


def _service_type_matches(tokens: list[Token], kind: str) -> bool:
    code, _display = mapping.service_type(kind)
    return any(t.matches(mapping.SERVICE_TYPE_SYSTEM, code) for t in tokens)


def _place_ids(query: Query, name: str, types: Iterable[str]) -> set[int] | None:
    """Place ids from a reference parameter naming Location/x or HealthcareService/x."""
    values = query.any_of(name)
    if values is None:
        return None
    ids: set[int] = set()
    for value in values:
        kind = next((t for t in types if f"{t}/" in value), None)
        number = int_id(reference_id(value, kind) if kind else reference_id(value, "Location"))
        if number is not None:
            ids.add(number)
    return ids


# --- Location -------------------------------------------------------------------------------

def read_location(ctx: Ctx) -> Result:
    with db.session(ctx.engine) as s:
        return Result(mapping.location(_place(s, ctx.resource_id, "Location")))


def search_location(ctx: Ctx) -> Result:
    query = ctx.query
    names = query.values("name")
    kinds = query.tokens("type")
    count, offset = paging(query)
    with db.session(ctx.engine) as s:
        places = _places(s)
    places = [p for p in places if all(string_matches(n, p.name) for n in names)]
    if kinds:
        places = [p for p in places
                  if any(t.matches(mapping.PLACE_KIND_SYSTEM, str(p.kind)) for t in kinds)]
    resources = [mapping.location(p) for p in places]
    return Result(searchset(ctx.base, "Location", query, resources, count, offset))


# --- HealthcareService ----------------------------------------------------------------------

def read_service(ctx: Ctx) -> Result:
    with db.session(ctx.engine) as s:
        return Result(mapping.healthcare_service(_place(s, ctx.resource_id,
                                                        "HealthcareService")))


def search_service(ctx: Ctx) -> Result:
    query = ctx.query
    locations = _place_ids(query, "location", ("Location",))
    types = query.tokens("service-type")
    count, offset = paging(query)
    with db.session(ctx.engine) as s:
        places = _places(s)
    if locations is not None:
        places = [p for p in places if p.id in locations]
    if types:
        places = [p for p in places if _service_type_matches(types, p.kind)]
    resources = [mapping.healthcare_service(p) for p in places]
    return Result(searchset(ctx.base, "HealthcareService", query, resources, count, offset))


# --- Schedule -------------------------------------------------------------------------------

def _nurse_names(s: Session, personnel_ids: Iterable[int]) -> dict[int, str]:
    rows = s.exec(select(Personnel.id, Person.given_name, Person.family_name)
                  .join(Person, Person.id == Personnel.person_id)
                  .where(col(Personnel.id).in_(set(personnel_ids)))).all()
    return {pid: f"{given} {family}" for pid, given, family in rows}


def _schedule_pairs(s: Session) -> list[tuple[Place, int]]:
    """Each school nurse at each place she serves: one Schedule."""
    rows = s.exec(select(Place, StaffAssignment.personnel_id)
                  .join(StaffAssignment, StaffAssignment.place_id == Place.id)
                  .join(Personnel, Personnel.id == StaffAssignment.personnel_id)
                  .where(col(Personnel.role).in_(list(NURSE_ROLES)))
                  .order_by(col(Place.name), col(StaffAssignment.personnel_id))).all()
    return [(place, personnel_id) for place, personnel_id in rows]


def _schedule(s: Session, place: Place, personnel_id: int, ctx: Ctx):
    names = _nurse_names(s, [personnel_id])
    return mapping.schedule(place, personnel_id, names.get(personnel_id, ""),
                            to_oslo(ctx.now).date(), ctx.booking.horizon_days)


def read_schedule(ctx: Ctx) -> Result:
    pair = mapping.parse_schedule_id(ctx.resource_id or "")
    with db.session(ctx.engine) as s:
        found = None
        if pair is not None:
            found = next(((place, pid) for place, pid in _schedule_pairs(s)
                          if (place.id, pid) == pair), None)
        if found is None:
            raise FhirError(404, f"Schedule/{ctx.resource_id} is not known.")
        return Result(_schedule(s, found[0], found[1], ctx))


def search_schedule(ctx: Ctx) -> Result:
    query = ctx.query
    actors = _place_ids(query, "actor", ("Location", "HealthcareService"))
    types = query.tokens("service-type")
    count, offset = paging(query)
    with db.session(ctx.engine) as s:
        pairs = _schedule_pairs(s)
        if actors is not None:
            pairs = [(p, n) for p, n in pairs if p.id in actors]
        if types:
            pairs = [(p, n) for p, n in pairs if _service_type_matches(types, p.kind)]
        names = _nurse_names(s, [n for _p, n in pairs])
        today = to_oslo(ctx.now).date()
        resources = [mapping.schedule(p, n, names.get(n, ""), today, ctx.booking.horizon_days)
                     for p, n in pairs]
    return Result(searchset(ctx.base, "Schedule", query, resources, count, offset))


# --- Slot -----------------------------------------------------------------------------------

def slot_status(row: Slot, booked: bool, now: dt.datetime, settings: BookingSettings) -> str:
    """free only when a patient could book it now (the booking rules' refusal() says
    nothing against it); busy when booked."""
    if booked:
        return "busy"
    if refusal(row.status, row.start_at, now, settings) is not None:
        return "busy-unavailable"
    return "free"


def read_slot(ctx: Ctx) -> Result:
    number = int_id(ctx.resource_id or "")
    with db.session(ctx.engine) as s:
        row = None if number is None else s.get(Slot, number)
        if row is None:
            raise FhirError(404, f"Slot/{ctx.resource_id} is not known.")
        place = s.get(Place, row.place_id)
        booked = s.exec(select(Booking.id).where(
            Booking.slot_id == row.id, Booking.status != BookingStatus.CANCELLED)).first()
        # A time somebody holds while she confirms (or an offer keeps) is not free either.
        held = s.exec(held_slot_ids(ctx.now).where(SlotHold.slot_id == row.id)).first()
    assert place is not None  # a foreign key
    status = slot_status(row, booked is not None or held is not None, ctx.now, ctx.booking)
    return Result(mapping.slot(row, place, status))


def search_slot(ctx: Ctx) -> Result:
    """Free slots only: a schedule's, a service's, a place's, in a time window."""
    query = ctx.query
    schedules = query.any_of("schedule")
    statuses = query.any_of("status")
    starts = date_filters(query, "start")
    types = query.tokens("service-type")
    actors = _place_ids(query, "schedule.actor", ("Location", "HealthcareService"))
    count, offset = paging(query)

    pairs: set[tuple[int, int]] | None = None
    if schedules is not None:
        pairs = {pair for pair in (mapping.parse_schedule_id(reference_id(v, "Schedule"))
                                   for v in schedules) if pair is not None}
    earliest, latest = bounds(starts)
    today = to_oslo(ctx.now).date()
    first_day = max(today, to_oslo(earliest).date()) if earliest else today
    last_day = (to_oslo(latest).date() if latest
                else today + dt.timedelta(days=ctx.booking.horizon_days))
    days = min((last_day - first_day).days + 1, MAX_SEARCH_DAYS)

    rows: list[tuple[Slot, Place]] = []
    if (statuses is None or "free" in statuses) and days > 0:
        with db.session(ctx.engine) as s:
            places = {place.id: place for place, _n in _schedule_pairs(s)}
            wanted = [p for p in places.values()
                      if (pairs is None or p.id in {a for a, _b in pairs})
                      and (actors is None or p.id in actors)
                      and (not types or _service_type_matches(types, p.kind))]
            free_ids = [f.slot_id for place in wanted for f in free_slots(
                s, place.id, from_date=first_day, days=days, now=ctx.now, settings=ctx.booking)]
            slots = s.exec(select(Slot).where(col(Slot.id).in_(free_ids))).all() \
                if free_ids else []
            rows = [(row, places[row.place_id]) for row in slots]
    rows = [(row, place) for row, place in rows
            if (pairs is None or (row.place_id, row.personnel_id) in pairs)
            and all(f.matches(mapping.oslo(row.start_at)) for f in starts)]
    rows.sort(key=lambda pair: (pair[0].start_at, pair[0].id))
    resources = [mapping.slot(row, place, "free") for row, place in rows]
    return Result(searchset(ctx.base, "Slot", query, resources, count, offset))


SPECS = (
    ResourceSpec(
        type="Location",
        documentation="Schools, youth clinics, health stations and GP offices.",
        interactions={"read": read_location, "search-type": search_location},
        search_params=(
            SearchParam("name", "string", "Starts a word of the name, case-insensitive."),
            SearchParam("type", "token", f"The kind of place: {mapping.PLACE_KIND_SYSTEM}|"
                                         "lower_secondary, upper_secondary, youth_clinic, "
                                         "health_station, gp_office."),
        ),
    ),
    ResourceSpec(
        type="HealthcareService",
        documentation=("One service per place: the school health service at a school, "
                       "helsestasjon for ungdom, the health station."),
        interactions={"read": read_service, "search-type": search_service},
        search_params=(
            SearchParam("location", "reference", "Location/<id>."),
            SearchParam("service-type", "token", f"{mapping.SERVICE_TYPE_SYSTEM}|school-health, "
                                                 "youth-clinic, health-station, gp."),
        ),
    ),
    ResourceSpec(
        type="Schedule",
        documentation="One school nurse's bookable times at one place.",
        interactions={"read": read_schedule, "search-type": search_schedule},
        search_params=(
            SearchParam("actor", "reference", "Location/<id> or HealthcareService/<id>."),
            SearchParam("service-type", "token", f"{mapping.SERVICE_TYPE_SYSTEM}|<code>."),
        ),
    ),
    ResourceSpec(
        type="Slot",
        documentation=("Search gives the free slots (never inside the booking notice); read "
                       "gives any slot's status (free, busy, busy-unavailable)."),
        interactions={"read": read_slot, "search-type": search_slot},
        search_params=(
            SearchParam("schedule", "reference", "Schedule/<id>, comma-separated for any of."),
            SearchParam("status", "token", "Only free is offered; other values match nothing."),
            SearchParam("start", "date", "With prefixes ge, gt, le, lt or eq; repeat for a "
                                         "window. Without a zone, Oslo time."),
            SearchParam("service-type", "token", f"{mapping.SERVICE_TYPE_SYSTEM}|<code>: the "
                                                 "service, e.g. youth-clinic."),
            SearchParam("schedule.actor", "reference", "The service or place: "
                                                       "HealthcareService/<id> or Location/<id>."),
        ),
    ),
)
