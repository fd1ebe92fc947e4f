"""The FHIR R4 API in one process, through the real HTTP routes: metadata, login by cookie
and by bearer token, Patient, the directory (Location, HealthcareService, Schedule, Slot)
and errors as OperationOutcome. Every response is checked against fhir.resources' R4B
models. Appointments and the pregnancy card have their own files; the fixtures are in
conftest.py and the helpers in tests/fhir_client.py."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from starlette.testclient import TestClient

from tests.fhir_client import (
    API,
    BASE,
    FHIR_JSON,
    FNR,
    access_log,
    all_pages,
    fhir,
    hidden,
    logged_in,
    login,
    outcome,
    patient_id,
    pid_of,
)

# --- metadata ------------------------------------------------------------------------------

SUPPORTED = {
    "Patient": {"read", "search-type"},
    "Location": {"read", "search-type"},
    "HealthcareService": {"read", "search-type"},
    "Schedule": {"read", "search-type"},
    "Slot": {"read", "search-type"},
    "Appointment": {"read", "search-type", "create", "update", "patch"},
    "EpisodeOfCare": {"read", "search-type"},
    "Observation": {"read", "search-type"},
    "Communication": {"read", "search-type", "create"},
}


def test_metadata_lists_exactly_what_is_supported_and_needs_no_login(client):
    statement = fhir(client.get(f"{API}/metadata"), CapabilityStatement)
    assert statement.kind == "instance" and statement.fhirVersion.startswith("4.")
    assert "application/fhir+json" in statement.format
    [rest] = statement.rest
    assert rest.mode == "server" and "bearer" in rest.security.description.lower()
    found = {r.type: {i.code for i in r.interaction} for r in rest.resource}
    assert found == SUPPORTED
    appointment = next(r for r in rest.resource if r.type == "Appointment")
    assert appointment.versioning == "versioned-update"
    slot_params = {p.name for p in next(r for r in rest.resource if r.type == "Slot").searchParam}
    assert {"schedule", "status", "start", "service-type", "_count"} <= slot_params


def test_what_the_statement_leaves_out_is_refused(client):
    login(client, "Noah")
    methods = {"read": ("GET", True), "search-type": ("GET", False), "create": ("POST", False),
               "update": ("PUT", True), "patch": ("PATCH", True)}
    for resource_type, interactions in SUPPORTED.items():
        for name, (method, with_id) in methods.items():
            if name in interactions:
                continue
            url = f"{API}/{resource_type}/1" if with_id else f"{API}/{resource_type}"
            response = client.request(method, url, headers=FHIR_JSON, content=b"{}")
            outcome(response, 405)
            assert response.headers["allow"]
    outcome(client.delete(f"{API}/Appointment/1"), 405)
    assert outcome(client.get(f"{API}/Practitioner"), 404).issue[0].code == "not-supported"


# --- authentication --------------------------------------------------------------------------

def test_without_credentials_every_interaction_is_401(client):
    for method, path in (("GET", "/Patient"), ("GET", "/Slot"), ("GET", "/Observation"),
                         ("POST", "/Appointment"), ("GET", "/Appointment/1")):
        response = client.request(method, API + path, headers=FHIR_JSON, content=b"{}")
        assert outcome(response, 401).issue[0].code == "login"
        assert response.headers["www-authenticate"].startswith("Bearer")
    basic = client.get(f"{API}/Patient", headers={"Authorization": "Basic dXNlcjpwdw=="})
    outcome(basic, 401)


@pytest.fixture
def tokens(fhir_api, monkeypatch):
    """Log in through the code flow and keep the tokens the provider's token endpoint gave
    our relying party (the access token's aud includes this API)."""
    captured: dict[str, str] = {}

    def capturing(rp):
        original = rp.finish_login

        async def finish_login(params):
            result = await original(params)
            captured["access_token"] = result.access_token
            captured["id_token"] = result.id_token
            return result

        monkeypatch.setattr(rp, "finish_login", finish_login)

    for rp in fhir_api.state.auth.relying_parties.values():
        capturing(rp)

    def get(given: str, *, personnel: bool = False,
            client: TestClient | None = None) -> dict[str, str]:
        login(client or TestClient(fhir_api, base_url=BASE), given, personnel=personnel)
        return dict(captured)

    return get


def test_a_bearer_access_token_from_the_provider_is_accepted(fhir_api, tokens):
    token = tokens("Nora")["access_token"]
    client = TestClient(fhir_api, base_url=BASE)  # no cookie
    bearer = {"Authorization": f"Bearer {token}"}
    bundle = fhir(client.get(f"{API}/Patient", headers=bearer), Bundle)
    [entry] = bundle.entry
    assert entry.resource.name[0].text == "Nora Lie"
    before = len(access_log())
    fhir(client.get(f"{API}/Observation", headers=bearer), Bundle)
    rows = access_log()[before:]
    assert rows and all(row.channel == "api" for row in rows)
    assert {row.object_type for row in rows} == {"pregnancy_record"}


def test_bad_tokens_are_refused_with_401(fhir_api, tokens):
    got = tokens("Noah")
    client = TestClient(fhir_api, base_url=BASE)
    head, payload, signature = got["access_token"].split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    for token in (forged, got["id_token"], "not-a-jwt"):
        response = client.get(f"{API}/Patient", headers={"Authorization": f"Bearer {token}"})
        outcome(response, 401)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_logging_out_ends_access_with_the_sessions_tokens(fhir_api, tokens):
    browser = TestClient(fhir_api, base_url=BASE)
    token = tokens("Nora", client=browser)["access_token"]
    api = TestClient(fhir_api, base_url=BASE)
    bearer = {"Authorization": f"Bearer {token}"}
    fhir(api.get(f"{API}/Patient", headers=bearer), Bundle)
    browser.post("/auth/logout", follow_redirects=False)
    response = api.get(f"{API}/Patient", headers=bearer)
    outcome(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_personnel_tokens_work_too(fhir_api, tokens):
    token = tokens("Lise", personnel=True)["access_token"]
    client = TestClient(fhir_api, base_url=BASE)
    nora = patient_id(logged_in(fhir_api, "Nora"), "Nora")
    bundle = fhir(client.get(f"{API}/Observation?patient=Patient/{nora}",
                             headers={"Authorization": f"Bearer {token}"}), Bundle)
    assert bundle.total and bundle.total > 0


def test_cookie_writes_from_another_site_are_refused(fhir_api):
    client = logged_in(fhir_api, "Noah")
    response = client.post(f"{API}/Appointment", json={},
                           headers={**FHIR_JSON, "Origin": "https://evil.example"})
    outcome(response, 403)


# --- Patient ---------------------------------------------------------------------------------

def test_patient_reads_herself_with_her_national_id_only_as_identifier(fhir_api):
    client = logged_in(fhir_api, "Noah")
    me = patient_id(client, "Noah")
    patient = fhir(client.get(f"{API}/Patient/{me}"), Patient)
    pid = pid_of(client, "Noah")
    assert patient.id == me and pid not in me
    assert [(i.system, i.value) for i in patient.identifier] == [(FNR, pid)]
    assert patient.birthDate and not patient.address


def test_a_parent_reads_the_child_he_may_act_for_but_not_others(fhir_api):
    per = logged_in(fhir_api, "Per")
    jonas = patient_id(per, "Jonas")
    before = len(access_log())
    child = fhir(per.get(f"{API}/Patient/{jonas}"), Patient)
    [read] = access_log()[before:]  # every read of a person's details is logged
    assert (read.action, read.object_type, read.outcome, read.channel) == (
        "read", "patient", "ok", "api")
    assert child.name[0].text == "Jonas Hansen"
    assert child.identifier[0].value == pid_of(per, "Jonas")
    # Tor's daughter is 17: a parent's access has ended (§ 4-3), so she is refused to him.
    maja = patient_id(logged_in(fhir_api, "Maja"), "Maja")
    tor = logged_in(fhir_api, "Tor")
    hidden(tor.get(f"{API}/Patient/{maja}"), tor.get(f"{API}/Patient/999999"))
    # A stranger: refused, and the refusal is in the access log, channel "api".
    noah = logged_in(fhir_api, "Noah")
    before = len(access_log())
    refused = noah.get(f"{API}/Patient/{jonas}")
    [row] = access_log()[before:]
    assert (row.outcome, row.channel, row.object_type) == ("denied", "api", "patient")
    hidden(refused, noah.get(f"{API}/Patient/999999"))


def test_patient_search_lists_exactly_those_one_may_act_for(fhir_api):
    per = logged_in(fhir_api, "Per")
    bundle = fhir(per.get(f"{API}/Patient"), Bundle)
    names = [e.resource.name[0].given[0] for e in bundle.entry]
    assert names == ["Per", "Emma", "Jonas", "Sara"]
    jonas_pid = pid_of(per, "Jonas")
    found = fhir(per.get(f"{API}/Patient?identifier={FNR}|{jonas_pid}"), Bundle)
    assert [e.resource.name[0].given[0] for e in found.entry] == ["Jonas"]
    # Tor's daughter is 17: parents' access has ended (pasient- og brukerrettighetsloven § 4-3).
    tor = logged_in(fhir_api, "Tor")
    assert [e.resource.name[0].given[0] for e in fhir(tor.get(f"{API}/Patient"),
                                                      Bundle).entry] == ["Tor"]


# --- Location, HealthcareService, Schedule, Slot ---------------------------------------------

def test_places_services_and_schedules(fhir_api):
    client = logged_in(fhir_api, "Noah")
    locations = fhir(client.get(f"{API}/Location?name=fjordvik"), Bundle)
    names = {e.resource.name for e in locations.entry}
    assert "Fjordvik videregående skole" in names and "Helsestasjon for ungdom Fjordvik" in names
    vgs = next(e.resource for e in locations.entry if e.resource.name.endswith("skole")
               and "videregående" in e.resource.name)
    fhir(client.get(f"{API}/Location/{vgs.id}"), Location)
    service = fhir(client.get(f"{API}/HealthcareService/{vgs.id}"), HealthcareService)
    assert service.type[0].coding[0].code == "school-health"
    clinics = fhir(client.get(f"{API}/HealthcareService?service-type=youth-clinic"), Bundle)
    assert [e.resource.name for e in clinics.entry] == [
        "Helsestasjon for ungdom, Helsestasjon for ungdom Fjordvik"]
    schedules = fhir(client.get(f"{API}/Schedule?actor=Location/{vgs.id}"), Bundle)
    [entry] = schedules.entry
    schedule = fhir(client.get(f"{API}/Schedule/{entry.resource.id}"), Schedule)
    assert {a.reference for a in schedule.actor if a.reference} == {
        f"Location/{vgs.id}", f"HealthcareService/{vgs.id}"}
    outcome(client.get(f"{API}/Location/424242"), 404)
    outcome(client.get(f"{API}/Schedule/1-424242"), 404)


def test_slot_search_pages_with_bundle_next_links(fhir_api):
    client = logged_in(fhir_api, "Noah")
    first = fhir(client.get(f"{API}/Slot?status=free&service-type=school-health&_count=7"),
                 Bundle)
    relations = {link.relation for link in first.link}
    assert {"self", "first", "next", "last"} <= relations and "previous" not in relations
    pages = all_pages(client, next(link.url for link in first.link if link.relation == "self"))
    assert len(pages) > 2 and all(p.total == first.total for p in pages)
    slots = [e.resource for p in pages for e in p.entry]
    assert len(slots) == first.total == len({s.id for s in slots})
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    assert all(s.status == "free" for s in slots)
    assert {link.relation for link in pages[1].link} >= {"previous", "next"}

    # A window: start ge/le, and one schedule.
    day = slots[0].start.date().isoformat()
    window = fhir(client.get(f"{API}/Slot?start=ge{day}T00:00:00&start=le{day}T23:59:59"
                             f"&_count=100"), Bundle)
    assert window.total and all(e.resource.start.date().isoformat() == day
                                for e in window.entry)
    schedule = slots[0].schedule.reference
    mine = fhir(client.get(f"{API}/Slot?schedule={schedule}&_count=100"), Bundle)
    assert mine.total and {e.resource.schedule.reference for e in mine.entry} == {schedule}
    assert fhir(client.get(f"{API}/Slot?status=busy"), Bundle).total == 0
    one = fhir(client.get(f"{API}/Slot/{slots[0].id}"), Slot)
    assert one.status == "free" and one.start == slots[0].start
    outcome(client.get(f"{API}/Slot?start=xx2025-01-01"), 400)
    outcome(client.get(f"{API}/Slot?_count=lots"), 400)


def test_odd_requests_still_get_an_operation_outcome(fhir_api):
    client = logged_in(fhir_api, "Noah")
    outcome(client.get(API), 404)
    outcome(client.get(f"{API}/Patient/1/_history/1"), 404)
    outcome(client.post(f"{API}/metadata"), 405)
    too_big = client.post(f"{API}/Appointment", content=b"{" + b" " * 70_000 + b"}",
                          headers=FHIR_JSON)
    outcome(too_big, 413)
