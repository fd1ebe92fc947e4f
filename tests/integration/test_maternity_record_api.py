"""GET /api/maternity-record/{Patient id}: the card as a Maternity Record document, for the
woman and her midwife or GP, with the card's log row; one 404 for everyone else."""

from __future__ import annotations

from sqlmodel import select

from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard.maternity_record import SECTIONS
from digihelse.people.models import Fullmakt, Person
from tests.fhir_client import BASE, access_log, hidden, logged_in, patient_id

PATH = "/api/maternity-record"


def test_nora_exports_her_own_card(fhir_api):
    nora = logged_in(fhir_api, "Nora")
    me = patient_id(nora, "Nora")
    before = len(access_log())
    response = nora.get(f"{PATH}/{me}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    document = response.json()
    assert set(SECTIONS) <= set(document) and document["patient"] == {
        "reference": f"Patient/{me}"}
    assert document["events"] and document["format"]["name"] == "digihelse-maternity-record"
    [row] = access_log()[before:]
    assert (row.actor_role, row.channel, row.object_type, row.action, row.outcome) == (
        "citizen", "api", "pregnancy_record", "read", "ok")


def test_her_midwife_exports_it_and_the_read_is_logged_as_hers(fhir_api):
    nora = patient_id(logged_in(fhir_api, "Nora"), "Nora")
    lise = logged_in(fhir_api, "Lise", personnel=True)
    before = len(access_log())
    response = lise.get(f"{PATH}/{nora}")
    assert response.status_code == 200, response.text
    [row] = access_log()[before:]
    assert (row.actor_role, row.channel, row.object_type, row.action, row.outcome) == (
        "midwife", "api", "pregnancy_record", "read", "ok")
    assert row.actor_hpr and row.subject_pid == response.json()["mother"]["identifier"][
        "value"]


def test_everyone_else_gets_the_404_of_an_unknown_patient(fhir_api):
    nora = patient_id(logged_in(fhir_api, "Nora"), "Nora")
    maja = patient_id(logged_in(fhir_api, "Maja"), "Maja")
    kari = logged_in(fhir_api, "Kari", personnel=True)  # a school nurse: no care relation
    unknown = kari.get(f"{PATH}/999999")
    before = len(access_log())
    hidden(kari.get(f"{PATH}/{nora}"), unknown)
    denied = access_log()[before:]
    assert denied and all((r.outcome, r.channel) == ("denied", "api") for r in denied)
    # A parent never sees his 17-year-old's card; an id that is no id at all.
    tor = logged_in(fhir_api, "Tor")
    hidden(tor.get(f"{PATH}/{maja}"), tor.get(f"{PATH}/999999"))
    hidden(tor.get(f"{PATH}/not-an-id"), unknown)
    # A pupil without a card, asking for herself.
    noah = logged_in(fhir_api, "Noah")
    hidden(noah.get(f"{PATH}/{patient_id(noah, 'Noah')}"), unknown)


def test_a_partner_with_fullmakt_reads_the_card_not_the_whole_record(fhir_api):
    """The document is the whole card, with what she hides from him: his is the card page."""
    nora = patient_id(logged_in(fhir_api, "Nora"), "Nora")
    with db.write_session() as s:
        giver = s.get(Person, int(nora))
        jon = s.exec(select(Person).where(Person.given_name == "Jon")).one()
        grant = Fullmakt(giver_id=giver.id, receiver_id=jon.id, scope="pregnancy",
                         valid_from=today_oslo())
        s.add(grant)
        s.flush()
        grant_id = grant.id
    try:
        partner = logged_in(fhir_api, "Jon")
        hidden(partner.get(f"{PATH}/{nora}"), partner.get(f"{PATH}/999999"))
    finally:
        with db.write_session() as s:
            s.delete(s.get(Fullmakt, grant_id))


def test_without_a_login_the_answer_is_401(fhir_api):
    from starlette.testclient import TestClient

    anonymous = TestClient(fhir_api, base_url=BASE)
    response = anonymous.get(f"{PATH}/1")
    assert response.status_code == 401 and "error" in response.json()
