"""The access service over the seeded registry: who may act for whom, refusals that are
logged even when the caller rolls back, the "act for" switcher and the access log view."""

import datetime as dt
import time

import pytest
from sqlmodel import select

from digihelse.access import enforcement
from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.people.models import ParentChild, Person
from digihelse.people.nin import synthetic_nin
from tests.factories import citizen, give_fullmakt, staff

A = Action
YOUTH, BASIC, PREGNANCY = Service.YOUTH, Service.BASIC, Service.PREGNANCY






def decision(engine, actor: Actor, subject: Person, service: Service):
    with db.session(engine) as s:
        return enforcement.decide(s, actor, subject.nin, service)


def log_rows(engine, **match) -> list[AccessLog]:
    with db.session(engine) as s:
        return list(s.exec(select(AccessLog).filter_by(**match).order_by(AccessLog.id)).all())


# --- Parents ------------------------------------------------------------------------------

@pytest.mark.parametrize("child,level,allowed", [
    ("jonas", "full", {A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE,
                       A.VIEW_ACCESS_LOG}),
    ("emma", "full", {A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE,
                      A.VIEW_ACCESS_LOG}),
    ("sara", "limited", {A.VIEW_APPOINTMENTS}),
])
def test_per_in_the_family_service(engine, seeded, child, level, allowed):
    result = decision(engine, citizen(seeded["per"]), seeded[child], BASIC)
    assert result.level == level
    assert result.allowed == allowed


def test_per_never_enters_saras_youth_service(engine, seeded):
    result = decision(engine, citizen(seeded["per"]), seeded["sara"], YOUTH)
    assert result.allowed == frozenset()
    assert result.reason == "youth_service_personal"


def test_lene_acts_for_jonas_because_per_lives_with_him(engine, seeded):
    lene, jonas = citizen(seeded["lene"]), seeded["jonas"]
    assert seeded["lene"].address_key != jonas.address_key
    assert decision(engine, lene, jonas, BASIC).level == "full"
    # Without Per's parental responsibility no responsible parent lives at Jonas's address.
    with db.write_session(engine) as s:
        link = s.exec(select(ParentChild).where(ParentChild.parent_id == seeded["per"].id,
                                                ParentChild.child_id == jonas.id)).one()
        link.parental_responsibility = False
        s.add(link)
    result = decision(engine, lene, jonas, BASIC)
    assert (result.level, result.reason) == ("none", "no_parent_at_address")
    assert decision(engine, citizen(seeded["per"]), jonas, BASIC).reason == (
        "no_parental_responsibility")


def test_siri_cannot_act_for_theo(engine, seeded):
    result = decision(engine, citizen(seeded["siri"]), seeded["theo"], BASIC)
    assert (result.level, result.reason) == ("none", "confidential_address")


def test_tor_gets_nothing_of_majas(engine, seeded):
    tor, maja = citizen(seeded["tor"]), seeded["maja"]
    card = decision(engine, tor, maja, PREGNANCY)
    assert card.allowed == frozenset() and card.reason == "card_personal"
    assert decision(engine, tor, maja, BASIC).reason == "child_too_old"


def test_a_stranger_has_no_relation(engine, seeded):
    result = decision(engine, citizen(seeded["jon"]), seeded["emma"], BASIC)
    assert (result.relation, result.reason) == ("none", "no_relation")


def test_a_citizen_not_in_the_registry_still_has_self_service_by_age(engine, seeded):
    pid = synthetic_nin(dt.date(today_oslo().year - 20, 1, 1), seed=7)
    with db.session(engine) as s:
        assert enforcement.decide(s, Actor(pid, "citizen"), pid, BASIC).level == "full"


# --- Personnel ----------------------------------------------------------------------------

@pytest.mark.parametrize("worker,pupil,service,allowed", [
    ("kari", "ida", YOUTH, True),
    ("kari", "ida", BASIC, True),
    ("kari", "noah", YOUTH, False),
    ("kari", "noah", BASIC, False),
    ("mona", "noah", YOUTH, True),
    ("anders", "noah", YOUTH, True),  # the youth clinic is open to every pupil from 12
    ("anders", "noah", BASIC, False),
])
def test_school_nurses_need_a_care_relation(engine, seeded, worker, pupil, service, allowed):
    result = decision(engine, staff(engine, seeded[worker]), seeded[pupil], service)
    assert result.allows(A.MANAGE_SCHEDULE) is allowed
    assert result.allows(A.BOOK) is allowed
    if not allowed:
        assert result.reason == "no_care_relation"


@pytest.mark.parametrize("worker,woman,may_edit,reason", [
    ("lise", "nora", True, ""),
    ("ole", "nora", True, ""),
    ("lise", "maja", True, ""),
    ("kari", "nora", False, "role_not_permitted"),
    ("mona", "maja", False, "role_not_permitted"),
])
def test_the_card_is_edited_by_her_midwife_or_gp(engine, seeded, worker, woman, may_edit,
                                                 reason):
    result = decision(engine, staff(engine, seeded[worker]), seeded[woman], PREGNANCY)
    assert result.allows(A.EDIT_CARD) is may_edit
    assert result.reason == reason


def test_a_midwife_of_another_woman_is_refused(engine, seeded):
    # Lise is the midwife on both records; move Nora's to no one.
    from digihelse.healthcard.models import PregnancyRecord

    with db.write_session(engine) as s:
        record = s.exec(select(PregnancyRecord)
                        .where(PregnancyRecord.woman_id == seeded["nora"].id)).one()
        record.midwife_id = None
        s.add(record)
    result = decision(engine, staff(engine, seeded["lise"]), seeded["nora"], PREGNANCY)
    assert (result.allowed, result.reason) == (frozenset(), "no_care_relation")


# --- require() and the denied row ---------------------------------------------------------

def test_require_returns_the_decision_when_allowed(engine, seeded):
    with db.session(engine) as s:
        result = enforcement.require(s, staff(engine, seeded["lise"]), seeded["nora"].nin,
                                PREGNANCY, A.EDIT_CARD, object_type="pregnancy_record")
    assert result.allows(A.EDIT_CARD)
    assert log_rows(engine) == []  # require logs refusals; record_access logs the access


def test_a_refusal_in_a_rolled_back_write_transaction_is_still_logged(engine, seeded):
    kari, nora = staff(engine, seeded["kari"]), seeded["nora"]
    started = time.monotonic()
    with pytest.raises(AccessDenied) as refused, db.write_session(engine) as s:
        enforcement.record_access(s, kari, nora.nin, action="read", object_type="probe")
        enforcement.require(s, kari, nora.nin, PREGNANCY, A.EDIT_CARD,
                       object_type="pregnancy_record", object_id="1")
    # The caller held SQLite's write lock; the row must not have waited for busy_timeout.
    assert time.monotonic() - started < 5
    assert refused.value.code == "role_not_permitted"
    assert refused.value.message_key == "access.reason.role_not_permitted"
    [row] = log_rows(engine)  # the "probe" row rolled back with the caller
    assert (row.outcome, row.action, row.object_type, row.object_id) == (
        "denied", "edit_card", "pregnancy_record", "1")
    assert (row.actor_pid, row.actor_role, row.actor_hpr, row.subject_pid) == (
        kari.pid, "school_nurse", "9100001", nora.nin)
    assert row.detail == "pregnancy:role_not_permitted"
    with db.session(engine) as s:
        assert verify(s).ok


def test_a_refusal_in_a_read_session_is_logged_at_once(engine, seeded):
    per, sara = citizen(seeded["per"]), seeded["sara"]
    with db.session(engine) as s:
        with pytest.raises(AccessDenied) as refused:
            enforcement.require(s, per, sara.nin, BASIC, A.BOOK, object_type="appointment")
        [row] = log_rows(engine, outcome="denied")  # committed before the caller is done
        s.rollback()
    assert refused.value.code == "child_teen"
    assert (row.actor_pid, row.on_behalf_of_pid, row.subject_pid, row.action) == (
        per.pid, sara.nin, sara.nin, "book")
    assert len(log_rows(engine)) == 1


def test_a_refusal_in_the_youth_service_is_hidden_from_parents(engine, seeded):
    per, sara = citizen(seeded["per"]), seeded["sara"]
    with pytest.raises(AccessDenied), db.session(engine) as s:
        enforcement.require(s, per, sara.nin, YOUTH, A.VIEW_APPOINTMENTS, object_type="appointment")
    [row] = log_rows(engine)
    assert row.hidden_from_parents and row.detail == "youth:youth_service_personal"


def test_a_full_decision_without_the_action_says_action_not_allowed(engine, seeded):
    with pytest.raises(AccessDenied) as refused, db.session(engine) as s:
        enforcement.require(s, staff(engine, seeded["kari"]), seeded["ida"].nin, YOUTH,
                       A.VIEW_ACCESS_LOG, object_type="access_log")
    assert refused.value.code == "action_not_allowed"


def test_record_access_hides_the_youth_service_from_parents(engine, seeded):
    kari, ida = staff(engine, seeded["kari"]), seeded["ida"]
    with db.write_session(engine) as s:
        enforcement.record_access(s, kari, ida.nin, action="read", object_type="appointment",
                             service=YOUTH)
        enforcement.record_access(s, kari, ida.nin, action="read", object_type="appointment",
                             service=BASIC)
    youth, basic = log_rows(engine)
    assert youth.hidden_from_parents and not basic.hidden_from_parents
    assert youth.on_behalf_of_pid is None  # personnel act on a patient, not on her behalf


# --- The "act for" switcher ---------------------------------------------------------------

def _levels(choice) -> dict[str, tuple[str, str]]:
    return {a.service.value: (a.level, a.reason) for a in choice.access}


def test_per_may_act_for_himself_and_his_three_children(engine, seeded):
    with db.session(engine) as s:
        choices = enforcement.representable_subjects(s, citizen(seeded["per"]))
    assert [(c.name, c.age, c.relation) for c in choices] == [
        ("Per Hansen", 42, "self"), ("Emma Hansen", 3, "parent"),
        ("Jonas Hansen", 10, "parent"), ("Sara Hansen", 13, "parent")]
    per, emma, jonas, sara = choices
    assert per.pid == seeded["per"].nin and per.for_service(BASIC).level == "full"
    assert _levels(emma)["basic"] == ("full", "") == _levels(jonas)["basic"]
    assert _levels(sara) == {"youth": ("none", "youth_service_personal"),
                             "basic": ("limited", "child_teen"),
                             "pregnancy": ("none", "card_personal")}
    assert all(c.can_act for c in choices)


def test_a_child_of_16_is_listed_with_the_reason(engine, seeded):
    with db.session(engine) as s:
        _tor, maja = enforcement.representable_subjects(s, citizen(seeded["tor"]))
    assert maja.name == "Maja Eriksen" and not maja.can_act
    assert _levels(maja)["basic"] == ("none", "child_too_old")


def test_a_confidential_child_is_listed_only_for_a_parent_who_shares_the_protection(
        engine, seeded):
    with db.write_session(engine) as s:  # Jon, unprotected, is made Theo's parent too
        s.add(ParentChild(parent_id=seeded["jon"].id, child_id=seeded["theo"].id))
    with db.session(engine) as s:
        siri_choices = enforcement.representable_subjects(s, citizen(seeded["siri"]))
        jon_choices = enforcement.representable_subjects(s, citizen(seeded["jon"]))
    assert [c.name for c in siri_choices] == ["Siri Vik", "Theo Vik"]
    assert _levels(siri_choices[1])["basic"] == ("none", "confidential_address")
    assert [c.name for c in jon_choices] == ["Jon Lie"]  # Theo's protection is not disclosed


def test_personnel_act_only_as_themselves_in_the_switcher(engine, seeded):
    with db.session(engine) as s:
        choices = enforcement.representable_subjects(s, staff(engine, seeded["kari"]))
    assert [c.name for c in choices] == ["Kari Lund"]


# --- Fullmakt -----------------------------------------------------------------------------

def test_a_pregnancy_fullmakt_lets_jon_view_but_not_edit_noras_card(engine, seeded):
    nora, jon = seeded["nora"], citizen(seeded["jon"])
    assert decision(engine, jon, nora, PREGNANCY).allowed == frozenset()
    give_fullmakt(engine, nora, seeded["jon"], "pregnancy")
    result = decision(engine, jon, nora, PREGNANCY)
    assert result.allowed == {A.VIEW_CARD, A.VIEW_APPOINTMENTS}  # view only, no booking
    assert (result.relation, result.level, result.reason) == ("fullmakt", "limited",
                                                              "view_only")
    with db.session(engine) as s:
        enforcement.require(s, jon, nora.nin, PREGNANCY, A.VIEW_CARD,
                            object_type="pregnancy_record")
        with pytest.raises(AccessDenied) as refused:
            enforcement.require(s, jon, nora.nin, PREGNANCY, A.EDIT_CARD,
                           object_type="pregnancy_record")
    assert refused.value.code == "view_only"
    assert decision(engine, jon, nora, BASIC).reason == "fullmakt_scope"
    with db.session(engine) as s:
        _jon, listed = enforcement.representable_subjects(s, jon)
    assert listed.name == "Nora Lie" and listed.relation == "fullmakt"
    assert _levels(listed)["pregnancy"] == ("limited", "view_only")


def test_an_expired_fullmakt_is_not_listed(engine, seeded):
    yesterday = today_oslo() - dt.timedelta(days=1)
    give_fullmakt(engine, seeded["nora"], seeded["jon"], "basic",
                   valid_from=yesterday - dt.timedelta(days=30), valid_to=yesterday)
    assert decision(engine, citizen(seeded["jon"]), seeded["nora"], BASIC).reason == (
        "fullmakt_expired")
    with db.session(engine) as s:
        assert len(enforcement.representable_subjects(s, citizen(seeded["jon"]))) == 1


# --- "Hvem har sett opplysningene mine" ---------------------------------------------------

def _seed_log(engine, seeded) -> None:
    kari, per = staff(engine, seeded["kari"]), citizen(seeded["per"])
    with db.write_session(engine) as s:
        # Jonas: one ordinary read, one behind a vergeinnsynsreservasjon.
        enforcement.record_access(s, kari, seeded["jonas"].nin, action="read",
                             object_type="appointment", object_id="1", service=BASIC)
        enforcement.record_access(s, kari, seeded["jonas"].nin, action="read",
                             object_type="journal_note", service=BASIC,
                             hidden_from_parents=True)
        # Sara: the nurse in the youth service, and her father in the family service.
        enforcement.record_access(s, kari, seeded["sara"].nin, action="read",
                             object_type="appointment", service=YOUTH)
        enforcement.record_access(s, per, seeded["sara"].nin, action="read",
                             object_type="appointment", service=BASIC)


def test_per_sees_jonas_log_without_the_hidden_rows(engine, seeded):
    _seed_log(engine, seeded)
    per = citizen(seeded["per"])
    with db.write_session(engine) as s:
        lines = enforcement.visible_access_log(s, per, seeded["jonas"].nin)
    assert [(line.object_type, line.actor_name) for line in lines] == [
        ("appointment", "Kari Lund")]
    [line] = lines
    assert (line.actor_role, line.organisation, line.hpr_number, line.channel, line.outcome) == (
        "school_nurse", "Fjordvik kommune, skolehelsetjenesten", "9100001", "web", "ok")
    assert not line.by_viewer
    assert not any(seeded["jonas"].nin in str(value) or per.pid in str(value)
                   for value in vars(line).values())  # no id numbers in the view
    viewed = log_rows(engine, object_type="access_log")
    assert [(r.actor_pid, r.subject_pid, r.action) for r in viewed] == [
        (per.pid, seeded["jonas"].nin, "view_access_log")]


def test_sara_sees_her_whole_log_and_per_may_not_see_it(engine, seeded):
    _seed_log(engine, seeded)
    sara = citizen(seeded["sara"])
    with db.write_session(engine) as s:
        lines = enforcement.visible_access_log(s, sara, sara.pid)
    assert [(line.actor_name, line.object_type) for line in lines] == [
        ("Per Hansen", "appointment"), ("Kari Lund", "appointment")]
    # Parents of 12-15 year olds see appointments only, not the log (§ 3-4 second paragraph).
    with pytest.raises(AccessDenied) as refused, db.write_session(engine) as s:
        enforcement.visible_access_log(s, citizen(seeded["per"]), sara.pid)
    assert refused.value.code == "child_teen"
    with db.write_session(engine) as s:
        again = enforcement.visible_access_log(s, sara, sara.pid)
    assert [(line.actor_name, line.action, line.outcome, line.by_viewer) for line in again[:2]] == [
        ("Per Hansen", "view_access_log", "denied", False),
        ("Sara Hansen", "view_access_log", "ok", True)]
    [own_view] = log_rows(engine, actor_pid=sara.pid, object_type="access_log")[:1]
    assert own_view.hidden_from_parents  # her look at her own log is hers alone


def test_a_child_under_12_cannot_see_the_log_himself(engine, seeded):
    jonas = citizen(seeded["jonas"])
    with pytest.raises(AccessDenied) as refused, db.write_session(engine) as s:
        enforcement.visible_access_log(s, jonas, jonas.pid)
    assert refused.value.code == "too_young"
