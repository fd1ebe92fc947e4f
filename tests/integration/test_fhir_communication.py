"""Communication through the FHIR API: Ida writes to her school (recipient its
HealthcareService), Kari answers with inResponseTo, each reads and searches by subject and
recipient; Per acting for Sara, and a nurse elsewhere, get the unknown id's 404; a
partner sees Nora's messages only once she shares them; bad text is refused; every read
is in the access log. Same services and rules as the pages."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.healthcareservice import HealthcareService
from sqlmodel import col, select

from tests.fhir_client import API, FHIR_JSON, access_log, fhir, hidden, logged_in, outcome

CATEGORY = "urn:digihelse:message-category"


def _place_id(client, name: str) -> str:
    bundle = fhir(client.get(f"{API}/HealthcareService?_count=50"), Bundle)
    return next(e.resource.id for e in bundle.entry
                if isinstance(e.resource, HealthcareService) and e.resource.name.endswith(name))


def _me(client) -> str:
    bundle = fhir(client.get(f"{API}/Patient"), Bundle)
    return bundle.entry[0].resource.id


def _write(client, place: str, text: str, category: str | None = None, **extra):
    body = {"resourceType": "Communication", "status": "completed",
            "recipient": [{"reference": f"HealthcareService/{place}"}],
            "payload": [{"contentString": text}], **extra}
    if category:
        body["category"] = [{"coding": [{"system": CATEGORY, "code": category}]}]
    return client.post(f"{API}/Communication", json=body, headers=FHIR_JSON)


def _answer(client, to: str, text: str):
    return client.post(f"{API}/Communication", headers=FHIR_JSON, json={
        "resourceType": "Communication", "status": "completed",
        "inResponseTo": [{"reference": f"Communication/{to}"}],
        "payload": [{"contentString": text}]})


def test_metadata_lists_communication(client):
    statement = fhir(client.get(f"{API}/metadata"), CapabilityStatement)
    found = next(r for r in statement.rest[0].resource if r.type == "Communication")
    assert {i.code for i in found.interaction} == {"read", "search-type", "create"}
    assert {p.name for p in found.searchParam} >= {"subject", "recipient"}


def test_ida_writes_kari_answers_and_both_search(fhir_api):
    ida = logged_in(fhir_api, "Ida")
    school = _place_id(ida, "Fjordvik ungdomsskole")
    first = fhir(_write(ida, school, "Kan jeg komme innom?", "feelings"), Communication, 201)
    assert first.recipient[0].reference == f"HealthcareService/{school}"
    assert first.subject.reference == f"Patient/{_me(ida)}"
    assert first.payload[0].contentString == "Kan jeg komme innom?"
    assert first.category[0].coding[0].code == "feelings"

    kari = logged_in(fhir_api, "Kari", personnel=True)
    to_school = fhir(kari.get(f"{API}/Communication?recipient=HealthcareService/{school}"),
                     Bundle)
    assert first.id in {e.resource.id for e in to_school.entry}
    answer = fhir(_answer(kari, first.id, "Ja, kom i storefri."), Communication, 201)
    assert answer.recipient[0].reference == first.subject.reference
    assert answer.sender.identifier.value == "9100001"  # her HPR number
    # The same conversation; it answers the message before it (hers, or the place's
    # out-of-office reply when nobody is at work as the test runs).
    assert answer.identifier[0].value == first.identifier[0].value
    assert int(answer.inResponseTo[0].reference.split("/")[1]) >= int(first.id)

    mine = fhir(ida.get(f"{API}/Communication?subject={first.subject.reference}"), Bundle)
    texts = [e.resource.payload[0].contentString for e in mine.entry if e.resource.payload]
    assert "Kan jeg komme innom?" in texts and "Ja, kom i storefri." in texts
    to_me = fhir(ida.get(f"{API}/Communication?recipient={first.subject.reference}"), Bundle)
    assert {e.resource.id for e in to_me.entry} >= {answer.id}
    assert first.id not in {e.resource.id for e in to_me.entry}
    read = fhir(ida.get(f"{API}/Communication/{answer.id}"), Communication)
    assert read.payload[0].contentString == "Ja, kom i storefri."
    rows = [r for r in access_log() if r.object_type == "conversation" and r.channel == "api"]
    assert {r.actor_role for r in rows} >= {"citizen", "school_nurse"}
    assert all(r.hidden_from_parents for r in rows)


def test_parents_and_other_places_get_the_unknown_ids_404(fhir_api):
    sara = logged_in(fhir_api, "Sara")
    school = _place_id(sara, "Fjordvik ungdomsskole")
    secret = fhir(_write(sara, school, "Hemmelig spørsmål"), Communication, 201)
    per = logged_in(fhir_api, "Per")
    unknown = per.get(f"{API}/Communication/999999")
    hidden(per.get(f"{API}/Communication/{secret.id}"), unknown)
    found = fhir(per.get(f"{API}/Communication?subject={secret.subject.reference}"), Bundle)
    assert not found.entry
    mona = logged_in(fhir_api, "Mona", personnel=True)
    hidden(mona.get(f"{API}/Communication/{secret.id}"),
           mona.get(f"{API}/Communication/999999"))
    assert _answer(per, secret.id, "Hei").status_code == 404
    assert _write(per, school, "Hei", subject={"reference": secret.subject.reference}
                  ).status_code == 404


def test_a_partner_reads_only_what_nora_shares(fhir_api):
    from digihelse.access.actors import Actor
    from digihelse.core import db
    from digihelse.core.timeutil import today_oslo
    from digihelse.messages import service
    from digihelse.people.models import Fullmakt, Person

    nora = logged_in(fhir_api, "Nora")
    station = _place_id(nora, "Fjordvik helsestasjon")
    sent = fhir(_write(nora, station, "Spørsmål om vekten", "card"), Communication, 201)
    assert sent.category[0].coding[0].code == "card"
    with db.write_session() as s:
        women = {p.given_name: p for p in s.exec(select(Person).where(
            col(Person.given_name).in_(["Nora", "Jon"])))}
        s.add(Fullmakt(giver_id=women["Nora"].id, receiver_id=women["Jon"].id,
                       scope="pregnancy", valid_from=today_oslo()))
        nora_pid = women["Nora"].nin
    jon = logged_in(fhir_api, "Jon")
    hidden(jon.get(f"{API}/Communication/{sent.id}"), jon.get(f"{API}/Communication/999999"))
    conversation = int(sent.identifier[0].value)
    service.share_with_proxy(db.get_engine(), Actor(nora_pid, "citizen", "Nora Lie"),
                             conversation, True)
    seen = fhir(jon.get(f"{API}/Communication/{sent.id}"), Communication)
    assert seen.payload[0].contentString == "Spørsmål om vekten"
    assert _answer(jon, sent.id, "Hei fra Jon").status_code == 404  # read only


def test_bad_text_and_bad_bodies_are_refused(fhir_api):
    ida = logged_in(fhir_api, "Ida")
    school = _place_id(ida, "Fjordvik ungdomsskole")
    assert outcome(_write(ida, school, "hei\x1b[2J"), 400).issue[0].code == "invalid"
    assert outcome(_write(ida, school, "x" * 2001), 400).issue[0].code == "invalid"
    outcome(ida.post(f"{API}/Communication", headers=FHIR_JSON,
                     json={"resourceType": "Communication", "status": "completed"}), 400)
    outcome(_write(ida, "999999", "Hei"), 404)
    kari = logged_in(fhir_api, "Kari", personnel=True)
    outcome(_write(kari, school, "Hei"), 422)
