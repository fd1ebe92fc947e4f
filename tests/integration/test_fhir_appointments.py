"""Appointment over FHIR: booking a free Slot, reading and searching, cancelling with
ETag / If-Match, the booking rules as 403/409/422, and what parents may not see."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.slot import Slot
from starlette.testclient import TestClient

from tests.fhir_client import (
    API,
    FHIR_JSON,
    access_log,
    fhir,
    hidden,
    logged_in,
    outcome,
    patient_id,
)


def place_id(client: TestClient, name: str) -> str:
    bundle = fhir(client.get(f"{API}/Location?_count=100"), Bundle)
    return next(e.resource.id for e in bundle.entry if e.resource.name == name)


VGS = "Fjordvik videregående skole"
LOWER = "Fjordvik ungdomsskole"
STATION = "Fjordvik helsestasjon"


def free_slots(client: TestClient, place: str, count: int = 100) -> list[Slot]:
    url = f"{API}/Slot?status=free&schedule.actor=Location/{place_id(client, place)}"
    bundle = fhir(client.get(f"{url}&_count={count}"), Bundle)
    return [e.resource for e in bundle.entry or []]


def request_body(patient: str, slot: str, identifier: str | None = None, **extra) -> dict:
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient}"}, "status": "accepted"}],
        **extra,
    }
    if identifier is not None:
        body["identifier"] = [{"system": "urn:uuid:test", "value": identifier}]
    return body


def book(client: TestClient, patient: str, slot: str, identifier: str | None = None):
    return client.post(f"{API}/Appointment", json=request_body(patient, slot, identifier),
                       headers=FHIR_JSON)


def cancel(client: TestClient, appointment_id: str) -> Appointment:
    read = client.get(f"{API}/Appointment/{appointment_id}")
    body = read.json()
    body["status"] = "cancelled"
    response = client.put(f"{API}/Appointment/{appointment_id}", json=body,
                          headers={**FHIR_JSON, "If-Match": read.headers["etag"]})
    return fhir(response, Appointment)


def test_book_read_search_and_cancel_with_etag(fhir_api):
    noah = logged_in(fhir_api, "Noah")
    me = patient_id(noah, "Noah")
    slot = free_slots(noah, VGS)[-1]

    created = book(noah, me, slot.id, "noah-1")
    appointment = fhir(created, Appointment, 201)
    assert created.headers["location"].endswith(f"{API}/Appointment/{appointment.id}")
    etag = created.headers["etag"]
    assert etag == f'W/"{appointment.meta.versionId}"'
    assert appointment.status == "booked" and appointment.start == slot.start
    assert [s.reference for s in appointment.slot] == [f"Slot/{slot.id}"]
    assert f"Patient/{me}" in [p.actor.reference for p in appointment.participant]
    assert appointment.identifier[0].value == "noah-1"
    # The same request again (same identifier) is the same appointment: 200, not a second one.
    again = fhir(book(noah, me, slot.id, "noah-1"), Appointment, 200)
    assert again.id == appointment.id
    assert fhir(noah.get(f"{API}/Slot/{slot.id}"), Slot).status == "busy"

    read = noah.get(f"{API}/Appointment/{appointment.id}")
    assert fhir(read, Appointment).id == appointment.id and read.headers["etag"] == etag
    day = slot.start.date().isoformat()
    found = fhir(noah.get(f"{API}/Appointment?patient=Patient/{me}&status=booked"
                          f"&date=ge{day}"), Bundle)
    assert appointment.id in [e.resource.id for e in found.entry]
    none = fhir(noah.get(f"{API}/Appointment?status=cancelled&date=lt{day}"), Bundle)
    assert appointment.id not in [e.resource.id for e in none.entry or []]

    body = read.json() | {"status": "cancelled"}
    url = f"{API}/Appointment/{appointment.id}"
    outcome(noah.put(url, json=body, headers=FHIR_JSON), 412)
    outcome(noah.put(url, json=body, headers={**FHIR_JSON, "If-Match": 'W/"stale"'}), 412)
    done = noah.put(url, json=body, headers={**FHIR_JSON, "If-Match": etag})
    cancelled = fhir(done, Appointment)
    assert cancelled.status == "cancelled" and done.headers["etag"] != etag
    outcome(noah.put(url, json=body, headers={**FHIR_JSON, "If-Match": etag}), 412)
    assert fhir(noah.get(f"{API}/Slot/{slot.id}"), Slot).status == "free"

    rows = [r for r in access_log() if r.object_type == "appointment"
            and r.object_id == appointment.id]
    assert [(r.action, r.channel) for r in rows] == [("create", "api"), ("update", "api")]
    assert all(r.hidden_from_parents for r in rows)  # the youth service is the pupil's own


def test_json_patch_cancels(fhir_api):
    ella = logged_in(fhir_api, "Ella")
    me = patient_id(ella, "Ella")
    appointment = book(ella, me, free_slots(ella, VGS)[-2].id)
    url = f"{API}/Appointment/{appointment.json()['id']}"
    patch = [{"op": "replace", "path": "/status", "value": "cancelled"}]
    etag = {"If-Match": appointment.headers["etag"]}
    outcome(ella.patch(url, json=patch, headers={**FHIR_JSON, **etag}), 415)
    patch_type = {"Content-Type": "application/json-patch+json"}
    outcome(ella.patch(url, content=json.dumps(patch), headers=patch_type), 412)
    done = ella.patch(url, content=json.dumps(patch), headers={**patch_type, **etag})
    assert fhir(done, Appointment).status == "cancelled"


def test_a_slot_booked_first_by_someone_else_gives_409(fhir_api):
    noah, ella = logged_in(fhir_api, "Noah"), logged_in(fhir_api, "Ella")
    slot = free_slots(noah, VGS)[-3]
    first = fhir(book(noah, patient_id(noah, "Noah"), slot.id), Appointment, 201)
    taken = outcome(book(ella, patient_id(ella, "Ella"), slot.id), 409)
    assert taken.issue[0].code == "conflict"
    # Noah asking again with another identifier is no second booking either.
    outcome(book(noah, patient_id(noah, "Noah"), slot.id, "other"), 409)
    cancel(noah, first.id)


def test_booking_rules_refuse_with_403_and_422(fhir_api):
    noah = logged_in(fhir_api, "Noah")
    me = patient_id(noah, "Noah")
    # Not his school: the lower-secondary school's nurse books its own pupils only.
    outcome(book(noah, me, free_slots(noah, LOWER)[-1].id), 403)
    # At most two upcoming appointments per pupil (a setting).
    slots = free_slots(noah, VGS)
    made = [fhir(book(noah, me, s.id), Appointment, 201) for s in slots[-6:-4]]
    limit = outcome(book(noah, me, slots[-7].id), 422)
    assert limit.issue[0].code == "business-rule"
    for appointment in made:
        cancel(noah, appointment.id)
    # Personnel do not book for pupils.
    mona = logged_in(fhir_api, "Mona", personnel=True)
    outcome(book(mona, me, slots[-1].id), 403)


@pytest.mark.parametrize(("change", "status"), [
    ({"participant": []}, 422),
    ({"status": "cancelled"}, 422),
    ({"slot": [{"reference": "Schedule/1-1"}]}, 422),
    ({"slot": []}, 422),
    ({"resourceType": "Patient"}, 422),
    # An unknown patient answers as one she may not see (404): nothing is revealed.
    ({"participant": [{"actor": {"reference": "Patient/999999"}, "status": "accepted"}]}, 404),
    ({"slot": [{"reference": "Slot/999999"}]}, 422),
    ({"start": "not a time"}, 422),
])
def test_an_invalid_appointment_is_422(fhir_api, change, status):
    noah = logged_in(fhir_api, "Noah")
    body = request_body(patient_id(noah, "Noah"), free_slots(noah, VGS)[-1].id) | change
    outcome(noah.post(f"{API}/Appointment", json=body, headers=FHIR_JSON), status)


def test_a_body_that_is_no_fhir_json_is_400_or_415(fhir_api):
    noah = logged_in(fhir_api, "Noah")
    outcome(noah.post(f"{API}/Appointment", content=b"{nope", headers=FHIR_JSON), 400)
    outcome(noah.post(f"{API}/Appointment", content=b"{}",
                      headers={"Content-Type": "text/plain"}), 415)


def test_a_parent_books_for_a_small_child_but_never_sees_youth_bookings(fhir_api):
    per = logged_in(fhir_api, "Per")
    jonas = patient_id(per, "Jonas")
    made = fhir(book(per, jonas, free_slots(per, STATION)[-1].id), Appointment, 201)
    mine = fhir(per.get(f"{API}/Appointment?patient=Patient/{jonas}"), Bundle)
    assert made.id in [e.resource.id for e in mine.entry]
    # Sara (13) booked the school nurse herself: her parents see nothing of it.
    sara = logged_in(fhir_api, "Sara")
    hers = fhir(sara.get(f"{API}/Appointment"), Bundle)
    assert hers.total and hers.total >= 1
    sara_id = patient_id(per, "Sara")
    seen = fhir(per.get(f"{API}/Appointment?patient=Patient/{sara_id}"), Bundle)
    assert seen.total == 0
    patch = [{"op": "replace", "path": "/status", "value": "cancelled"}]

    def try_cancel(appointment_id: str):
        return per.patch(f"{API}/Appointment/{appointment_id}", json=patch,
                         headers={"Content-Type": "application/json-patch+json",
                                  "If-Match": 'W/"1"'})

    for entry in hers.entry:
        hidden(per.get(f"{API}/Appointment/{entry.resource.id}"),
               per.get(f"{API}/Appointment/999999"))
        # Nor can he cancel it, and the refusal is that of an appointment that is not there.
        hidden(try_cancel(entry.resource.id), try_cancel("999999"))
        hidden(per.get(f"/timer/{entry.resource.id}.ics"), per.get("/timer/999999.ics"))
    # A stranger is refused as if the appointment did not exist.
    ella = logged_in(fhir_api, "Ella")
    hidden(ella.get(f"{API}/Appointment/{made.id}"), ella.get(f"{API}/Appointment/999999"))
    outcome(per.get(f"{API}/Appointment/999999"), 404)
    cancel(per, made.id)


def test_a_moved_appointment_says_so_in_words(fhir_api):
    """The old booking of a move is cancelled; its reason is words, never the marker."""
    from sqlmodel import select

    from digihelse.access.actors import Actor
    from digihelse.booking import citizen
    from digihelse.core import db
    from digihelse.core.settings import get_settings
    from digihelse.people.models import Person

    noah = logged_in(fhir_api, "Noah")
    me = patient_id(noah, "Noah")
    first, second = free_slots(noah, VGS)[-2:]
    old = fhir(book(noah, me, first.id, "noah-move"), Appointment, 201)
    with db.session() as s:
        pid = s.exec(select(Person.nin).where(Person.given_name == "Noah")).one()
    new = citizen.move(db.get_engine(), Actor(pid=pid, role="citizen"), int(old.id),
                       new_slot_id=int(second.id), client_key="noah-moved",
                       settings=get_settings().booking)
    moved = fhir(noah.get(f"{API}/Appointment/{old.id}"), Appointment)
    assert moved.status == "cancelled"
    assert moved.cancelationReason.text == "Flyttet til en annen tid"
    cancel(noah, str(new.id))
