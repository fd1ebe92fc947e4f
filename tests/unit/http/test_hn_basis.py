"""Appointments in the shape of Helsenorge's draft hn-basis-appointment profile: a Bundle
built through the booking service, checked against the profile's required and forbidden
elements, its Flags (what she may do) and its Volven 8445 cancellation reasons."""

from __future__ import annotations

import datetime as dt

from digihelse.booking import citizen, offers
from digihelse.core.settings import BookingSettings
from digihelse.http.fhir import hn_basis
from tests.factories import NOW, TUESDAY

SETTINGS = BookingSettings()
BASE = "https://digihelse.example/fhir/R4"
REQUIRED = ("meta", "identifier", "status", "serviceCategory", "appointmentType",
            "participant", "supportingInformation", "start", "end")
FORBIDDEN = ("serviceType", "specialty", "slot", "comment", "text", "language", "priority",
             "reasonCode", "reasonReference", "implicitRules")


def _resources(world, who: str) -> list[dict]:
    pupil = world.pupil(who)
    bundle = hn_basis.bundle(world.engine, pupil, pupil.pid, base=BASE, now=NOW,
                             settings=SETTINGS)
    assert bundle.type == "collection"
    return [e.resource.model_dump(mode="json", exclude_none=True) for e in bundle.entry]


def _flags(resource: dict) -> list[str]:
    contained = {c["id"]: c for c in resource["contained"]}
    refs = [r["reference"].lstrip("#") for r in resource["supportingInformation"]
            if r.get("type") == "Flag"]
    assert all(contained[ref]["resourceType"] == "Flag" for ref in refs)
    return [contained[ref]["code"]["coding"][0]["code"] for ref in refs]


def test_a_booking_has_the_profiles_required_elements_and_none_it_forbids(world):
    booking = citizen.book(world.engine, world.pupil("ida"),
                           slot_id=world.slot_at(TUESDAY + dt.timedelta(days=2), 10),
                           client_key="hn-1", note="privat", now=NOW, settings=SETTINGS)
    offers.set_wish(world.engine, world.pupil("ida"), booking.id, on=True, now=NOW)
    [resource] = _resources(world, "ida")
    assert resource["meta"]["profile"] == [hn_basis.PROFILE]
    assert resource["meta"]["lastUpdated"]
    assert all(name in resource for name in REQUIRED)
    assert not any(name in resource for name in FORBIDDEN)
    assert "privat" not in str(resource)  # her note never leaves the service
    [identifier] = resource["identifier"]
    assert identifier["system"] and identifier["value"] == str(booking.id)
    assigner = identifier["assigner"]["reference"].lstrip("#")
    contained = {c["id"]: c for c in resource["contained"]}
    assert contained[assigner]["resourceType"] == "Organization"
    assert [c["coding"][0]["code"] for c in resource["serviceCategory"]] == ["8"]
    assert resource["appointmentType"]["coding"][0]["code"] == "Konsultasjon"
    # The patient by a logical reference only; the Location is contained and managed.
    patient = resource["participant"][0]["actor"]
    assert patient == {"type": "Patient", "identifier": {
        "system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": world.persons["ida"].nin}}
    location = contained[resource["participant"][2]["actor"]["reference"].lstrip("#")]
    assert location["resourceType"] == "Location"
    assert location["managingOrganization"]["reference"] == "#org"
    # The kommunikasjonspart is an Organization, once.
    orgs = [r for r in resource["supportingInformation"] if r.get("type") == "Organization"]
    assert len(orgs) == 1
    # What she may do: cancel or change until the notice, and she comes at short notice.
    assert _flags(resource) == ["cancel", "canChangeAppointment", "canUseShortNotice"]
    assert all(c["subject"] == patient and c["status"] == "active"
               for c in resource["contained"] if c["resourceType"] == "Flag")
    assert all(c["code"]["coding"][0]["system"] == hn_basis.FLAG_SYSTEM
               for c in resource["contained"] if c["resourceType"] == "Flag")
    assert "cancelationReason" not in resource


def test_cancelled_and_moved_bookings_carry_volven_8445_reasons(world):
    emil = world.pupil("emil")
    first = citizen.book(world.engine, emil, slot_id=world.slot_at(TUESDAY, 9),
                         client_key="hn-2", now=NOW, settings=SETTINGS)
    moved = citizen.move(world.engine, emil, first.id, new_slot_id=world.slot_at(TUESDAY, 10),
                         client_key="hn-3", now=NOW, settings=SETTINGS)
    citizen.cancel(world.engine, world.kari, moved.id, reason="Kurs", now=NOW,
                   settings=SETTINGS)
    resources = {r["id"]: r for r in _resources(world, "emil")}
    # Volven 8445 "Ventetid sluttkode" 9 (another reason) for both, and who cancelled it.
    for booking_id, who in ((first.id, "pat"), (moved.id, "prov")):
        resource = resources[str(booking_id)]
        assert resource["status"] == "cancelled"
        volven, hl7 = resource["cancelationReason"]["coding"]
        assert (volven["system"], volven["code"]) == ("urn:oid:2.16.578.1.12.4.1.1.8445", "9")
        assert (hl7["system"], hl7["code"]) == (
            "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", who)
        assert _flags(resource) == []  # nothing left to do with it
    assert resources[str(moved.id)]["cancelationReason"]["text"] == "Kurs"
