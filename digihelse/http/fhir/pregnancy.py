"""EpisodeOfCare and Observation: the pregnancy card and its measurements.

Read through digihelse.healthcard.service.get_card, so the card's rules hold: the woman
herself, her midwife or GP, and a partner with fullmakt for the card (who does not see what
she hid); parents never, also for a minor. get_card logs every view in the access log.

Measurements, per consultation, with LOINC codes: body weight 29463-7 (kg), blood pressure
as the panel 85354-9 with components systolic 8480-6 and diastolic 8462-4 (mm[Hg]), fundal
height 11881-0 (cm), gestational age 18185-9 (days)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from digihelse.core import db
from digihelse.core.timeutil import OSLO
from digihelse.healthcard import service as card_service
from digihelse.healthcard.models import Consultation, PregnancyRecord
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import Ctx, ResourceSpec, Result, SearchParam
from digihelse.http.fhir.outcome import FhirError, not_found
from digihelse.http.fhir.patient import patient_for_reference, person_by_id
from digihelse.http.fhir.search import (
    Query,
    date_filters,
    int_id,
    paging,
    reference_id,
    searchset,
)
from digihelse.people.models import Person


def _card(ctx: Ctx, woman: Person) -> card_service.CardView | None:
    actor = ctx.actor if ctx.actor.is_personnel else ctx.actor.acting_for(woman.nin)
    try:
        return card_service.get_card(ctx.engine, actor, woman.nin)
    except card_service.CardNotFound:
        return None


def _search_subject(ctx: Ctx, query: Query) -> Person:
    value = query.one("patient")
    if value is None and ctx.actor.is_personnel:
        raise FhirError(400, "Personnel must name the patient: ?patient=Patient/<id>.")
    with db.session(ctx.engine) as s:
        if value is None:
            return patient_for_reference(s, ctx.actor, None)
        person = person_by_id(s, reference_id(value, "Patient"))
    if person is None:
        raise not_found()
    return person


def _record_woman(s: Session, record_id: int | None) -> tuple[PregnancyRecord, Person] | None:
    record = s.get(PregnancyRecord, record_id) if record_id is not None else None
    woman = s.get(Person, record.woman_id) if record is not None else None
    return None if record is None or woman is None else (record, woman)


# --- EpisodeOfCare --------------------------------------------------------------------------

def read_episode(ctx: Ctx) -> Result:
    with db.session(ctx.engine) as s:
        found = _record_woman(s, int_id(ctx.resource_id or ""))
    card = _card(ctx, found[1]) if found is not None else None
    if found is None or card is None or card.record_id != found[0].id:
        raise not_found()
    return Result(mapping.episode_of_care(card, found[1]))


def search_episode(ctx: Ctx) -> Result:
    query = ctx.query
    woman = _search_subject(ctx, query)
    statuses = query.any_of("status")
    count, offset = paging(query)
    card = _card(ctx, woman)
    resources = [mapping.episode_of_care(card, woman)] if card is not None else []
    if statuses is not None and "active" not in statuses:
        resources = []
    return Result(searchset(ctx.base, "EpisodeOfCare", query, resources, count, offset))


# --- Observation ----------------------------------------------------------------------------

def _held(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)


def read_observation(ctx: Ctx) -> Result:
    parsed = mapping.parse_observation_id(ctx.resource_id or "")
    found = None
    if parsed is not None:
        with db.session(ctx.engine) as s:
            consultation = s.get(Consultation, parsed[0])
            found = _record_woman(s, consultation.record_id) if consultation else None
    card = _card(ctx, found[1]) if found is not None else None
    if card is not None and found is not None and parsed is not None:
        for row in card.timeline:
            if row.id == parsed[0]:
                for observation in mapping.observations(row, found[1]):
                    if observation.id == ctx.resource_id:
                        return Result(observation)
    raise not_found()


def search_observation(ctx: Ctx) -> Result:
    query = ctx.query
    woman = _search_subject(ctx, query)
    codes = query.tokens("code")
    categories = query.tokens("category")
    dates = date_filters(query, "date")
    count, offset = paging(query)
    card = _card(ctx, woman)
    rows = sorted(card.timeline, key=lambda c: (c.held_on, c.id)) if card else []
    resources = []
    for row in rows:
        if not all(f.matches(_held(row.held_on)) for f in dates):
            continue
        for observation in mapping.observations(row, woman):
            coding = observation.code.coding[0]
            if codes and not any(t.matches(coding.system, coding.code) for t in codes):
                continue
            if categories:
                mine = [c for concept in observation.category or [] for c in concept.coding]
                if not any(t.matches(c.system, c.code) for t in categories for c in mine):
                    continue
            resources.append(observation)
    return Result(searchset(ctx.base, "Observation", query, resources, count, offset))


SPECS = (
    ResourceSpec(
        type="EpisodeOfCare",
        documentation="The woman's active pregnancy card (helsekort for gravide).",
        interactions={"read": read_episode, "search-type": search_episode},
        search_params=(
            SearchParam("patient", "reference", "Patient/<id>; without it, the caller."),
            SearchParam("status", "token", "Only active cards are offered."),
        ),
    ),
    ResourceSpec(
        type="Observation",
        documentation=("The card's measurements per consultation: body weight 29463-7, blood "
                       "pressure panel 85354-9 (systolic 8480-6, diastolic 8462-4), fundal "
                       "height 11881-0, gestational age 18185-9 (LOINC)."),
        interactions={"read": read_observation, "search-type": search_observation},
        search_params=(
            SearchParam("patient", "reference", "Patient/<id>; without it, the caller."),
            SearchParam("code", "token", f"{mapping.LOINC}|<code>, comma for any of."),
            SearchParam("category", "token", "vital-signs or exam (observation-category)."),
            SearchParam("date", "date", "The consultation's date, with prefixes ge, gt, le, "
                                        "lt or eq."),
        ),
    ),
)
