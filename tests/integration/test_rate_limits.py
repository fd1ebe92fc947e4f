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
