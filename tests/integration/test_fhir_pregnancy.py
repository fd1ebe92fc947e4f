"""The pregnancy card over FHIR: EpisodeOfCare and the measurements as Observations with
their LOINC codes, for the woman, her midwife, and nobody else."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.observation import Observation

from tests.fhir_client import (
    API,
    access_log,
    fhir,
    hidden,
    logged_in,
    outcome,
    patient_id,
)

LOINC = "http://loinc.org"
WEIGHT, BP, FUNDAL, GA = "29463-7", "85354-9", "11881-0", "18185-9"
SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"


def _code(observation: Observation) -> str:
    coding = observation.code.coding[0]
    assert coding.system == LOINC
    return coding.code


def test_the_woman_reads_her_measurements_with_loinc_codes(fhir_api):
    nora = logged_in(fhir_api, "Nora")
    me = patient_id(nora, "Nora")
    bundle = fhir(nora.get(f"{API}/Observation?_count=100"), Bundle)
    observations = [e.resource for e in bundle.entry]
    codes = {_code(o) for o in observations}
    assert {WEIGHT, BP, GA} <= codes <= {WEIGHT, BP, FUNDAL, GA}
    assert all(o.subject.reference == f"Patient/{me}" for o in observations)
    for observation in observations:
        code = _code(observation)
        if code == WEIGHT:
            assert (observation.valueQuantity.code, observation.valueQuantity.system) == (
                "kg", "http://unitsofmeasure.org")
        if code == BP:
            assert observation.valueQuantity is None
            assert {c.code.coding[0].code for c in observation.component} == {SYSTOLIC,
                                                                               DIASTOLIC}
            assert all(c.valueQuantity.code == "mm[Hg]" for c in observation.component)
        if code == FUNDAL:
            assert observation.valueQuantity.code == "cm"
        if code == GA:
            assert observation.valueQuantity.code == "d"
    pressure = fhir(nora.get(f"{API}/Observation?code={LOINC}|{BP}"), Bundle)
    assert pressure.total and {_code(e.resource) for e in pressure.entry} == {BP}
    vital = fhir(nora.get(f"{API}/Observation?category=vital-signs&_count=100"), Bundle)
    assert {_code(e.resource) for e in vital.entry} == {WEIGHT, BP}
    one = pressure.entry[0].resource
    assert fhir(nora.get(f"{API}/Observation/{one.id}"), Observation).id == one.id
    outcome(nora.get(f"{API}/Observation/999999-weight"), 404)


def test_episode_of_care_is_the_active_card(fhir_api):
    nora = logged_in(fhir_api, "Nora")
    me = patient_id(nora, "Nora")
    bundle = fhir(nora.get(f"{API}/EpisodeOfCare?patient=Patient/{me}"), Bundle)
    [entry] = bundle.entry
    assert entry.resource.patient.reference == f"Patient/{me}"
    episode = fhir(nora.get(f"{API}/EpisodeOfCare/{entry.resource.id}"), EpisodeOfCare)
    assert episode.status == "active" and episode.careManager.display == "Lise Haugen"
    # A pupil without a card has no episode, and is told so with an empty Bundle.
    noah = logged_in(fhir_api, "Noah")
    assert fhir(noah.get(f"{API}/EpisodeOfCare"), Bundle).total == 0


def test_a_parent_never_sees_his_17_year_olds_card(fhir_api):
    maja = patient_id(logged_in(fhir_api, "Maja"), "Maja")
    tor = logged_in(fhir_api, "Tor")
    before = len(access_log())
    observations = tor.get(f"{API}/Observation?patient=Patient/{maja}")
    episodes = tor.get(f"{API}/EpisodeOfCare?patient=Patient/{maja}")
    rows = access_log()[before:]
    # He learns nothing: the answers are those for a patient who does not exist.
    hidden(observations, tor.get(f"{API}/Observation?patient=Patient/999999"))
    hidden(episodes, tor.get(f"{API}/EpisodeOfCare?patient=Patient/999999"))
    assert rows and all((r.outcome, r.channel) == ("denied", "api") for r in rows)


def test_the_midwife_reads_her_patients_card_and_every_view_is_logged(fhir_api):
    nora = patient_id(logged_in(fhir_api, "Nora"), "Nora")
    lise = logged_in(fhir_api, "Lise", personnel=True)
    outcome(lise.get(f"{API}/Observation"), 400)  # personnel name the patient
    before = len(access_log())
    bundle = fhir(lise.get(f"{API}/Observation?patient=Patient/{nora}&code={WEIGHT}"), Bundle)
    assert bundle.total and all(_code(e.resource) == WEIGHT for e in bundle.entry)
    [row] = access_log()[before:]
    assert (row.actor_role, row.channel, row.object_type, row.action) == (
        "midwife", "api", "pregnancy_record", "read")
    # A school nurse has no care relation to the card.
    kari = logged_in(fhir_api, "Kari", personnel=True)
    hidden(kari.get(f"{API}/Observation?patient=Patient/{nora}"),
           kari.get(f"{API}/Observation?patient=Patient/999999"))
