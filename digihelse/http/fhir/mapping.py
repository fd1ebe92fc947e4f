"""Domain rows and service views as FHIR resources (fhir.resources.R4B models).

Resource ids are opaque database ids, never national id numbers: Patient/{Person.id},
Location/{Place.id} and HealthcareService/{Place.id}, Schedule/{place}-{personnel},
Slot/{Slot.id}, Appointment/{Booking.id}, EpisodeOfCare/{PregnancyRecord.id} and
Observation/{consultation}-{kind}. The national id number appears only as
Patient.identifier, on the Patient resources the caller may act for."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from digihelse.booking.models import MOVED_REASON, Booking, BookingStatus, Slot
from digihelse.core.timeutil import OSLO
from digihelse.healthcard.service import AuthorView, CardView, ConsultationView
from digihelse.people.kinds import PlaceKind
from digihelse.people.models import Person, Place
from digihelse.people.nin import InvalidNin, NinKind, parse_nin

# Norwegian identifier systems (Volven / HL7 Norway): fødselsnummer, D-nummer, HPR-nummer.
FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.2"
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Our own code systems, for what no national code system names.
SERVICE_TYPE_SYSTEM = "urn:digihelse:service-type"
PLACE_KIND_SYSTEM = "urn:digihelse:place-kind"
REQUEST_ID_SYSTEM = "urn:digihelse:appointment-request-id"

SERVICE_TYPES: dict[str, tuple[str, str]] = {
    PlaceKind.LOWER_SECONDARY: ("school-health", "Skolehelsetjenesten"),
    PlaceKind.UPPER_SECONDARY: ("school-health", "Skolehelsetjenesten"),
    PlaceKind.YOUTH_CLINIC: ("youth-clinic", "Helsestasjon for ungdom"),
    PlaceKind.HEALTH_STATION: ("health-station", "Helsestasjon"),
    PlaceKind.GP_OFFICE: ("gp", "Fastlege"),
}
PLACE_KINDS = {
    PlaceKind.LOWER_SECONDARY: "Ungdomsskole",
    PlaceKind.UPPER_SECONDARY: "Videregående skole",
    PlaceKind.YOUTH_CLINIC: "Helsestasjon for ungdom",
    PlaceKind.HEALTH_STATION: "Helsestasjon",
    PlaceKind.GP_OFFICE: "Fastlegekontor",
}

# Booking status -> FHIR AppointmentStatus.
APPOINTMENT_STATUS = {
    BookingStatus.BOOKED: "booked",
    BookingStatus.ATTENDED: "fulfilled",
    BookingStatus.NO_SHOW: "noshow",
    BookingStatus.CANCELLED: "cancelled",
}


def service_type(kind: str) -> tuple[str, str]:
    return SERVICE_TYPES.get(kind, ("other", "Annen tjeneste"))


def _service_type_concept(kind: str) -> dict[str, Any]:
    code, display = service_type(kind)
    return {"coding": [{"system": SERVICE_TYPE_SYSTEM, "code": code, "display": display}],
            "text": display}


def oslo(at: dt.datetime) -> dt.datetime:
    """An instant as Oslo wall-clock time with its offset (stored UTC, naive means UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(OSLO)


def _author(author: AuthorView | None) -> dict[str, Any] | None:
    if author is None:
        return None
    reference: dict[str, Any] = {"display": author.name, "type": "Practitioner"}
    if author.hpr_number:
        reference["identifier"] = {"system": HPR_SYSTEM, "value": author.hpr_number}
    return reference


# --- Patient --------------------------------------------------------------------------------

def national_id(pid: str) -> dict[str, str]:
    """Patient.identifier for a national id number: D-numbers have their own system."""
    try:
        kind = parse_nin(pid).kind
    except InvalidNin:
        kind = NinKind.FNR
    system = DNR_SYSTEM if kind in (NinKind.DNR, NinKind.SYNTHETIC_DNR) else FNR_SYSTEM
    return {"use": "official", "system": system, "value": pid}


def patient_ref(person: Person) -> dict[str, str]:
    return {"reference": f"Patient/{person.id}", "display": person.full_name}


def patient(person: Person) -> Patient:
    """A person the caller may see: the caller, or someone they may act for. No address:
    a confidential address (kode 6/7) must never leave the registry."""
    return Patient.model_validate({
        "id": str(person.id),
        "identifier": [national_id(person.nin)],
        "active": True,
        "name": [{"use": "official", "text": person.full_name, "family": person.family_name,
                  "given": person.given_name.split()}],
        "birthDate": person.birth_date,
    })


# --- Places, schedules and slots --------------------------------------------------------------

def location(place: Place) -> Location:
    return Location.model_validate({
        "id": str(place.id),
        "status": "active",
        "mode": "instance",
        "name": place.name,
        "description": place.description or None,
        "type": [{"coding": [{"system": PLACE_KIND_SYSTEM, "code": str(place.kind),
                              "display": PLACE_KINDS.get(place.kind, str(place.kind))}]}],
        "address": {"text": place.address, "use": "work"} if place.address else None,
        "physicalType": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": "bu", "display": "Building"}]},
    })


def healthcare_service(place: Place) -> HealthcareService:
    concept = _service_type_concept(place.kind)
    return HealthcareService.model_validate({
        "id": str(place.id),
        "active": True,
        "type": [concept],
        "name": f"{concept['text']}, {place.name}",
        "comment": place.description or None,
        "location": [{"reference": f"Location/{place.id}", "display": place.name}],
        "appointmentRequired": False,  # drop-in ("åpen dør") as well as booked times
    })


def schedule_id(place_id: int, personnel_id: int) -> str:
    return f"{place_id}-{personnel_id}"


def parse_schedule_id(value: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,15})-(\d{1,15})", value)
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def schedule(place: Place, personnel_id: int, nurse_name: str, today: dt.date,
             horizon_days: int) -> Schedule:
    """One nurse's bookable times at one place."""
    return Schedule.model_validate({
        "id": schedule_id(place.id, personnel_id),
        "active": True,
        "serviceType": [_service_type_concept(place.kind)],
        "actor": [
            {"reference": f"HealthcareService/{place.id}",
             "display": _service_type_concept(place.kind)["text"]},
            {"reference": f"Location/{place.id}", "display": place.name},
            {"type": "Practitioner", "display": nurse_name},
        ],
        "planningHorizon": {"start": today.isoformat(),
                            "end": (today + dt.timedelta(days=horizon_days)).isoformat()},
        "comment": f"Helsesykepleier {nurse_name}, {place.name}",
    })


def slot(row: Slot, place: Place, status: str) -> FhirSlot:
    return FhirSlot.model_validate({
        "id": str(row.id),
        "schedule": {"reference": f"Schedule/{schedule_id(row.place_id, row.personnel_id)}"},
        "serviceType": [_service_type_concept(place.kind)],
        "status": status,
        "start": oslo(row.start_at),
        "end": oslo(row.end_at),
    })


# --- Appointments -------------------------------------------------------------------------------

def client_key_prefix(person: Person) -> str:
    """Clients' identifiers are idempotency keys per patient: the same value from two
    patients' clients never collides."""
    return f"fhir:{person.id}:"


def as_utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def appointment_version(booking: Booking) -> str:
    """Changes with every change of the booking (status, reservation ...): the ETag."""
    stamp = as_utc(booking.updated_at).isoformat()
    digest = hashlib.sha256(f"{booking.id}|{booking.status}|{stamp}".encode()).hexdigest()
    return digest[:16]


def etag(version: str) -> str:
    return f'W/"{version}"'


def appointment(booking: Booking, row: Slot, place: Place, nurse_name: str,
                person: Person) -> Appointment:
    prefix = client_key_prefix(person)
    request_id = booking.client_key.removeprefix(prefix)
    status = APPOINTMENT_STATUS.get(booking.status, "booked")
    cancel_reason = None
    if booking.status == BookingStatus.CANCELLED:
        # A move ends the old booking with an internal marker, never a text for a person.
        if booking.cancel_reason == MOVED_REASON:
            text = "Flyttet til en annen tid"
        else:
            text = booking.cancel_reason or ("Avlyst av helsesykepleier"
                                             if booking.cancelled_by == "nurse" else "Avbestilt")
        cancel_reason = {"text": text}
    return Appointment.model_validate({
        "id": str(booking.id),
        "meta": {"versionId": appointment_version(booking),
                 "lastUpdated": oslo(booking.updated_at)},
        "identifier": [{"system": REQUEST_ID_SYSTEM, "value": request_id}],
        "status": status,
        "cancelationReason": cancel_reason,
        "serviceType": [_service_type_concept(place.kind)],
        "description": f"Time hos helsesykepleier, {place.name}",
        "start": oslo(row.start_at),
        "end": oslo(row.end_at),
        "minutesDuration": max(int((row.end_at - row.start_at).total_seconds() // 60), 1),
        "slot": [{"reference": f"Slot/{row.id}"}],
        "created": oslo(booking.created_at),
        "comment": booking.note or None,
        "participant": [
            {"actor": patient_ref(person), "required": "required", "status": "accepted"},
            {"actor": {"type": "Practitioner", "display": nurse_name},
             "required": "required", "status": "accepted"},
            {"actor": {"reference": f"Location/{place.id}", "display": place.name},
             "required": "required", "status": "accepted"},
        ],
    })


# --- The pregnancy card -------------------------------------------------------------------------

def episode_of_care(card: CardView, woman: Person) -> EpisodeOfCare:
    overview = card.overview
    start = overview.last_period
    managers = [ref for ref in (_author(overview.midwife), _author(overview.gp)) if ref]
    return EpisodeOfCare.model_validate({
        "id": str(card.record_id),
        "meta": {"versionId": str(card.version)},
        "status": "active",
        "type": [{"text": "Svangerskapsomsorg (helsekort for gravide)"}],
        "patient": patient_ref(woman),
        "period": {"start": start.isoformat()} if start else None,
        "careManager": managers[0] if managers else None,
    })


# kind -> (LOINC code, display, observation category or None)
OBSERVATION_KINDS: dict[str, tuple[str, str, str | None]] = {
    "weight": ("29463-7", "Body weight", "vital-signs"),
    "bp": ("85354-9", "Blood pressure panel with all children optional", "vital-signs"),
    "fundal-height": ("11881-0", "Uterus Fundal height Tape measure", "exam"),
    "ga": ("18185-9", "Gestational age", None),
}
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")


def observation_id(consultation_id: int, kind: str) -> str:
    return f"{consultation_id}-{kind}"


def parse_observation_id(value: str) -> tuple[int, str] | None:
    match = re.fullmatch(r"(\d{1,15})-([a-z-]+)", value)
    if match is None or match.group(2) not in OBSERVATION_KINDS:
        return None
    return int(match.group(1)), match.group(2)


def _quantity(value: float | int, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _loinc(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def observations(consultation: ConsultationView, woman: Person) -> list[Observation]:
    """The measurements of one consultation as Observations with their LOINC codes: weight,
    blood pressure (a panel with systolic and diastolic), fundal height and gestational age."""
    values: dict[str, dict[str, Any]] = {}
    if consultation.weight_kg is not None:
        values["weight"] = {"valueQuantity": _quantity(consultation.weight_kg, "kg", "kg")}
    components = []
    for (code, display), value in ((SYSTOLIC, consultation.bp_systolic),
                                   (DIASTOLIC, consultation.bp_diastolic)):
        if value is not None:
            components.append({"code": _loinc(code, display),
                               "valueQuantity": _quantity(value, "mmHg", "mm[Hg]")})
    if components:
        values["bp"] = {"component": components}
    if consultation.sf_height_cm is not None:
        values["fundal-height"] = {"valueQuantity": _quantity(consultation.sf_height_cm,
                                                              "cm", "cm")}
    if consultation.ga_days >= 0:
        values["ga"] = {"valueQuantity": _quantity(consultation.ga_days, "d", "d"),
                        "note": [{"text": f"Svangerskapsuke {consultation.ga_text}"}]}
    result = []
    for kind, value in values.items():
        code, display, category = OBSERVATION_KINDS[kind]
        body: dict[str, Any] = {
            "id": observation_id(consultation.id, kind),
            "meta": {"versionId": str(consultation.version),
                     "lastUpdated": oslo(consultation.updated_at)},
            "status": "amended" if consultation.version > 1 else "final",
            "code": _loinc(code, display),
            "subject": patient_ref(woman),
            "effectiveDateTime": consultation.held_on.isoformat(),
            "performer": [p for p in (_author(consultation.author),) if p] or None,
            **value,
        }
        if category:
            body["category"] = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": category}]}]
        result.append(Observation.model_validate(body))
    return result
