"""FHIR search parameters without a server: date prefixes and precision, tokens,
references, and the paging links of a searchset Bundle."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location

from digihelse.http.fhir.outcome import FhirError
from digihelse.http.fhir.search import Query, Token, parse_date, reference_id, searchset

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(("param", "inside", "outside"), [
    ("ge2025-03-10", "2025-03-09T23:00:00+00:00", "2025-03-09T22:59:59+00:00"),  # Oslo day
    ("le2025-03-10", "2025-03-10T22:59:59+00:00", "2025-03-10T23:00:00+00:00"),
    ("lt2025-03-10", "2025-03-09T22:59:59+00:00", "2025-03-09T23:00:00+00:00"),
    ("gt2025-03-10", "2025-03-10T23:00:00+00:00", "2025-03-10T22:59:59+00:00"),
    ("2025-03", "2025-03-31T21:59:59+00:00", "2025-03-31T22:00:00+00:00"),  # summer time
    ("ge2025-03-10T10:00:00Z", "2025-03-10T10:00:00+00:00", "2025-03-10T09:59:59+00:00"),
    ("le2025-03-10T10:00+01:00", "2025-03-10T09:00:59+00:00", "2025-03-10T09:01:00+00:00"),
])
def test_date_prefixes_and_precision(param, inside, outside):
    date = parse_date(param)
    assert date.matches(at(inside)) and not date.matches(at(outside))


@pytest.mark.parametrize("bad", ["sa2025-01-01", "2025-13-01", "yesterday", "2025-01-01T25:00"])
def test_unsupported_dates_are_400(bad):
    with pytest.raises(FhirError) as caught:
        parse_date(bad)
    assert caught.value.status == 400


def test_tokens_and_references():
    assert Token.parse("http://loinc.org|29463-7").matches("http://loinc.org", "29463-7")
    assert not Token.parse("http://snomed.info/sct|29463-7").matches("http://loinc.org",
                                                                     "29463-7")
    assert Token.parse("29463-7").matches("http://loinc.org", "29463-7")
    assert reference_id("Patient/12", "Patient") == "12"
    assert reference_id("https://example.org/fhir/R4/Patient/12", "Patient") == "12"
    assert reference_id("12", "Patient") == "12"
    with pytest.raises(FhirError):
        reference_id("Slot/12", "Patient")


def test_searchset_links_walk_every_page_once():
    places = [Location.model_validate({"id": str(n), "name": f"Sted {n}"}) for n in range(7)]
    query = Query([("name", "sted"), ("_count", "3"), ("ignored", "x")])
    query.values("name")
    seen, offset = [], 0
    while True:
        bundle = searchset("https://x/fhir/R4", "Location", query, places, 3, offset)
        Bundle.model_validate_json(bundle.model_dump_json())
        seen += [e.resource.id for e in bundle.entry]
        links = {link.relation: link.url for link in bundle.link}
        assert "ignored" not in links["self"] and "name=sted" in links["self"]
        assert links["last"].endswith("_offset=6")
        if "next" not in links:
            break
        offset = int(links["next"].rsplit("=", 1)[1])
    assert seen == [str(n) for n in range(7)] and bundle.total == 7
