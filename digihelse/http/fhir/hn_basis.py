"""A person's appointments as Helsenorge's new appointment solution would take them: the NHN
draft profile hn-basis-appointment (on HL7 Norway's no-basis-Appointment). What it asks
for, and what we fill in:

- identifier (exactly one) with system, value and an assigner Organization: the place;
- serviceCategory (one), appointmentType, meta.lastUpdated; no serviceType, specialty,
  slot, comment, text or priority (the profile forbids them; the note stays with us);
- the patient as a logical reference (her national id number), never a literal one;
- a contained Location managed by the contained Organization, which is also the
  kommunikasjonspart in supportingInformation;
- cancelationReason coded in Volven 8445 with its text;
- up to four contained Flags (hn-appointment-flag-code-cs) telling what she may do:
  cancel, canChangeAppointment (both until the cancel notice), canUseShortNotice (she
  asked for an earlier time), referenced from supportingInformation.

Built through the booking service (appointments_for: the same rules and access log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from digihelse.access.actors import Actor, Service
from digihelse.booking import citizen, offers
from digihelse.booking.views import Appointment
from digihelse.core.db import SessionOrEngine
from digihelse.core.settings import BookingSettings
from digihelse.http.fhir import mapping

PROFILE = "http://helsenorge.no/fhir/StructureDefinition/hn-basis-appointment"
FLAG_PROFILE = "http://helsenorge.no/fhir/StructureDefinition/hn-basis-Flag"
FLAG_SYSTEM = "http://helsenorge.no/fhir/CodeSystem/hn-appointment-flag-code-cs"
# HL7's service-category: 8 "Community Health Care" is our choice for the school health
# service, the youth clinic and the health station (check against Helsenorge's value set).
SERVICE_CATEGORY = {"system": "http://terminology.hl7.org/CodeSystem/service-category",
                    "code": "8", "display": "Community Health Care"}
APPOINTMENT_TYPE = {"system": "http://helsenorge.no/fhir/CodeSystem/hn-scheduleAndSlot-type-cs",
                    "code": "Konsultasjon", "display": "Konsultasjon"}
VOLVEN_8445 = "urn:oid:2.16.578.1.12.4.1.1.8445"
# Our cancellations in Volven 8445 ("Ventetid sluttkode"). The code values are to be
# checked against volven.no before this goes to Helsenorge: the list was not at hand.
CANCELLATION = {
    "pupil": ("3", "Pasienten ønsker ikke time"),
    "nurse": ("5", "Avlyst av behandlingsstedet"),
    "moved": ("6", "Ny time avtalt"),
}
HN_STATUS = {"booked": "booked", "attended": "fulfilled", "no_show": "noshow",
             "cancelled": "cancelled"}
PLACE_SYSTEM = "urn:digihelse:place"


def _organization(item: Appointment) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": "org",
            "identifier": [{"system": PLACE_SYSTEM, "value": str(item.place_id)}],
            "name": item.place_name}


def _flags(item: Appointment, patient: dict[str, Any], *, earlier: bool) -> list[dict]:
    codes = []
    if item.can_change:
        codes += [("cancel", "Innbygger kan kansellere timen"),
                  ("canChangeAppointment", "Innbygger kan be om endret time")]
    if earlier:
        codes.append(("canUseShortNotice", "Innbygger kan komme på kort varsel"))
    return [{"resourceType": "Flag", "id": f"flag-{code}", "meta": {"profile": [FLAG_PROFILE]},
             "status": "active", "code": {"coding": [{"system": FLAG_SYSTEM, "code": code,
                                                       "display": display}]},
             "subject": patient} for code, display in codes[:4]]


def _cancellation(item: Appointment) -> dict[str, Any] | None:
    if item.status != "cancelled":
        return None
    kind = "moved" if item.moved_to is not None else (
        "nurse" if item.cancelled_by == "nurse" else "pupil")
    code, display = CANCELLATION[kind]
    return {"coding": [{"system": VOLVEN_8445, "code": code, "display": display}],
            "text": item.cancel_reason or display}


def appointment(item: Appointment, nin: str, base: str, *, earlier: bool,
                updated: dt.datetime) -> dict[str, Any]:
    """One booking as an hn-basis-appointment (a dict of FHIR JSON)."""
    patient = {"type": "Patient", "identifier": {"system": mapping.FNR_SYSTEM, "value": nin}}
    flags = _flags(item, patient, earlier=earlier)
    location = {"resourceType": "Location", "id": "loc", "name": item.place_name,
                "managingOrganization": {"reference": "#org"}}
    if item.place_address:
        location["address"] = {"text": item.place_address}
    return {
        "resourceType": "Appointment",
        "id": str(item.booking_id),
        "meta": {"profile": [PROFILE], "lastUpdated": mapping.oslo(updated).isoformat()},
        "contained": [_organization(item), location, *flags],
        "identifier": [{"system": f"{base}/Appointment", "value": str(item.booking_id),
                        "assigner": {"reference": "#org", "display": item.place_name}}],
        "status": HN_STATUS.get(item.status, "booked"),
        "cancelationReason": _cancellation(item),
        "serviceCategory": [{"coding": [SERVICE_CATEGORY]}],
        "appointmentType": {"coding": [APPOINTMENT_TYPE]},
        "description": ("Time hos jordmor" if item.service == Service.PREGNANCY
                        else "Time hos helsesykepleier"),
        "supportingInformation": [{"reference": "#org", "type": "Organization"},
                                  *({"reference": f"#{f['id']}", "type": "Flag"}
                                    for f in flags)],
        "start": mapping.oslo(item.start_at).isoformat(),
        "end": mapping.oslo(item.end_at).isoformat(),
        "participant": [
            {"actor": patient, "status": "accepted"},
            {"actor": {"type": "Practitioner", "display": item.nurse_name},
             "status": "accepted"},
            {"actor": {"reference": "#loc", "display": item.place_name},
             "status": "accepted"},
        ],
    }


def bundle(s_or_engine: SessionOrEngine, actor: Actor, person_pid: str, *, base: str,
           now: dt.datetime, settings: BookingSettings) -> Bundle:
    """Her appointments the actor may see, as a collection Bundle of hn-basis-appointments
    (reading them is logged as appointments_for logs it)."""
    found = citizen.appointments_for(s_or_engine, actor, person_pid, now=now,
                                     settings=settings)
    wishes = offers.my_wishes(s_or_engine, actor) if actor.subject_pid == person_pid else {}
    items = [*found.upcoming, *found.cancelled, *found.past]
    entries = [{"fullUrl": f"{base}/Appointment/{item.booking_id}",
                "resource": {k: v for k, v in appointment(
                    item, person_pid, base,
                    earlier=bool(wishes.get(item.booking_id) and
                                 wishes[item.booking_id].active),
                    updated=now).items() if v is not None}}
               for item in items]
    return Bundle.model_validate({"type": "collection", "timestamp": mapping.oslo(now),
                                  "entry": entries or None})
