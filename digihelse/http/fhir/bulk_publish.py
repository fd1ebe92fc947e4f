"""The youth clinic's free times as SMART Scheduling Links files: a `$bulk-publish`
manifest that points at Location, Schedule and Slot NDJSON, for slot-discovery clients
to read without logging in.

    GET /fhir/R4/$bulk-publish                 the manifest (JSON)
    GET /fhir/R4/bulk/{locations,schedules,slots}.ndjson

Only public service information: the clinic (name, address, phone), one Schedule per
clinic (no nurse's name), and the free times, each with a link into /bestill and the
clinic's phone number. No booked or held time is published (that a time at the youth
clinic is taken is already more than anyone outside needs to know), nor anyone's name."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session, col, select

from digihelse.booking.citizen import free_slots
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo
from digihelse.http.fhir import mapping
from digihelse.people.kinds import PlaceKind
from digihelse.people.models import Place

SSL = "http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/"
DEEP_LINK, PHONE = SSL + "booking-deep-link", SSL + "booking-phone"
KINDS = ("locations", "schedules", "slots")
TYPES = {"locations": "Location", "schedules": "Schedule", "slots": "Slot"}


def _clinics(s: Session) -> list[Place]:
    return list(s.exec(select(Place).where(Place.kind == PlaceKind.YOUTH_CLINIC)
                       .order_by(col(Place.id))))


def manifest(base: str, now: dt.datetime) -> dict[str, Any]:
    """The manifest: where the three files are (the state extension says the country)."""
    return {
        "transactionTime": to_oslo(now).isoformat(timespec="seconds"),
        "request": f"{base}/$bulk-publish",
        "output": [{"type": TYPES[kind], "url": f"{base}/bulk/{kind}.ndjson"}
                   for kind in KINDS],
        "error": [],
    }


def _location(place: Place) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Location", "id": str(place.id),
                                "name": place.name}
    if place.phone:
        resource["telecom"] = [{"system": "phone", "value": place.phone}]
    if place.address:
        resource["address"] = {"text": place.address, "country": "NO"}
    return resource


def _schedule(place: Place) -> dict[str, Any]:
    return {"resourceType": "Schedule", "id": f"clinic-{place.id}",
            "serviceType": [mapping._service_type_concept(place.kind)],
            "actor": [{"reference": f"Location/{place.id}"}]}


def resources(engine: Any, kind: str, *, public_url: str, now: dt.datetime,
              settings: BookingSettings) -> list[dict[str, Any]]:
    """The resources of one file, as FHIR JSON dicts."""
    with db.session(engine) as s:
        clinics = _clinics(s)
        if kind == "locations":
            return [_location(p) for p in clinics]
        if kind == "schedules":
            return [_schedule(p) for p in clinics]
        slots = []
        for place in clinics:
            for free in free_slots(s, place.id, days=settings.horizon_days, now=now,
                                   settings=settings):
                extension = [{"url": DEEP_LINK,
                              "valueUrl": f"{public_url}/bestill?sted={place.id}"}]
                if place.phone:
                    extension.append({"url": PHONE, "valueString": place.phone})
                slots.append({"resourceType": "Slot", "id": str(free.slot_id),
                              "schedule": {"reference": f"Schedule/clinic-{place.id}"},
                              "status": "free",
                              "start": mapping.oslo(free.start_at).isoformat(),
                              "end": mapping.oslo(free.end_at).isoformat(),
                              "extension": extension})
        return slots


def ndjson(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
