"""Patient: read yourself and those you may act for; search lists exactly those.

Whom a citizen may act for comes from digihelse.access.enforcement (parents by age and address,
fullmakt, never across a confidential address); personnel see a patient only where they
have a care relation. A refusal is logged as "denied" by access.require, like the pages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from digihelse.access import enforcement, policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.core import db
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import Ctx, ResourceSpec, Result, SearchParam
from digihelse.http.fhir.outcome import FhirError, not_found
from digihelse.http.fhir.search import int_id, paging, reference_id, searchset
from digihelse.people.models import Person
from digihelse.people.registry import person_by_pid


def person_by_id(s: Session, resource_id: str | None) -> Person | None:
    number = int_id(resource_id or "")
    return None if number is None else s.get(Person, number)


def may_see(s: Session, actor: Actor, person: Person) -> bool:
    """Whether the actor may see this person at all: themself, or some service lets them
    act (or, for personnel, care) for the person."""
    if person.nin == actor.pid:
        return True
    return any(enforcement.decide(s, actor, person.nin, service).allowed for service in Service)


def require_patient(s: Session, actor: Actor, person: Person) -> None:
    """Raise AccessDenied (logged as denied) unless the actor may see the person."""
    if not may_see(s, actor, person):
        service = Service.PREGNANCY if policy.keeps_cards(actor.role) else Service.BASIC
        enforcement.require(s, actor, person.nin, service, Action.VIEW_APPOINTMENTS,
                       object_type="patient", object_id=str(person.id))
        raise AssertionError("require() allowed what decide() refused")  # pragma: no cover


def patient_for_reference(s: Session, actor: Actor, value: str | None) -> Person:
    """The person a search's `patient` parameter names, after the access check; without
    the parameter, the caller themself."""
    if value is None:
        me = person_by_pid(s, actor.pid)
        if me is None:
            raise FhirError(404, "You are not in the population registry.")
        return me
    person = person_by_id(s, reference_id(value, "Patient"))
    if person is None:
        raise not_found()
    require_patient(s, actor, person)
    return person


def read(ctx: Ctx) -> Result:
    # A plain read session: a refusal is logged in a transaction of its own (access.py).
    with db.session(ctx.engine) as s:
        person = person_by_id(s, ctx.resource_id)
        if person is None:
            raise not_found()
        require_patient(s, ctx.actor, person)
        resource = mapping.patient(person)
    # Name, birth date and national id number are personal data: every read is logged.
    with db.write_session(ctx.engine) as s:
        enforcement.record_access(s, ctx.actor, person.nin, action="read",
                                  object_type="patient", object_id=str(person.id))
    return Result(resource)


def search(ctx: Ctx) -> Result:
    query = ctx.query
    ids = query.any_of("_id")
    identifiers = query.tokens("identifier")
    count, offset = paging(query)
    with db.session(ctx.engine) as s:
        choices = enforcement.representable_subjects(s, ctx.actor)
        pids = [c.pid for c in choices if c.pid == ctx.actor.pid or c.can_act]
        persons = {p.nin: p for p in s.exec(select(Person).where(col(Person.nin).in_(pids)))}
    found = [persons[pid] for pid in pids if pid in persons]
    if ids is not None:
        found = [p for p in found if str(p.id) in ids]
    if identifiers:
        found = [p for p in found if any(
            t.matches(mapping.national_id(p.nin)["system"], p.nin) for t in identifiers)]
    resources = [mapping.patient(p) for p in found]
    return Result(searchset(ctx.base, "Patient", query, resources, count, offset))


SPEC = ResourceSpec(
    type="Patient",
    documentation=("The caller and the persons the caller may act for (children by the "
                   "parental-access rules, fullmakt givers); the national id number only as "
                   "identifier, never as id."),
    interactions={"read": read, "search-type": search},
    search_params=(
        SearchParam("_id", "token", "Resource ids, comma-separated."),
        SearchParam("identifier", "token",
                    f"National id number: {mapping.FNR_SYSTEM}|<fødselsnummer>."),
    ),
)
