"""The FHIR R4 API over real HTTP against the running production server: the
CapabilityStatement, login by session cookie, paging by Bundle links, the pregnancy card's
LOINC-coded measurements, and a 50-way race for one slot through POST Appointment that
must give exactly one 201 and 409 for all the others.

No browser: httpx logs in through the embedded TestID provider the way a browser would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

API = "/fhir/R4"
FHIR_JSON = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
COOKIE = "digihelse_session"
RACERS = 50
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


def fhir(response: httpx.Response, model: type, status: int = 200):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    return model.model_validate_json(response.text)


@contextlib.contextmanager
def citizen(base_url: str, given: str) -> Iterator[httpx.Client]:
    """An httpx client holding the session cookie of a demo person, after the same steps a
    browser takes: /auth/login -> provider page -> form post -> callback."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        _login(client, given)
        yield client


def _login(client: httpx.Client, given: str) -> None:
    users = client.get("/idp/testusers").json()
    pid = next(u["pid"] for u in users if u["name"].split()[0] == given)
    to_provider = client.get("/auth/login?next=/hjem")
    assert to_provider.status_code == 303
    page = client.get(to_provider.headers["location"])
    assert page.status_code == 200
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    to_callback = client.post(urlsplit(to_provider.headers["location"]).path, data={
        "request": request_id, "pid": pid, "acr": "idporten-loa-substantial"})
    assert to_callback.status_code in (302, 303), to_callback.text
    done = client.get(to_callback.headers["location"])
    assert done.status_code == 303 and client.cookies.get(COOKIE)


def my_patient_id(client: httpx.Client) -> str:
    bundle = fhir(client.get(f"{API}/Patient"), Bundle)
    return bundle.entry[0].resource.id


def test_capability_statement_over_http(base_url):
    with httpx.Client(base_url=base_url, timeout=60) as client:
        statement = fhir(client.get(f"{API}/metadata"), CapabilityStatement)
    assert statement.fhirVersion.startswith("4.") and statement.kind == "instance"
    assert statement.implementation.url == f"{base_url}{API}"
    [rest] = statement.rest
    assert {r.type: {i.code for i in r.interaction} for r in rest.resource} == SUPPORTED
    appointment = next(r for r in rest.resource if r.type == "Appointment")
    assert appointment.versioning == "versioned-update"
    assert {"patient", "status", "date"} <= {p.name for p in appointment.searchParam}


def test_without_login_the_api_answers_401_with_an_operation_outcome(base_url):
    with httpx.Client(base_url=base_url, timeout=60) as client:
        response = client.get(f"{API}/Appointment")
    outcome = fhir(response, OperationOutcome, 401)
    assert outcome.issue[0].code == "login"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_slot_search_pages_by_next_links_over_http(base_url):
    with citizen(base_url, "Noah") as client:
        url = f"{API}/Slot?status=free&service-type=school-health&_count=10"
        seen, pages, total = [], 0, None
        while url:
            bundle = fhir(client.get(url), Bundle)
            total = bundle.total if total is None else total
            seen += [e.resource.id for e in bundle.entry or []]
            pages += 1
            url = next((link.url for link in bundle.link if link.relation == "next"), None)
    assert pages > 1 and len(seen) == total == len(set(seen))


def test_the_pregnancy_card_measurements_over_http(base_url):
    with citizen(base_url, "Nora") as client:
        bundle = fhir(client.get(f"{API}/Observation?code=http://loinc.org|85354-9"), Bundle)
    assert bundle.total
    for entry in bundle.entry:
        codes = {c.code.coding[0].code for c in entry.resource.component}
        assert codes == {"8480-6", "8462-4"}


async def _race(base_url: str, cookie: str, body_for) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=RACERS, max_keepalive_connections=RACERS)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits,
                                 headers={**FHIR_JSON, "Cookie": f"{COOKIE}={cookie}"}
                                 ) as client:
        start = asyncio.Event()

        async def one(n: int) -> httpx.Response:
            await start.wait()
            return await client.post(f"{API}/Appointment", json=body_for(n))

        tasks = [asyncio.create_task(one(n)) for n in range(RACERS)]
        await asyncio.sleep(0.1)
        start.set()
        return await asyncio.gather(*tasks)


@pytest.fixture
def noah(base_url):
    with citizen(base_url, "Noah") as client:
        yield client


def test_fifty_concurrent_bookings_of_one_slot_give_one_201_and_49_409(base_url, noah):
    me = my_patient_id(noah)
    places = fhir(noah.get(f"{API}/Location?name=videregående"), Bundle)
    vgs = places.entry[0].resource.id
    # The last free slot at Noah's school: far from anything the other journeys book.
    first = fhir(noah.get(f"{API}/Slot?status=free&schedule.actor=Location/{vgs}&_count=1"),
                 Bundle)
    last = next(link.url for link in first.link if link.relation == "last")
    slot = fhir(noah.get(last), Bundle).entry[-1].resource
    run = uuid.uuid4().hex[:8]

    def body_for(n: int) -> dict:
        return {"resourceType": "Appointment", "status": "booked",
                "identifier": [{"system": "urn:uuid:e2e", "value": f"race-{run}-{n}"}],
                "slot": [{"reference": f"Slot/{slot.id}"}],
                "participant": [{"actor": {"reference": f"Patient/{me}"},
                                 "status": "accepted"}]}

    # Its own thread: the browser tests' sync Playwright keeps an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        responses = pool.submit(asyncio.run, _race(base_url, noah.cookies.get(COOKIE),
                                                    body_for)).result()
    statuses = sorted(r.status_code for r in responses)
    winners = [r for r in responses if r.status_code == 201]
    try:
        assert statuses == [201] + [409] * (RACERS - 1), statuses
        for loser in (r for r in responses if r.status_code == 409):
            assert fhir(loser, OperationOutcome, 409).issue[0].code == "conflict"
        booked = fhir(winners[0], Appointment, 201)
        assert booked.status == "booked" and booked.slot[0].reference == f"Slot/{slot.id}"
        assert fhir(noah.get(f"{API}/Slot/{slot.id}"), type(slot)).status == "busy"
    finally:
        # Leave the shared server as it was: cancel whatever was booked, with If-Match.
        for winner in winners:
            url = f"{API}/Appointment/{winner.json()['id']}"
            current = noah.get(url)
            body = current.json() | {"status": "cancelled"}
            cancelled = noah.put(url, json=body,
                                 headers={**FHIR_JSON, "If-Match": current.headers["etag"]})
            assert fhir(cancelled, Appointment).status == "cancelled"
