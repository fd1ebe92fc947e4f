"""IHE ITI Scheduling over FHIR: Appointment $find (proposed Appointments), $hold (the
time held for the patient, refused to others) and $book (book a proposed one, move and
cancel an existing one), taking Parameters, through the booking services and their
rules, with refusals that reveal nothing; listed in the CapabilityStatement."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.slot import Slot
from starlette.testclient import TestClient

from tests.fhir_client import API, FHIR_JSON, fhir, hidden, logged_in, outcome, patient_id

VGS = "Fjordvik videregående skole"


def _place_id(client: TestClient, name: str) -> str:
    bundle = fhir(client.get(f"{API}/Location?_count=100"), Bundle)
    return next(e.resource.id for e in bundle.entry if e.resource.name == name)


def _parameters(**values) -> dict:
    params = []
    for name, value in values.items():
        name = name.replace("_", "-") if name != "_count" else name
        if isinstance(value, dict):
            params.append({"name": name, "resource": value})
        elif "/" in str(value) and not str(value)[:4].isdigit():
            params.append({"name": name, "valueReference": {"reference": value}})
        else:
            params.append({"name": name, "valueDateTime" if name in ("start", "end")
                           else "valueString": value})
    return {"resourceType": "Parameters", "parameter": params}


def _op(client: TestClient, name: str, **values):
    return client.post(f"{API}/Appointment/${name}", json=_parameters(**values),
                       headers=FHIR_JSON)


def _window(days: int = 28) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    return {"start": now.isoformat(), "end": (now + dt.timedelta(days=days)).isoformat()}


def _appointments(bundle: Bundle) -> list:
    return [e.resource for e in bundle.entry or [] if e.resource.get_resource_type()
            == "Appointment"]


def test_the_capability_statement_lists_the_ihe_operations(client):
    statement = fhir(client.get(f"{API}/metadata"), CapabilityStatement)
    appointment = next(r for r in statement.rest[0].resource if r.type == "Appointment")
    assert {(o.name, o.definition) for o in appointment.operation} == {
        (name, f"https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-{name}")
        for name in ("find", "hold", "book")}
    assert statement.instantiates == [
        "https://profiles.ihe.net/ITI/Scheduling/CapabilityStatement/IHE.Scheduling.server"]


def test_find_hold_book_move_and_cancel(fhir_api):
    noah, ella = logged_in(fhir_api, "Noah"), logged_in(fhir_api, "Ella")
    me, her = patient_id(noah, "Noah"), patient_id(ella, "Ella")
    vgs = _place_id(noah, VGS)
    found = fhir(_op(noah, "find", **_window(), patient=f"Patient/{me}",
                     location=f"Location/{vgs}"), Bundle)
    proposed = _appointments(found)
    assert proposed and all(a.status == "proposed" for a in proposed)
    assert all(a.id.startswith("proposed-") and a.id.endswith(f"-{me}") for a in proposed)
    assert [a.start for a in proposed] == sorted(a.start for a in proposed)
    assert all(f"Location/{vgs}" in [p.actor.reference for p in a.participant]
               for a in proposed)
    # The same by GET, with the parameters in the query.
    window = _window()
    by_get = fhir(noah.get(f"{API}/Appointment/$find", params={
        **window, "patient": f"Patient/{me}", "location": f"Location/{vgs}", "_count": "3"}),
        Bundle)
    assert len(_appointments(by_get)) == 3

    first = proposed[-1]
    held = fhir(_op(noah, "hold", appointment_reference=f"Appointment/{first.id}"), Bundle)
    [pending] = _appointments(held)
    assert pending.status == "pending" and pending.start == first.start
    notes = [e.resource for e in held.entry if e.resource.get_resource_type()
             == "OperationOutcome"]
    assert notes and "Held for the patient until" in notes[0].issue[0].diagnostics
    # Held for Noah: busy, not among Ella's proposals, and she can neither hold nor book it.
    slot_id = first.slot[0].reference.split("/")[1]
    assert fhir(ella.get(f"{API}/Slot/{slot_id}"), Slot).status == "busy"
    hers = _appointments(fhir(_op(ella, "find", **_window(), location=f"Location/{vgs}"),
                              Bundle))
    assert slot_id not in [a.slot[0].reference.split("/")[1] for a in hers]
    ella_proposal = f"Appointment/proposed-{slot_id}-{her}"
    assert outcome(_op(ella, "hold", appointment_reference=ella_proposal), 409
                   ).issue[0].code == "conflict"
    outcome(_op(ella, "book", appointment_reference=ella_proposal), 409)

    booked = _appointments(fhir(_op(noah, "book", appointment_reference=f"Appointment/"
                                                                        f"{first.id}"), Bundle))
    assert booked[0].status == "booked" and booked[0].id.isdigit()
    assert fhir(noah.get(f"{API}/Slot/{slot_id}"), Slot).status == "busy"

    # Moving: the booked Appointment with another Slot.
    other = proposed[-2]
    resource = booked[0].model_dump(mode="json") | {
        "slot": [{"reference": other.slot[0].reference}]}
    moved = _appointments(fhir(_op(noah, "book", appointment_resource=resource), Bundle))
    assert moved[0].status == "booked" and moved[0].start == other.start
    assert moved[0].id != booked[0].id
    assert fhir(noah.get(f"{API}/Slot/{slot_id}"), Slot).status == "free"

    # Cancelling: the Appointment with status cancelled.
    resource = moved[0].model_dump(mode="json") | {"status": "cancelled"}
    cancelled = _appointments(fhir(_op(noah, "book", appointment_resource=resource), Bundle))
    assert cancelled[0].status == "cancelled"


def test_a_new_appointment_may_be_booked_as_a_pending_resource(fhir_api):
    ella = logged_in(fhir_api, "Ella")
    her = patient_id(ella, "Ella")
    proposal = _appointments(fhir(_op(ella, "find", **_window(), patient=f"Patient/{her}",
                                      location=f"Location/{_place_id(ella, VGS)}"), Bundle))[0]
    resource = proposal.model_dump(mode="json") | {"status": "pending", "id": None,
                                                   "identifier": [{"value": "ella-ihe-1"}]}
    resource = {k: v for k, v in resource.items() if v is not None}
    booked = _appointments(fhir(_op(ella, "book", appointment_resource=resource), Bundle))
    assert booked[0].status == "booked" and booked[0].identifier[0].value == "ella-ihe-1"
    resource = booked[0].model_dump(mode="json") | {"status": "cancelled"}
    fhir(_op(ella, "book", appointment_resource=resource), Bundle)


def test_refusals_reveal_nothing(fhir_api):
    per, ella = logged_in(fhir_api, "Per"), logged_in(fhir_api, "Ella")
    sara = patient_id(per, "Sara")  # 13: she books the youth service herself
    hidden(_op(per, "find", **_window(), patient=f"Patient/{sara}"),
           _op(per, "find", **_window(), patient="Patient/999999"))
    noah = logged_in(fhir_api, "Noah")
    me = patient_id(noah, "Noah")
    proposal = _appointments(fhir(_op(noah, "find", **_window(), patient=f"Patient/{me}"),
                                  Bundle))[0]
    # Ella holding or booking for Noah is as an appointment that is not there.
    for name in ("hold", "book"):
        hidden(_op(ella, name, appointment_reference=f"Appointment/{proposal.id}"),
               _op(ella, name, appointment_reference="Appointment/proposed-999999-999999"))
    kari = logged_in(fhir_api, "Kari", personnel=True)
    assert _op(kari, "hold", appointment_reference=f"Appointment/{proposal.id}"
               ).status_code in (403, 404)


def test_bad_parameters_are_422_and_other_methods_405(fhir_api):
    noah = logged_in(fhir_api, "Noah")
    outcome(_op(noah, "find", start="2026-01-01T00:00:00Z"), 422)  # no end
    outcome(_op(noah, "find", start="soon", end="later"), 422)
    outcome(noah.post(f"{API}/Appointment/$find", json={"resourceType": "Patient"},
                      headers=FHIR_JSON), 422)
    outcome(_op(noah, "book"), 422)
    outcome(noah.get(f"{API}/Appointment/$hold"), 405)
    outcome(_op(noah, "nothing"), 404)
