"""The card service over the seeded registry: who may see and write what, versioning with
its author, the access log, hiding from proxies, and drafts kept on refusal."""

import datetime as dt

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import func, select

from digihelse.access.actors import AccessDenied
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service
from digihelse.healthcard.models import CardVersion, Consultation, PregnancyRecord
from digihelse.healthcard.service import CardExists, StaleEdit, ValidationFailed
from digihelse.healthcard.validation import (
    FetusDraft,
    LabDraft,
    PregnancyDraft,
)
from tests.factories import citizen, give_fullmakt, staff, visit


def log_rows(engine, **match) -> list[AccessLog]:
    with db.session(engine) as s:
        return list(s.exec(select(AccessLog).filter_by(**match).order_by(AccessLog.id)).all())


def count(engine, model) -> int:
    with db.session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def people(engine, seeded):
    return {
        "nora": seeded["nora"], "maja": seeded["maja"], "jon": seeded["jon"],
        "tor": seeded["tor"], "ella": seeded["ella"],
        "lise": staff(engine, seeded["lise"]), "ole": staff(engine, seeded["ole"]),
        "kari": staff(engine, seeded["kari"]),
    }


# --- Reading and writing --------------------------------------------------------------------

def test_lise_records_a_consultation_and_nora_sees_it_with_its_week(engine, people):
    nora = people["nora"]
    row = service.record_consultation(engine, people["lise"], nora.nin, visit())
    assert row.id is not None and row.ga_days == 27 * 7 + 3
    card = service.get_card(engine, citizen(nora), nora.nin)
    assert card.relation == "self" and not card.can_edit and card.can_write_notes
    assert card.overview.ga_today_text == "27+3"
    assert card.overview.due_date == today_oslo() + dt.timedelta(days=88)
    assert card.overview.dating_method == "lmp" and card.overview.dating_key == "card.dating.lmp"
    assert card.overview.midwife.name == "Lise Haugen"
    assert card.overview.gp.name == "Ole Strand"
    [shown] = card.timeline
    assert (shown.ga_text, shown.bp_systolic, shown.sf_height_cm) == ("27+3", 118, 27.5)
    assert shown.fetuses[0].heart_rate == 142 and shown.author.hpr_number == "9100004"
    # The consultation today falls in the week-28 window (26+0-29+6): that visit is done.
    done = [item.key for item in card.schedule if item.done]
    assert done == ["w28"]
    assert card.overview.next_consultation.key == "w32"
    assert [p.ga_text for p in card.charts.sf.points] == ["27+3"]
    assert card.charts.bp.systolic_limit == 140
    assert "INTERGROWTH" in card.charts.sf.source


def test_the_timeline_is_newest_first(engine, people):
    nora, lise = people["nora"], people["lise"]
    today = today_oslo()
    service.record_consultation(engine, lise, nora.nin,
                                visit(held_on=today - dt.timedelta(days=28),
                                      sf_height_cm=24.0))
    service.record_consultation(engine, lise, nora.nin, visit())
    card = service.get_card(engine, lise, nora.nin)
    assert [c.ga_text for c in card.timeline] == ["27+3", "23+3"]
    assert [p.ga_text for p in card.charts.sf.points] == ["23+3", "27+3"]
    assert card.can_edit and card.relation == "personnel"


def test_a_refused_draft_writes_nothing(engine, people):
    nora = people["nora"]
    before = (count(engine, Consultation), count(engine, CardVersion), count(engine, AccessLog))
    with pytest.raises(ValidationFailed) as refused:
        service.record_consultation(engine, people["lise"], nora.nin,
                                    visit(bp_systolic=300, bp_diastolic=20, weight_kg=5,
                                          sf_height_cm=80))
    assert refused.value.errors == {"bp_systolic": "card.error.bp_systolic_range",
                                    "bp_diastolic": "card.error.bp_diastolic_range",
                                    "weight_kg": "card.error.weight_range",
                                    "sf_height_cm": "card.error.sf_range"}
    assert refused.value.message_key == "card.error.validation"
    after = (count(engine, Consultation), count(engine, CardVersion), count(engine, AccessLog))
    assert after == before


# --- Who may ------------------------------------------------------------------------------

def test_kari_a_school_nurse_is_refused(engine, people):
    nora, kari = people["nora"], people["kari"]
    with pytest.raises(AccessDenied) as refused:
        service.get_card(engine, kari, nora.nin)
    assert refused.value.code == "role_not_permitted"
    with pytest.raises(AccessDenied):
        service.record_consultation(engine, kari, nora.nin, visit())
    with pytest.raises(AccessDenied):
        service.my_women(engine, kari)
    denied = log_rows(engine, subject_pid=nora.nin, outcome="denied")
    assert [row.actor_pid for row in denied] == [kari.pid, kari.pid]
    assert count(engine, Consultation) == 0


def test_tor_never_sees_his_17_year_old_daughters_card(engine, people):
    maja, tor = people["maja"], people["tor"]
    with pytest.raises(AccessDenied) as refused:
        service.get_card(engine, citizen(tor, maja), maja.nin)
    assert refused.value.code == "card_personal"
    # Maja herself reads it, and the card's log rows are never shown to parents.
    card = service.get_card(engine, citizen(maja), maja.nin)
    assert card.overview.ga_today_text == "20+1"
    ok_rows = log_rows(engine, subject_pid=maja.nin, outcome="ok")
    assert ok_rows and all(row.hidden_from_parents for row in ok_rows)


def test_jon_with_fullmakt_views_but_does_not_edit_and_misses_what_nora_hid(engine, people):
    nora, jon, lise = people["nora"], people["jon"], people["lise"]
    give_fullmakt(engine, nora, jon)
    as_jon = citizen(jon, nora)
    today = today_oslo()
    earlier = service.record_consultation(
        engine, lise, nora.nin, visit(held_on=today - dt.timedelta(days=14), note="Samtale"))
    shown = service.record_consultation(engine, lise, nora.nin, visit())
    service.add_own_note(engine, citizen(nora), nora.nin, "Kan jeg fly i uke 30?")
    private = service.add_own_note(engine, citizen(nora), nora.nin, "Bare til jordmor",
                                   hidden_from_proxy=True)
    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "consultation", earlier.id)

    card = service.get_card(engine, as_jon, nora.nin)
    assert card.relation == "fullmakt" and not card.can_edit and not card.can_write_notes
    assert [c.id for c in card.timeline] == [shown.id]
    # Her notes are between her and her carers: Jon sees none, hidden or not.
    assert card.notes == () and private.id is not None
    # Earlier pregnancies are hidden from proxies until Nora shows them.
    assert card.background.previous_pregnancies is None
    assert card.background.health == {}
    # The schedule still counts the hidden consultation: "done" tells nothing of it.
    assert sum(item.done for item in card.schedule) == 2

    with pytest.raises(AccessDenied):
        service.record_consultation(engine, as_jon, nora.nin, visit())
    with pytest.raises(AccessDenied):
        service.add_own_note(engine, as_jon, nora.nin, "Hei")
    with pytest.raises(AccessDenied):
        service.set_hidden_from_proxy(engine, as_jon, nora.nin, "consultation", earlier.id,
                                      hidden=False)

    # Nora, her midwife: everything.
    for viewer in (citizen(nora), lise):
        full = service.get_card(engine, viewer, nora.nin)
        assert {c.id for c in full.timeline} == {earlier.id, shown.id}
        assert len(full.notes) == 2 and full.background.previous_pregnancies == {}

    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section",
                                  "previous_pregnancies", hidden=False)
    assert service.get_card(engine, as_jon, nora.nin).background.previous_pregnancies == {}
    # Nor does the history show him what is hidden.
    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section", "health")
    assert service.get_card(engine, as_jon, nora.nin).background.health is None
    changes = service.history(engine, as_jon, nora.nin)
    assert earlier.id not in {e.entity_id for e in changes if e.entity == "consultation"}
    assert not [e for e in changes if e.entity == "own_note"]  # nor that she wrote any
    for entry in changes:
        assert not {"health", "hidden_sections"} & {c.field for c in entry.changes}
    assert {e.entity_id for e in changes if e.entity == "consultation"} == {shown.id}
    # Jon's reads are logged as on Nora's behalf.
    jon_rows = log_rows(engine, actor_pid=jon.nin, outcome="ok")
    assert jon_rows and all(row.on_behalf_of_pid == nora.nin for row in jon_rows)


def test_only_the_woman_hides_items(engine, people):
    nora, lise = people["nora"], people["lise"]
    row = service.record_consultation(engine, lise, nora.nin, visit())
    with pytest.raises(AccessDenied):
        service.set_hidden_from_proxy(engine, lise, nora.nin, "consultation", row.id)
    with pytest.raises(service.ItemNotFound):
        service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section", "diary")


def test_a_fullmakt_for_another_service_does_not_open_the_card(engine, people):
    nora, jon = people["nora"], people["jon"]
    give_fullmakt(engine, nora, jon, scope="basic")
    with pytest.raises(AccessDenied) as refused:
        service.get_card(engine, citizen(jon, nora), nora.nin)
    assert refused.value.code == "fullmakt_scope"


# --- The access log -------------------------------------------------------------------------

def test_every_view_and_every_change_is_logged(engine, people):
    nora, lise = people["nora"], people["lise"]
    start = count(engine, AccessLog)
    row = service.record_consultation(engine, lise, nora.nin, visit())
    service.get_card(engine, lise, nora.nin)
    service.get_card(engine, citizen(nora), nora.nin)
    service.edit_consultation(engine, lise, nora.nin, row.id, visit(weight_kg=72.9),
                              "Feil vekt")
    service.add_own_note(engine, citizen(nora), nora.nin, "Spørsmål om jern")
    service.history(engine, citizen(nora), nora.nin)
    service.my_women(engine, lise)
    rows = log_rows(engine, subject_pid=nora.nin)[-(count(engine, AccessLog) - start):]
    assert [(r.action, r.object_type, r.actor_pid) for r in rows] == [
        ("create", "consultation", lise.pid),
        ("read", "pregnancy_record", lise.pid),
        ("read", "pregnancy_record", nora.nin),
        ("update", "consultation", lise.pid),
        ("create", "own_note", nora.nin),
        ("read", "history", nora.nin),
        ("read", "pregnancy_list", lise.pid),
    ]
    assert all(r.outcome == "ok" and r.detail == "pregnancy" for r in rows)
    assert rows[0].actor_hpr == "9100004" and rows[0].object_id == str(row.id)
    # my_women also logged Maja's line.
    assert log_rows(engine, subject_pid=people["maja"].nin, object_type="pregnancy_list")
    with db.session(engine) as s:
        assert verify(s).ok


# --- Editing and history --------------------------------------------------------------------

def test_an_edit_without_a_reason_is_refused(engine, people):
    nora, lise = people["nora"], people["lise"]
    row = service.record_consultation(engine, lise, nora.nin, visit())
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            service.edit_consultation(engine, lise, nora.nin, row.id, visit(weight_kg=80),
                                      reason)
        assert refused.value.errors == {"reason": "card.error.reason_required"}
    # Reason and values are checked together, so the form shows both at once.
    with pytest.raises(ValidationFailed) as refused:
        service.edit_consultation(engine, lise, nora.nin, row.id, visit(weight_kg=5), "")
    assert set(refused.value.errors) == {"reason", "weight_kg"}
    card = service.get_card(engine, lise, nora.nin)
    assert card.timeline[0].weight_kg == 72.4 and card.timeline[0].version == 1


def test_history_lists_versions_with_author_hpr_and_reason(engine, people):
    nora, lise, ole = people["nora"], people["lise"], people["ole"]
    row = service.record_consultation(engine, lise, nora.nin, visit())
    service.edit_consultation(engine, ole, nora.nin, row.id,
                              visit(fetuses=(FetusDraft(1, 150, "breech", True),)),
                              "Fosterleie kontrollert på nytt", expected_version=1)
    entries = service.history(engine, citizen(nora), nora.nin)
    mine = [e for e in entries if e.entity == "consultation" and e.entity_id == row.id]
    assert [e.version for e in mine] == [2, 1]  # newest first
    update, create = mine
    assert (create.author.name, create.author.hpr_number, create.author.role) == (
        "Lise Haugen", "9100004", "midwife")
    assert create.author.organisation == "Fjordvik kommune, jordmortjenesten"
    assert create.action == "create" and create.reason is None
    assert (update.author.name, update.author.hpr_number) == ("Ole Strand", "9100005")
    assert update.reason == "Fosterleie kontrollert på nytt"
    assert [c.field for c in update.changes] == ["fetuses"]
    assert update.changes[0].after == [{"fetus_no": 1, "heart_rate": 150,
                                        "presentation": "breech", "movements": True}]


def test_a_stale_form_is_refused(engine, people):
    nora, lise = people["nora"], people["lise"]
    row = service.record_consultation(engine, lise, nora.nin, visit())
    service.edit_consultation(engine, lise, nora.nin, row.id, visit(weight_kg=73), "Retting",
                              expected_version=1)
    with pytest.raises(StaleEdit):
        service.edit_consultation(engine, people["ole"], nora.nin, row.id,
                                  visit(weight_kg=74), "Retting", expected_version=1)


def test_versions_are_append_only(engine, people):
    nora = people["nora"]
    service.record_consultation(engine, people["lise"], nora.nin, visit())
    with pytest.raises(DatabaseError), db.write_session(engine) as s:
        version = s.exec(select(CardVersion)).first()
        version.reason = "rewritten"
        s.add(version)
        s.flush()


def test_a_new_due_date_from_ultrasound_moves_the_weeks(engine, people):
    nora, lise = people["nora"], people["lise"]
    row = service.record_consultation(engine, lise, nora.nin, visit())
    with db.session(engine) as s:
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == nora.id,
                                                      PregnancyRecord.active)).one()
    draft = service.draft_of(record)
    # The routine scan nine weeks ago: the hospital's eSnurra report gives its own due date;
    # the BPD typed beside it (46 mm) is the app's cross-check only (Hadlock: 19+6, which
    # puts the due date 2 days after the hospital's).
    scan_day = today_oslo() - dt.timedelta(days=63)
    hospital_due = scan_day + dt.timedelta(days=283 - 139 - 2)
    assert hospital_due != record.due_date
    changed = PregnancyDraft(**{**draft.__dict__, "scan_date": scan_day,
                                "due_date_ultrasound": hospital_due,
                                "scan_method": "bpd", "scan_mm": 46.0})
    with pytest.raises(ValidationFailed):
        service.update_pregnancy(engine, lise, nora.nin, changed, " ")
    updated = service.update_pregnancy(engine, lise, nora.nin, changed, "Rutineultralyd",
                                       expected_version=1)
    assert updated.dating_method == "ultrasound" and updated.version == 2
    assert updated.due_date == hospital_due  # recorded as the hospital gave it
    assert updated.due_date_lmp == record.due_date_lmp  # the period date stays on the card
    card = service.get_card(engine, citizen(nora), nora.nin)
    assert card.overview.dating_method == "ultrasound"
    assert card.overview.scan_date == scan_day and card.overview.cross_check is None
    expected = 280 - (card.overview.due_date - today_oslo()).days
    assert card.timeline[0].id == row.id and card.timeline[0].ga_days == expected
    # Lise sees the app's computation beside it, as a cross-check: 2 days later here.
    check = service.get_card(engine, lise, nora.nin).overview.cross_check
    assert check.computed.due_date == scan_day + dt.timedelta(days=283 - 139)
    assert check.difference_days == 2 and not check.differs
    assert check.recorded_due == hospital_due
    history = service.history(engine, lise, nora.nin)
    change = next(e for e in history if e.entity == "pregnancy_record")
    assert change.reason == "Rutineultralyd"
    assert {"due_date", "dating_method", "scan_mm"} <= {c.field for c in change.changes}
    # Saved again from its own form, the recorded date stays.
    with db.session(engine) as s:
        again = service.draft_of(s.get(PregnancyRecord, record.id))
    assert again.due_date_ultrasound == hospital_due and again.scan_mm == 46.0


def test_someone_with_fullmakt_sees_no_cross_check(engine, people):
    nora, lise, jon = people["nora"], people["lise"], people["jon"]
    give_fullmakt(engine, nora, jon)
    with db.session(engine) as s:
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == nora.id,
                                                      PregnancyRecord.active)).one()
    draft = service.draft_of(record)
    scan_day = today_oslo() - dt.timedelta(days=63)
    service.update_pregnancy(engine, lise, nora.nin, PregnancyDraft(**{
        **draft.__dict__, "scan_date": scan_day, "due_date_ultrasound": record.due_date,
        "scan_method": "bpd", "scan_mm": 40.0}), "Rutineultralyd")
    assert service.get_card(engine, citizen(jon), nora.nin).overview.cross_check is None
    check = service.get_card(engine, lise, nora.nin).overview.cross_check
    assert check.differs  # 40 mm is about a week less than the recorded date says


# --- Opening a card -------------------------------------------------------------------------

@pytest.mark.postgres
def test_a_second_active_card_is_refused(engine, people):
    nora = people["nora"]
    with pytest.raises(CardExists):
        service.create_card(engine, people["lise"], nora.nin,
                            PregnancyDraft(last_period=today_oslo() - dt.timedelta(days=60)))
    with db.session(engine) as s:
        assert len(s.exec(select(PregnancyRecord)
                          .where(PregnancyRecord.woman_id == nora.id)).all()) == 1


@pytest.mark.postgres
def test_the_database_refuses_a_second_active_card(engine, people):
    nora = people["nora"]
    with pytest.raises(DatabaseError), db.write_session(engine) as s:
        s.add(PregnancyRecord(woman_id=nora.id, active=True))
        s.flush()
    # An ended pregnancy stays beside the active one.
    with db.write_session(engine) as s:
        s.add(PregnancyRecord(woman_id=nora.id, active=False))


def test_lise_opens_a_card_for_ella(engine, people):
    ella, lise = people["ella"], people["lise"]
    lmp = today_oslo() - dt.timedelta(days=70)
    draft = PregnancyDraft(last_period=lmp, height_cm=165, weight_before_kg=60,
                           previous_pregnancies={"births": 0},
                           contacts={"birth_institution": "Fjordvik sykehus"})
    with pytest.raises(ValidationFailed) as refused:
        service.create_card(engine, lise, ella.nin, PregnancyDraft(height_cm=90))
    assert refused.value.errors["height_cm"] == "card.error.height_range"
    with pytest.raises(AccessDenied):
        service.create_card(engine, people["kari"], ella.nin, draft)
    record = service.create_card(engine, lise, ella.nin, draft, now=utcnow(),
                                 consent_in_person=True)
    assert record.midwife_id is not None and record.gp_id is None
    assert record.due_date == lmp + dt.timedelta(days=283)
    card = service.get_card(engine, citizen(ella), ella.nin)
    assert card.background.bmi == 22.0
    assert card.overview.ga_today_text == "9+4"  # 70 days since the period, minus 3
    [created] = service.history(engine, lise, ella.nin)
    assert created.action == "create" and created.author.hpr_number == "9100004"
    # Ole is not on Ella's card, but a GP in her municipality may not open a second one.
    with pytest.raises(CardExists):
        service.create_card(engine, people["ole"], ella.nin, draft)


def test_no_card_no_view(engine, people):
    ella = people["ella"]
    with pytest.raises(service.CardNotFound):
        service.get_card(engine, citizen(ella), ella.nin)
    with pytest.raises(AccessDenied):  # her carers are defined by the card
        service.get_card(engine, people["lise"], ella.nin)


# --- Notes, tests, the carer's list ---------------------------------------------------------

def test_the_midwife_sees_the_womans_questions(engine, people):
    nora, lise = people["nora"], people["lise"]
    service.add_own_note(engine, citizen(nora), nora.nin, "Hvor mye jern skal jeg ta?")
    with pytest.raises(ValidationFailed):
        service.add_own_note(engine, citizen(nora), nora.nin, "  ")
    with pytest.raises(AccessDenied):
        service.add_own_note(engine, lise, nora.nin, "Jordmor skriver ikke her")
    card = service.get_card(engine, lise, nora.nin)
    assert [(n.kind, n.text) for n in card.notes] == [("question", "Hvor mye jern skal jeg ta?")]
    [line] = [w for w in service.my_women(engine, lise) if w.pid == nora.nin]
    assert line.open_questions == 1


def test_my_women_lists_the_next_consultation_first(engine, people):
    lise, maja, nora = people["lise"], people["maja"], people["nora"]
    lines = service.my_women(engine, lise)
    # Maja (20+1) is inside the week-18 window, Nora (27+3) inside the week-28 one, which
    # opened later.
    assert [w.name for w in lines] == ["Maja Eriksen", "Nora Lie"]
    assert [w.next_consultation.key for w in lines] == ["w18", "w28"]
    assert lines[0].age == 17 and lines[0].ga_text == "20+1" and lines[0].role == "midwife"
    service.record_consultation(engine, lise, maja.nin, visit(sf_height_cm=19.5))
    lines = service.my_women(engine, lise)
    assert [w.pid for w in lines] == [nora.nin, maja.nin]
    assert lines[1].next_consultation.key == "w24"
    assert lines[1].last_consultation == today_oslo()
    assert {w.role for w in service.my_women(engine, people["ole"])} == {"gp"}


def test_lab_results_and_the_rhd_negative_follow_up(engine, people):
    nora, lise = people["nora"], people["lise"]
    day = today_oslo() - dt.timedelta(days=120)
    service.record_lab_result(engine, lise, nora.nin, LabDraft("blood_type", day, "O"))
    service.record_lab_result(engine, lise, nora.nin, LabDraft("rhd", day, "neg"))
    hb = service.record_lab_result(engine, lise, nora.nin, LabDraft("hb_first", day, "12,1"))
    assert (hb.value_num, hb.unit) == (12.1, "g/dL")
    with pytest.raises(ValidationFailed):
        service.record_lab_result(engine, lise, nora.nin, LabDraft("hb_third", day, "121"))
    service.record_lab_result(engine, lise, nora.nin,
                              LabDraft("fetal_rhd", today_oslo() - dt.timedelta(days=20),
                                       "pos"))
    card = service.get_card(engine, citizen(nora), nora.nin)
    assert [lab.kind for lab in card.lab_results][:3] == ["blood_type", "rhd", "hb_first"]
    assert card.overview.rhd_negative
    fetal, prophylaxis = card.overview.rhd_followup
    assert fetal.done_on is not None and fetal.result == "pos"
    assert prophylaxis.done_on is None
    assert prophylaxis.due_on == card.overview.due_date - dt.timedelta(days=12 * 7)
    service.edit_lab_result(engine, lise, nora.nin, hb.id,
                            LabDraft("hb_first", day, "12,4"), "Skrivefeil")
    assert service.get_card(engine, lise, nora.nin).lab_results[2].value_num == 12.4


def test_nora_rewrites_and_deletes_her_note_and_the_log_keeps_both(engine, people):
    nora, lise = people["nora"], people["lise"]
    note = service.add_own_note(engine, citizen(nora), nora.nin, "Kan jeg fly?")
    with pytest.raises(AccessDenied):  # only she changes her notes
        service.edit_own_note(engine, lise, nora.nin, note.id, "Endret av jordmor")
    service.edit_own_note(engine, citizen(nora), nora.nin, note.id, "Kan jeg fly i uke 30?")
    assert [n.text for n in service.get_card(engine, lise, nora.nin).notes] == \
        ["Kan jeg fly i uke 30?"]
    with pytest.raises(ValidationFailed):
        service.edit_own_note(engine, citizen(nora), nora.nin, note.id, "   ")
    service.delete_own_note(engine, citizen(nora), nora.nin, note.id)
    assert service.get_card(engine, citizen(nora), nora.nin).notes == ()
    with pytest.raises(service.ItemNotFound):
        service.delete_own_note(engine, citizen(nora), nora.nin, note.id)
    # Her next note gets a new id, never the deleted one's (its versions stay).
    again = service.add_own_note(engine, citizen(nora), nora.nin, "Og i uke 32?")
    assert again.id != note.id
    actions = [e.action for e in service.history(engine, lise, nora.nin)
               if e.entity == "own_note" and e.entity_id == note.id]
    assert actions == ["delete", "update", "create"]
