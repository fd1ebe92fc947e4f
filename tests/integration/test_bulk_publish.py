"""SMART Scheduling Links for the youth clinic: a $bulk-publish manifest anyone may read,
pointing at Location, Schedule and Slot NDJSON; only free times, with a link into the
booking page, and nobody's name or health data."""

from __future__ import annotations

import json

from fhir.resources.R4B.location import Location
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from starlette.testclient import TestClient

from tests.fhir_client import API, BASE, FHIR_JSON, logged_in, patient_id

MODELS = {"Location": Location, "Schedule": Schedule, "Slot": Slot}


def _files(client: TestClient) -> dict[str, list[dict]]:
    manifest = client.get(f"{API}/$bulk-publish")
    assert manifest.status_code == 200 and "no-store" in manifest.headers["cache-control"]
    body = manifest.json()
    assert body["request"] == f"{BASE}{API}/$bulk-publish" and body["error"] == []
    assert body["transactionTime"]
    files = {}
    for output in body["output"]:
        path = output["url"].removeprefix(BASE)
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        rows = [json.loads(line) for line in response.text.splitlines() if line]
        for row in rows:  # each line a valid FHIR R4 resource of the declared type
            assert row["resourceType"] == output["type"]
            MODELS[output["type"]].model_validate(row)
        files[output["type"]] = rows
    return files


def test_the_youth_clinics_free_times_are_published_without_personal_data(fhir_api):
    anyone = TestClient(fhir_api, base_url=BASE)  # no login
    files = _files(anyone)
    assert set(files) == {"Location", "Schedule", "Slot"}
    [clinic] = files["Location"]
    assert clinic["name"]
    schedules = {f"Schedule/{s['id']}" for s in files["Schedule"]}
    assert all(s["actor"] == [{"reference": f"Location/{clinic['id']}"}]
               for s in files["Schedule"])
    slots = files["Slot"]
    assert slots and all(s["status"] == "free" for s in slots)
    assert all(s["schedule"]["reference"] in schedules for s in slots)
    links = [e["valueUrl"] for s in slots for e in s["extension"]
             if e["url"].endswith("booking-deep-link")]
    assert len(links) == len(slots)
    assert all(link == f"{BASE}/bestill?sted={clinic['id']}" for link in links)
    text = json.dumps(files, ensure_ascii=False)
    people = anyone.get("/idp/testusers").json() + anyone.get("/helseid/testusers").json()
    for person in people:
        assert person["name"] not in text and person["pid"] not in text
    assert "Practitioner" not in text and "Patient" not in text

    # A time Noah books or holds at the clinic is no longer published.
    noah = logged_in(fhir_api, "Noah")
    me = patient_id(noah, "Noah")
    first, second = slots[0]["id"], slots[1]["id"]
    booked = noah.post(f"{API}/Appointment", headers=FHIR_JSON, json={
        "resourceType": "Appointment", "status": "booked",
        "slot": [{"reference": f"Slot/{first}"}],
        "participant": [{"actor": {"reference": f"Patient/{me}"}, "status": "accepted"}]})
    assert booked.status_code == 201, booked.text
    held = noah.post(f"{API}/Appointment/$hold", headers=FHIR_JSON, json={
        "resourceType": "Parameters", "parameter": [{
            "name": "appointment-reference",
            "valueReference": {"reference": f"Appointment/proposed-{second}-{me}"}}]})
    assert held.status_code == 200, held.text
    published = {s["id"] for s in _files(anyone)["Slot"]}
    assert first not in published and second not in published


def test_an_unknown_file_is_the_plain_404(fhir_api):
    anyone = TestClient(fhir_api, base_url=BASE)
    assert anyone.get(f"{API}/bulk/patients.ndjson").status_code == 404
