"""A person's appointments as Helsenorge's new appointment solution would take them: the NHN
draft profile hn-basis-appointment (on HL7 Norway's no-basis-Appointment). What it asks
for, and what we fill in:

- identifier (exactly one) with system, value and an assigner Organization: the place;
- serviceCategory (one), appointmentType, meta.lastUpdated; no serviceType, specialty,
  slot, comment, text or priority (the profile forbids them; the note stays with us);
- the patient as a logical reference (her national id number), never a literal one;
- a contained Location managed by the contained Organization, which is also the
  kommunikasjonspart in supportingInformation;
- cancelationReason coded in Volven 8445 (and HL7's cancellation reasons) with its text;
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
# Volven 8445 "Ventetid sluttkode" is NPR's list of how a wait ends (hn-basis-appointment
# names the OID and its title). Its values, as NPR's waiting-list data uses them (SKDE's
# published formats for NPR data, "avvikl_kode"): 1 Helsehjelp er påbegynt, 2 Pasienten
# ønsker ikke helsehjelp, 3 henvist til et annet sykehus, 4 valgt annet sykehus, 5 helsehjelp
# ved annet sykehus rekvirert av HELFO, 7 henvist til avtalespesialist, 9 Annen årsak.
# A school-health time that is cancelled or moved is none of 1-7 (a pupil who cancels has not
# said she wants no help), so it is 9, and who cancelled it is told by a second coding from
# HL7's appointment-cancellation-reason code system; the reason she or the nurse gave is the
# text. Helsenorge's value set allows more than one coding.
VOLVEN_8445_OTHER = ("9", "Annen årsak til ventetid slutt/helsehjelp uaktuelt")
HL7_CANCELLATION = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
CANCELLATION = {
    "pupil": ("pat", "Patient"),
    "nurse": ("prov", "Provider"),
    "moved": ("pat", "Patient"),
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
    if kind == "moved" and item.cancelled_by == "nurse":
        kind = "nurse"
    code, display = CANCELLATION[kind]
    volven_code, volven_display = VOLVEN_8445_OTHER
    return {"coding": [{"system": VOLVEN_8445, "code": volven_code, "display": volven_display},
                       {"system": HL7_CANCELLATION, "code": code, "display": display}],
            "text": item.cancel_reason or volven_display}


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
