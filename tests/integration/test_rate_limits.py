"""Past the limits, logins and FHIR calls answer 429 with Retry-After: a plain-words page
for the browser, an OperationOutcome for FHIR; below them nothing changes."""

from __future__ import annotations

API = "/fhir/R4"


def test_login_starts_past_the_limit_are_429_with_a_page_in_plain_words(make_app):
    client = make_app(DIGIHELSE_RATE_LOGIN="3/minute")
    for _ in range(3):
        assert client.get("/auth/login?next=/hjem", follow_redirects=False).status_code == 303
    refused = client.get("/auth/login?next=/hjem", follow_redirects=False)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "For mange forsøk" in refused.text and "Vent" in refused.text


def test_fhir_writes_past_the_limit_are_429_and_reads_go_on(make_app):
    client = make_app(DIGIHELSE_RATE_FHIR_WRITE="2/minute")
    for _ in range(2):
        assert client.post(f"{API}/Appointment", content=b"{}",
                           headers={"Content-Type": "application/fhir+json"}).status_code != 429
    refused = client.post(f"{API}/Appointment", content=b"{}",
                          headers={"Content-Type": "application/fhir+json"})
    assert refused.status_code == 429 and refused.headers["retry-after"]
    body = refused.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "throttled"
    assert client.get(f"{API}/metadata").status_code == 200


def test_bookings_past_the_per_person_cap_are_429_over_fhir(make_app):
    from digihelse_dev.seed import seed_demo_activity

    from digihelse.core import db
    from digihelse.core.ratelimit import shared_limiter
    from tests.fhir_client import FHIR_JSON, logged_in, patient_id

    client = make_app(DIGIHELSE_RATE_BOOKING="1/minute")
    with db.session() as s:
        seed_demo_activity(s)  # the nurses' free times
    shared_limiter().storage.reset()
    noah = logged_in(client.app, "Noah")
    me = patient_id(noah, "Noah")
    places = noah.get(f"{API}/Location?_count=100").json()["entry"]
    school = next(e["resource"]["id"] for e in places
                  if e["resource"]["name"] == "Fjordvik videregående skole")
    slots = noah.get(f"{API}/Slot?status=free&schedule.actor=Location/{school}"
                     "&_count=100").json()["entry"][-2:]

    def book(slot: dict):
        return noah.post(f"{API}/Appointment", headers=FHIR_JSON, json={
            "resourceType": "Appointment", "status": "booked",
            "slot": [{"reference": f"Slot/{slot['resource']['id']}"}],
            "participant": [{"actor": {"reference": f"Patient/{me}"}, "status": "accepted"}]})

    assert book(slots[0]).status_code == 201
    refused = book(slots[1])
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["issue"][0]["code"] == "throttled"
    assert "booking requests" in refused.json()["issue"][0]["diagnostics"]
