"""Odd input never breaks the FHIR API: random JSON (deep nesting included), dates and
search parameters answer 4xx with an OperationOutcome, never 500, and change nothing."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from digihelse.booking.models import Booking, Slot
from digihelse.core import db
from tests.fhir_client import API, FHIR_JSON, logged_in

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SEARCHES = ["Appointment", "Slot", "Observation", "EpisodeOfCare", "Patient", "Schedule"]
PARAMS = ["date", "start", "status", "patient", "code", "_count", "_offset", "schedule",
          "service-type", "identifier"]
PREFIXES = ["", "eq", "ne", "lt", "gt", "ge", "le", "sa", "eb", "ap", "xx"]
# Dates at the edges of what Python and the calendar can hold, and nonsense.
DATES = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "9999-12-31T23:59:59-14:00",
                     "0001-01-01T00:00:00+14:00", "2025-02-30", "2025-13", "2025-1-1",
                     "2025-06-01T25:00", "", "T", "2025-06-01T10:00:00.1234567891Z"]),
    st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=30))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20)


def _counts() -> tuple[int, int]:
    with db.session() as s:
        return (s.exec(select(func.count()).select_from(Booking)).one(),
                s.exec(select(func.count()).select_from(Slot)).one())


def _no_crash(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["resourceType"] == "OperationOutcome"


@FUZZ
@given(kind=st.sampled_from(SEARCHES), name=st.sampled_from(PARAMS),
       prefix=st.sampled_from(PREFIXES), value=DATES)
def test_search_parameters_never_crash(fhir_api, kind, name, prefix, value):
    client = logged_in(fhir_api, "Noah")
    _no_crash(client.get(f"{API}/{kind}", params={name: prefix + value}))


@FUZZ
@given(body=JSON, resource=st.sampled_from(["Appointment", "Appointment/1"]),
       method=st.sampled_from(["POST", "PUT", "PATCH"]))
def test_random_json_bodies_never_crash_nor_change_anything(fhir_api, body, resource, method):
    if resource.endswith("/1") == (method == "POST"):
        resource = "Appointment" if method == "POST" else "Appointment/1"
    client = logged_in(fhir_api, "Noah")
    before = _counts()
    media = "application/json-patch+json" if method == "PATCH" else FHIR_JSON["Content-Type"]
    response = client.request(method, f"{API}/{resource}", content=json.dumps(body),
                              headers={"Content-Type": media, "If-Match": 'W/"1"'})
    _no_crash(response)
    assert response.status_code >= 400 and _counts() == before


def test_deep_nesting_and_edge_dates_are_400(fhir_api):
    client = logged_in(fhir_api, "Noah")
    deep = client.post(f"{API}/Appointment", content=b"[" * 20_000, headers=FHIR_JSON)
    assert deep.status_code == 400 and deep.json()["resourceType"] == "OperationOutcome"
    nested = client.post(f"{API}/Appointment", content=b"[" * 100 + b"]" * 100,
                         headers=FHIR_JSON)
    assert nested.status_code == 400
    for kind, query in [("Appointment", "date=0001-01-01"),
                        ("Appointment", "date=9999-12-31T23:59:59-14:00"),
                        ("Slot", "start=ge9999-12-31")]:
        response = client.get(f"{API}/{kind}?{query}")
        assert response.status_code == 400, (kind, query, response.text)
