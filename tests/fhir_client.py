"""Talking to the FHIR API in tests: log in through the embedded providers, read responses
as validated fhir.resources R4B models. The API fixtures are in tests/integration/conftest.py."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlmodel import select
from starlette.testclient import TestClient

from digihelse.audit.models import AccessLog
from digihelse.core import db

BASE = "http://localhost:8000"
API = "/fhir/R4"
FHIR_JSON = {"Content-Type": "application/fhir+json"}
FNR = "urn:oid:2.16.578.1.12.4.1.4.1"


def pid_of(client: TestClient, given: str, issuer: str = "/idp") -> str:
    users = client.get(f"{issuer}/testusers").json()
    return next(u["pid"] for u in users if u["name"].split()[0] == given)


def login(client: TestClient, given: str, *, personnel: bool = False) -> None:
    """The whole code flow against the embedded provider, leaving the session cookie."""
    issuer = "/helseid" if personnel else "/idp"
    pid = pid_of(client, given, issuer)
    start = "/auth/personnel/login" if personnel else "/auth/login"
    to_provider = client.get(f"{start}?next=/hjem", follow_redirects=False)
    page = client.get(to_provider.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    form = {"request": request_id, "pid": pid}
    if not personnel:
        form["acr"] = "idporten-loa-substantial"
    action = urlsplit(to_provider.headers["location"]).path
    to_callback = client.post(action, data=form, follow_redirects=False)
    callback = to_callback.headers["location"]
    assert parse_qs(urlsplit(callback).query)["iss"]
    done = client.get(callback, follow_redirects=False)
    assert done.status_code == 303, done.text


def logged_in(fhir_api, given: str, *, personnel: bool = False) -> TestClient:
    client = TestClient(fhir_api, base_url=BASE)
    login(client, given, personnel=personnel)
    return client


def fhir(response: httpx.Response, model: type, status: int = 200):
    """The response as a validated fhir.resources R4B model, after checking the status
    and the content type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    return model.model_validate_json(response.text)


def outcome(response: httpx.Response, status: int) -> OperationOutcome:
    result = fhir(response, OperationOutcome, status)
    assert result.issue and result.issue[0].severity == "error"
    return result


def hidden(response: httpx.Response, unknown: httpx.Response) -> None:
    """A refusal that reveals nothing: the same 404 and body as an id that does not exist."""
    assert response.status_code == unknown.status_code == 404, response.text
    assert response.content == unknown.content


def patient_id(client: TestClient, given: str) -> str:
    """The opaque Patient id of someone the client may see (themself or a child)."""
    bundle = fhir(client.get(f"{API}/Patient"), Bundle)
    for entry in bundle.entry or []:
        if entry.resource.name[0].given[0] == given:
            return entry.resource.id
    raise AssertionError(f"{given} is not among the client's patients")


def all_pages(client: TestClient, url: str) -> list[Bundle]:
    """Follow a search's next links to the end."""
    pages = []
    while url:
        bundle = fhir(client.get(url), Bundle)
        pages.append(bundle)
        url = next((link.url for link in bundle.link if link.relation == "next"), None)
    return pages


def access_log() -> list[AccessLog]:
    """Every access-log row so far, oldest first."""
    with db.session() as s:
        return list(s.exec(select(AccessLog).order_by(AccessLog.id)))
