"""The card as a Maternity Record document (healthcard/maternity_record.py): its sections and
codes, who may export it (with the card's log row), and the round trip: export, import into
an empty database, the same card and the same history."""

import copy
import datetime as dt
import json
import shutil
from dataclasses import asdict, replace

import pytest
from sqlmodel import select

from digihelse.access.actors import AccessDenied
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import maternity_record as mr
from digihelse.healthcard import service
from digihelse.healthcard.birth_plan import BirthPlanDraft, save_birth_plan
from digihelse.healthcard.consent import consent_status, give_consent
from digihelse.healthcard.home_readings import (
    add_home_reading,
    delete_home_reading,
    edit_home_reading,
)
from digihelse.healthcard.models import CardVersion, PregnancyRecord
from digihelse.healthcard.validation import HomeReadingDraft, LabDraft
from digihelse.people.models import Person, Personnel
from tests.factories import citizen, give_fullmakt, staff, visit
from tests.unit.healthcard.card_lists import LISTS


@pytest.fixture
def people(engine, seeded):
    return {"nora": seeded["nora"], "jon": seeded["jon"], "tor": seeded["tor"],
            "maja": seeded["maja"], "lise": staff(engine, seeded["lise"]),
            "kari": staff(engine, seeded["kari"]), "ole": staff(engine, seeded["ole"])}


def fill_card(engine, people) -> None:
    """Nora's card with something in every section and a history with every kind of change."""
    nora, lise = people["nora"], people["lise"]
    form = service.pregnancy_form(engine, lise, nora.nin)
    draft = replace(form.draft, height_cm=168.0, weight_before_kg=62.0,
                    previous_pregnancies={"births": 1, "terminations": 1, "notes": "Rask"},
                    health={"illnesses": "Astma som barn", "allergies": "Pollen",
                            "folate": True},
                    lifestyle={"first": {"smoking": "no", "snus": "stopped",
                                         "alcohol": "no", "substances": "no"},
                               "w36": {"smoking": "no"}}, **LISTS)
    service.update_pregnancy(engine, lise, nora.nin, draft, "Første konsultasjon",
                             expected_version=form.version)
    today = today_oslo()
    early = service.record_consultation(engine, lise, nora.nin,
                                        visit(held_on=today - dt.timedelta(days=21),
                                              sf_height_cm=24.0, note="Samtale"))
    service.record_consultation(engine, lise, nora.nin, visit())
    service.record_lab_result(engine, lise, nora.nin,
                              LabDraft("rhd", today - dt.timedelta(days=60), "neg"))
    lab = service.record_lab_result(engine, lise, nora.nin,
                                    LabDraft("hb_first", today - dt.timedelta(days=60), "12,1"))
    service.edit_lab_result(engine, lise, nora.nin, lab.id,
                            LabDraft("hb_first", today - dt.timedelta(days=60), "12,4"),
                            "Skrivefeil")
    service.record_lab_result(engine, lise, nora.nin, LabDraft("fetal_rhd", today, "pos"))
    me = citizen(nora)
    service.add_own_note(engine, me, nora.nin, "Kan jeg fly i uke 30?")
    gone = service.add_own_note(engine, me, nora.nin, "Skrevet feil")
    service.add_own_note(engine, me, nora.nin, "Bare til jordmor", hidden_from_proxy=True)
    service.delete_own_note(engine, me, nora.nin, gone.id)
    # Her readings at home: one kept, one corrected, the newest deleted (its id never
    # comes back: migration 0022).
    add_home_reading(engine, me, nora.nin, HomeReadingDraft(
        measured_at=utcnow() - dt.timedelta(days=2), bp_systolic=145, bp_diastolic=95))
    fixed = add_home_reading(engine, me, nora.nin, HomeReadingDraft(
        measured_at=utcnow() - dt.timedelta(days=1), weight_kg=70.0))
    edit_home_reading(engine, me, nora.nin, fixed.id, HomeReadingDraft(
        measured_at=utcnow() - dt.timedelta(days=1), weight_kg=70.5))
    wrong = add_home_reading(engine, me, nora.nin, HomeReadingDraft(
        measured_at=utcnow(), weight_kg=71.0))
    delete_home_reading(engine, me, nora.nin, wrong.id)
    give_consent(engine, me, nora.nin)
    service.set_hidden_from_proxy(engine, me, nora.nin, "consultation", early.id)
    service.set_hidden_from_proxy(engine, me, nora.nin, "section", "health")
    save_birth_plan(engine, me, nora.nin, BirthPlanDraft(pain_relief=("epidural",),
                                                         companions="Jon", feeding="breast"))


# --- The document -------------------------------------------------------------------------

def test_the_document_has_every_section_of_the_national_record(engine, people):
    fill_card(engine, people)
    nora = people["nora"]
    document = mr.export_record(engine, citizen(nora), nora.nin)
    assert set(mr.SECTIONS) <= set(document)
    assert document["resourceType"] == "MaternityRecord" and document["format"]["version"] == 1
    assert document["mother"]["identifier"] == {"system": mr.FNR_SYSTEM, "value": nora.nin}
    json.dumps(document)  # plain JSON all through
    [condition] = document["medicalConditions"]["entries"]
    assert condition["code"] == {"system": "urn:oid:2.16.578.1.12.4.1.1.7110",
                                 "code": "E03.9", "display": "Lavt stoffskifte"}
    [medicine] = document["medication"]["entries"]
    assert medicine["code"]["system"] == "urn:oid:2.16.578.1.12.4.1.1.7180"
    assert document["medication"]["folicAcid"] is True
    [genetic] = document["geneticDisorders"]["entries"]
    assert genetic["relation"] == {"system": "digihelse", "code": "partner"}
    # Her carers are named by HPR number, never by national id number.
    carer = next(p for p in document["pointsOfContact"] if p.get("responsibleForCard"))
    assert carer["hprNumber"] == {"system": mr.HPR_SYSTEM, "value": "9100004"}
    assert people["lise"].pid not in json.dumps(document)
    contact = next(p for p in document["pointsOfContact"] if not p.get("responsibleForCard"))
    assert contact["role"] == {"system": "digihelse", "code": "birth_institution"}
    assert document["lifestyleFactors"]["firstConsultation"]["snus"] == "stopped"
    assert document["lifestyleFactors"]["system"] == "digihelse"
    assert "OUR OWN" not in json.dumps(document) and "NOT an official" in \
        document["codeSystems"]["digihelse"]
    assert [x["valueCm"] for x in document["symphysisFundalHeights"]] == [24.0, 27.5]
    assert {t["kind"] for t in document["clinicalTests"]} == {"rhd", "hb_first"}
    assert document["rhesusDNegative"]["rhdNegative"] is True
    assert [t["kind"] for t in document["rhesusDNegative"]["followUp"]] == ["fetal_rhd"]
    assert document["vitalMeasurementsBeforePregnancy"]["bmi"] == 22.0
    assert document["extensions"]["birthPlan"]["companions"] == "Jon"
    assert len(document["extensions"]["ownNotes"]) == 2
    # Every change is an event with its author and time, in order.
    events = document["events"]
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    assert {e["action"] for e in events} >= {"create", "update", "hide", "delete"}
    edit = next(e for e in events if e["reason"] == "Skrivefeil")
    assert edit["author"] == {"name": "Lise Haugen", "role": "midwife",
                              "hprNumber": "9100004", "organisation": edit["author"][
                                  "organisation"]}
    assert dt.datetime.fromisoformat(edit["at"]).tzinfo is not None
    assert edit["snapshot"]["value"] == "12,4" and edit["snapshot"]["record_id"] == "$record"


def test_her_carers_and_she_export_it_others_get_the_refusal_of_no_card(engine, people):
    nora, lise, jon, tor, kari = (people[k] for k in ("nora", "lise", "jon", "tor", "kari"))
    give_fullmakt(engine, nora, jon)
    with db.session(engine) as s:
        before = s.exec(select(AccessLog.id).order_by(AccessLog.id.desc())).first() or 0
    mr.export_record(engine, lise, nora.nin)
    mr.export_record(engine, citizen(nora), nora.nin)
    with db.session(engine) as s:
        rows = list(s.exec(select(AccessLog).where(AccessLog.id > before)
                           .order_by(AccessLog.id)))
    # The same row as reading the card: read, pregnancy_record, hidden from parents.
    assert [(r.actor_role, r.action, r.object_type, r.outcome) for r in rows] == [
        ("midwife", "read", "pregnancy_record", "ok"),
        ("citizen", "read", "pregnancy_record", "ok")]
    assert all(r.subject_pid == nora.nin and r.hidden_from_parents for r in rows)
    # A partner with fullmakt reads her card on its page, as she allows; the document
    # is the whole card, so it is not his.
    with pytest.raises(service.CardNotFound):
        mr.export_record(engine, citizen(jon, nora), nora.nin)
    with pytest.raises(AccessDenied):
        mr.export_record(engine, kari, nora.nin)  # a school nurse: no care relation
    with pytest.raises(AccessDenied):
        mr.export_record(engine, citizen(tor, people["maja"]), people["maja"].nin)
    with db.session(engine) as s:
        denied = list(s.exec(select(AccessLog).where(AccessLog.outcome == "denied",
                                                     AccessLog.actor_pid == kari.pid)))
    assert denied
    with db.session(engine) as s:
        assert verify(s).ok


# --- Import and the round trip ------------------------------------------------------------

@pytest.fixture
def empty(sqlite_templates, tmp_path):
    """Another database, migrated and empty."""
    path = tmp_path / "target.db"
    shutil.copy(sqlite_templates["migrated"], path)
    eng = db.make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


def copy_registry(source, target, *keys_pids: str) -> None:
    """The persons (and health workers) the card names, as the target's registry has them."""
    with db.session(source) as s:
        persons = [s.exec(select(Person).where(Person.nin == pid)).one() for pid in keys_pids]
        workers = {p.nin: s.exec(select(Personnel).where(Personnel.person_id == p.id)).first()
                   for p in persons}
        rows = [(p.model_dump(exclude={"id", "municipality_id"}),
                 w.model_dump(exclude={"id", "person_id"}) if w else None)
                for p, w in ((p, workers[p.nin]) for p in persons)]
    with db.write_session(target) as s:
        for person, worker in rows:
            row = Person(**person)
            s.add(row)
            s.flush()
            if worker:
                s.add(Personnel(**worker, person_id=row.id))


def _ranks(document) -> dict[str, dict[str, int]]:
    ids: dict[str, set[str]] = {}
    for event in document["events"]:
        ids.setdefault(event["entity"], set()).add(event["entityId"])
    return {entity: {i: n for n, i in enumerate(sorted(found, key=int))}
            for entity, found in ids.items()}


def without_ids(document):
    """The document with each database id replaced by its item's place (the import keeps
    the order of the items, so the places are the same)."""
    d, ranks = copy.deepcopy(document), _ranks(document)
    d["id"], d["patient"] = "record", "patient"
    for item in d["antenatalAppointments"]:
        item["id"] = ranks["consultation"][item["id"]]
    for item in d["symphysisFundalHeights"]:
        item["appointmentId"] = ranks["consultation"][item["appointmentId"]]
    for item in [*d["clinicalTests"], *d["rhesusDNegative"]["followUp"]]:
        item["id"] = ranks["lab_result"][item["id"]]
    for item in d["extensions"]["ownNotes"]:
        item["id"] = ranks["own_note"][item["id"]]
    d["extensions"]["birthPlan"]["id"] = ranks["birth_plan"][d["extensions"]["birthPlan"]["id"]]
    for event in d["events"]:
        event["entityId"] = ranks[event["entity"]][event["entityId"]]
    return d


def _history(engine, actor, pid):
    rows = service.history(engine, actor, pid)
    return [(v.entity, v.version, v.action, v.at, v.author, v.reason,
             [(c.field, c.before, c.after) for c in v.changes if not c.field.endswith("_id")])
            for v in rows]


def _card(engine, actor, pid):
    card = asdict(service.get_card(engine, actor, pid))
    for key in ("record_id",):
        card.pop(key)
    for part in ("timeline", "lab_results", "notes"):
        for item in card[part]:
            item.pop("id")
    return card


def test_the_round_trip_gives_the_same_card_and_the_same_history(engine, people, empty):
    fill_card(engine, people)
    nora, lise = people["nora"], people["lise"]
    exported = mr.export_for_operator(engine, nora.nin)
    copy_registry(engine, empty, nora.nin, lise.pid, people["ole"].pid)
    done = mr.import_record(empty, json.loads(json.dumps(exported)))
    assert (done.woman_pid, done.woman_created, done.unlinked_carers) == (nora.nin, False, ())
    assert done.items == {"consultation": 2, "lab_result": 3, "own_note": 2, "birth_plan": 1,
                          "home_reading": 2}
    assert exported["extensions"]["consent"]["how"] == "app"
    assert consent_status(empty, citizen(nora), nora.nin).consented  # her consent came too
    assert done.events == len(exported["events"])
    again = mr.export_for_operator(empty, nora.nin)
    assert without_ids(again) == without_ids(exported)
    # The same card for her and her midwife, and the same history.
    for viewer in (citizen(nora), lise):
        assert _card(empty, viewer, nora.nin) == _card(engine, viewer, nora.nin)
        assert _history(empty, viewer, nora.nin) == _history(engine, viewer, nora.nin)
    with db.session(empty) as s:
        versions = s.exec(select(CardVersion)).all()
        assert all(v.author_pid in (nora.nin, lise.pid) for v in versions)
        # The import itself is logged (the reads above are the card's own rows).
        rows = s.exec(select(AccessLog).where(AccessLog.channel == "system")
                      .order_by(AccessLog.id)).all()
        assert [(r.action, r.object_type, r.actor_role, r.subject_pid) for r in rows] == [
            ("create", "pregnancy_record", "system", nora.nin),  # the import
            ("read", "pregnancy_record", "system", nora.nin)]  # the export after it


def test_a_second_active_card_is_refused_and_nothing_is_written(engine, people, empty):
    nora = people["nora"]
    exported = mr.export_for_operator(engine, nora.nin)
    first = mr.import_record(empty, exported)
    assert first.woman_created  # an empty registry: she is added as the document has her
    assert "9100004" in first.unlinked_carers  # Lise is not in its HPR list: not linked
    with pytest.raises(mr.ImportRefused) as refused:
        mr.import_record(empty, exported)
    assert "already has an active pregnancy card" in refused.value.message
    assert "Nothing was imported" in refused.value.message
    with db.session(empty) as s:
        assert len(s.exec(select(PregnancyRecord)).all()) == 1


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(resourceType="Patient"), "not a maternity record"),
    (lambda d: d["format"].update(version=2), "format version"),
    (lambda d: d["mother"]["identifier"].update(value="12345678901"), "national id number"),
    (lambda d: d["medication"]["entries"].append({"name": "", "dose": "1"}),
     "medications.1.name"),
    (lambda d: d["events"].append({**d["events"][0], "entity": "consent"}), "consent"),
])
def test_a_broken_document_is_refused_with_a_plain_message(engine, people, empty, change,
                                                             message):
    fill_card(engine, people)
    document = mr.export_for_operator(engine, people["nora"].nin)
    change(document)
    with pytest.raises(mr.ImportRefused) as refused:
        mr.import_record(empty, document)
    assert message in refused.value.message
    with db.session(empty) as s:
        assert s.exec(select(PregnancyRecord)).first() is None


# --- The command line -----------------------------------------------------------------------

@pytest.fixture
def use_database(monkeypatch):
    """Point the CLI at a database (DATABASE_URL), as an operator would."""
    from digihelse.core import settings as settings_module

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        settings_module.get_settings.cache_clear()

    yield use
    settings_module.get_settings.cache_clear()


def test_the_cli_exports_and_imports_a_card(engine, people, tmp_path, use_database, capsys):
    from digihelse import cli

    fill_card(engine, people)
    nora = people["nora"]
    out = tmp_path / "nora.json"
    use_database(str(engine.url))
    assert cli.main(["export-card", nora.nin, str(out)]) == 0
    assert "card written to" in capsys.readouterr().err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["mother"]["identifier"]["value"] == nora.nin
    assert cli.main(["export-card", nora.nin]) == 0  # to standard output
    assert json.loads(capsys.readouterr().out)["events"] == document["events"]
    assert cli.main(["export-card", people["jon"].nin]) == 1
    assert "no active pregnancy card" in capsys.readouterr().err
    # Into a new, empty database: migrated first, then the card with its history.
    use_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert cli.main(["import-card", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"card imported for {nora.nin}" in said and "she was added to the registry" in said
    assert "carers not in this database, not linked (HPR): 9100004" in said
    assert cli.main(["import-card", str(out)]) == 1
    assert "already has an active pregnancy card" in capsys.readouterr().err
    with db.session(db.get_engine()) as s:
        assert len(s.exec(select(CardVersion)).all()) == len(document["events"])
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert cli.main(["import-card", str(broken)]) == 2
    assert cli.main(["import-card"]) == 2


def test_a_document_cut_short_is_refused_and_nothing_is_written(engine, people, empty):
    fill_card(engine, people)
    document = mr.export_for_operator(engine, people["nora"].nin)
    del document["events"][0]["version"]
    with pytest.raises(mr.ImportRefused) as refused:
        mr.import_record(empty, document)
    assert "incomplete or malformed" in refused.value.message
    with db.session(empty) as s:
        assert s.exec(select(PregnancyRecord)).first() is None
        assert s.exec(select(Person)).first() is None  # she was not added either
