"""The representation policy as a matrix: self, parents, fullmakt, personnel, confidential
addresses, birthdays (29 February too), item and log visibility, and a few properties."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digihelse.access.actors import Action, Service
from digihelse.access.policy import (
    CONFIDENTIAL,
    GP,
    MIDWIFE,
    SCHOOL_NURSE,
    CareBasis,
    Decision,
    Facts,
    FullmaktRelation,
    ItemFacts,
    ParentRelation,
    PersonFacts,
    PersonnelRelation,
    Reason,
    RelationKind,
    SelfRelation,
    Thresholds,
    decide,
    explain,
    explanation_keys,
    item_visible,
    keeps_cards,
    keeps_schedule,
    log_row_visible,
)
from digihelse.core.settings import load_settings
from digihelse.people.kinds import AddressProtection, StaffRole

A = Action
YOUTH, BASIC, PREGNANCY = Service.YOUTH, Service.BASIC, Service.PREGNANCY
NOTHING: frozenset[Action] = frozenset()
BOOKING = frozenset({A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE})
SELF_YOUTH = BOOKING | {A.VIEW_ACCESS_LOG}
SELF_BASIC = BOOKING | {A.VIEW_ACCESS_LOG}
# Her card, her notes, her log, her consultations with her midwife (book, see, cancel),
# and messages to her midwife.
OWN_CARD = frozenset({A.VIEW_CARD, A.WRITE_OWN_NOTES, A.VIEW_ACCESS_LOG,
                      A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE})
LOG_ONLY = frozenset({A.VIEW_ACCESS_LOG})
PARENT_FULL = BOOKING | {A.VIEW_ACCESS_LOG}
PARENT_TEEN = frozenset({A.VIEW_APPOINTMENTS})
NURSE = BOOKING | {A.MANAGE_SCHEDULE}
# The midwife also runs her pregnancy bookings (cancel with a reason, mark attendance)
# and answers the woman's messages.
CARER = frozenset({A.VIEW_CARD, A.EDIT_CARD, A.VIEW_APPOINTMENTS, A.CANCEL,
                   A.MANAGE_SCHEDULE, A.SEND_MESSAGE})
PARTNER_VIEW = frozenset({A.VIEW_CARD, A.VIEW_APPOINTMENTS})

ADULT = PersonFacts("adult", dt.date(1980, 1, 15), "home")
OTHER_ADULT = PersonFacts("other", dt.date(1985, 3, 1), "elsewhere")


def person(birth: dt.date, address: str | None = "home", protection: str = "none",
           pid: str = "subject") -> PersonFacts:
    return PersonFacts(pid, birth, address, protection)


# --- Ages: the day before and the day of the 12th and 16th birthday -----------------------
# (birth date, date, band). 12 and 16 are multiples of 4, so someone born on 29 February
# turns 12 and 16 in a leap year, on 29 February, except across 2100, which is no leap
# year: then the birthday is 1 March (digihelse.people.nin.age_on).
UNDER_12, TEEN, GROWN = "under_12", "12_to_15", "16_plus"
AGE_POINTS = [
    pytest.param(dt.date(2014, 5, 10), dt.date(2017, 6, 1), UNDER_12, id="age-3"),
    pytest.param(dt.date(2014, 5, 10), dt.date(2026, 5, 9), UNDER_12, id="day-before-12"),
    pytest.param(dt.date(2014, 5, 10), dt.date(2026, 5, 10), TEEN, id="12th-birthday"),
    pytest.param(dt.date(2014, 5, 10), dt.date(2030, 5, 9), TEEN, id="day-before-16"),
    pytest.param(dt.date(2014, 5, 10), dt.date(2030, 5, 10), GROWN, id="16th-birthday"),
    pytest.param(dt.date(2014, 5, 10), dt.date(2032, 1, 1), GROWN, id="age-17"),
    pytest.param(dt.date(2012, 2, 29), dt.date(2024, 2, 28), UNDER_12, id="leap-28feb-before-12"),
    pytest.param(dt.date(2012, 2, 29), dt.date(2024, 2, 29), TEEN, id="leap-turns-12-on-29feb"),
    pytest.param(dt.date(2012, 2, 29), dt.date(2028, 2, 28), TEEN, id="leap-28feb-before-16"),
    pytest.param(dt.date(2012, 2, 29), dt.date(2028, 2, 29), GROWN, id="leap-turns-16-on-29feb"),
    pytest.param(dt.date(2088, 2, 29), dt.date(2100, 2, 28), UNDER_12, id="2100-28feb-still-11"),
    pytest.param(dt.date(2088, 2, 29), dt.date(2100, 3, 1), TEEN, id="2100-turns-12-on-1mar"),
    pytest.param(dt.date(2084, 2, 29), dt.date(2100, 2, 28), TEEN, id="2100-28feb-still-15"),
    pytest.param(dt.date(2084, 2, 29), dt.date(2100, 3, 1), GROWN, id="2100-turns-16-on-1mar"),
]


def decide_for(relation, subject: PersonFacts, service: Service, on: dt.date,
               actor: PersonFacts = ADULT, thresholds: Thresholds | None = None) -> Decision:
    return decide(Facts(actor, subject, (relation,)), service, on, thresholds)


# --- Oneself ------------------------------------------------------------------------------

SELF_EXPECTED = {
    # band: {service: (allowed, reason)}
    UNDER_12: {YOUTH: (NOTHING, Reason.TOO_YOUNG), BASIC: (NOTHING, Reason.TOO_YOUNG),
               PREGNANCY: (NOTHING, Reason.TOO_YOUNG)},
    TEEN: {YOUTH: (SELF_YOUTH, ""), BASIC: (LOG_ONLY, Reason.TOO_YOUNG),
           PREGNANCY: (OWN_CARD, "")},
    GROWN: {YOUTH: (SELF_YOUTH, ""), BASIC: (SELF_BASIC, ""), PREGNANCY: (OWN_CARD, "")},
}


@pytest.mark.parametrize("service", list(Service))
@pytest.mark.parametrize("birth,on,band", AGE_POINTS)
def test_self_by_age(birth, on, band, service):
    me = person(birth, pid="me")
    decision = decide(Facts(me, me, (SelfRelation(),)), service, on)
    allowed, reason = SELF_EXPECTED[band][service]
    assert decision.allowed == allowed
    assert decision.reason == reason
    assert decision.relation == "self"
    assert A.EDIT_CARD not in decision.allowed  # the card is edited by her midwife or GP only


@pytest.mark.parametrize("protection", ["kode6", "kode7"])
def test_a_confidential_address_does_not_touch_self_access(protection):
    me = person(dt.date(1990, 1, 1), protection=protection, pid="me")
    decision = decide(Facts(me, me, (SelfRelation(),)), BASIC, dt.date(2026, 5, 10))
    assert decision.allowed == SELF_BASIC


# --- Parents ------------------------------------------------------------------------------

def expected_parent(band: str, service: Service, responsibility: bool, at_address: bool
                    ) -> tuple[frozenset[Action], str, bool]:
    """The rule in words: family service only; 16 ends it; responsibility and a parent at the
    child's address are needed; under 12 everything, 12-15 appointments only."""
    if service == YOUTH:
        return NOTHING, Reason.YOUTH_SERVICE_PERSONAL, False
    if service == PREGNANCY:
        return NOTHING, Reason.CARD_PERSONAL, False
    if band == GROWN:
        return NOTHING, Reason.CHILD_TOO_OLD, False
    if not responsibility:
        return NOTHING, Reason.NO_PARENTAL_RESPONSIBILITY, False
    if not at_address:
        return NOTHING, Reason.NO_PARENT_AT_ADDRESS, False
    if band == UNDER_12:
        return PARENT_FULL, "", False
    return PARENT_TEEN, Reason.CHILD_TEEN, True


@pytest.mark.parametrize("service", list(Service))
# The parent acting (who lives at the child's address "home", or elsewhere) and whether any
# parent with responsibility is registered there: the flag the database layer works out.
@pytest.mark.parametrize("parent,at_address", [
    pytest.param(ADULT, True, id="this-parent-at-address"),
    pytest.param(OTHER_ADULT, True, id="other-parent-at-address"),
    pytest.param(OTHER_ADULT, False, id="no-responsible-parent-at-address"),
])
@pytest.mark.parametrize("responsibility", [True, False], ids=["responsibility", "none"])
@pytest.mark.parametrize("birth,on,band", AGE_POINTS)
def test_parent_matrix(birth, on, band, responsibility, parent, at_address, service):
    child = person(birth)
    assert (parent.address_key == child.address_key) == (parent is ADULT)
    decision = decide_for(ParentRelation(responsibility, at_address), child, service, on,
                          actor=parent)
    allowed, reason, limited = expected_parent(band, service, responsibility, at_address)
    assert (decision.allowed, decision.reason, decision.limited) == (allowed, reason, limited)
    assert decision.relation == "parent"


def test_the_parent_need_not_live_there_when_the_other_parent_does():
    # Lene's case: she lives elsewhere, Per lives with the children; the flag is about ANY
    # responsible parent (helsenorge.no), so her own address does not matter.
    child = person(dt.date(2016, 1, 1), address="fjellveien-12")
    lene = PersonFacts("lene", dt.date(1986, 1, 1), "strandveien-7")
    decision = decide_for(ParentRelation(True, True), child, BASIC, dt.date(2026, 5, 10),
                          actor=lene)
    assert decision.allowed == PARENT_FULL


def test_the_parental_thresholds_are_settings():
    child = person(dt.date(2013, 6, 1))
    on = dt.date(2026, 6, 1)  # 13 today
    assert decide_for(ParentRelation(True, True), child, BASIC, on).limited
    later = Thresholds(parent_full_access_below=14)
    assert decide_for(ParentRelation(True, True), child, BASIC, on,
                      thresholds=later).allowed == PARENT_FULL


# --- Confidential addresses ---------------------------------------------------------------

REPRESENTATIONS = [
    pytest.param(ParentRelation(True, True), id="parent"),
    pytest.param(FullmaktRelation(frozenset(Service), dt.date(2020, 1, 1)), id="fullmakt"),
]


@pytest.mark.parametrize("service", list(Service))
@pytest.mark.parametrize("actor_protection,subject_protection", [
    ("kode6", "none"), ("kode7", "none"), ("none", "kode6"), ("none", "kode7"),
    ("kode6", "kode6"), ("kode7", "kode6"),
])
@pytest.mark.parametrize("relation", REPRESENTATIONS)
def test_no_representation_across_a_confidential_address(relation, actor_protection,
                                                          subject_protection, service):
    on = dt.date(2026, 5, 10)
    # A 10-year-old for the parent, a 30-year-old for the fullmakt: both would be allowed.
    birth = dt.date(2016, 1, 1) if isinstance(relation, ParentRelation) else dt.date(1996, 1, 1)
    actor = PersonFacts("actor", dt.date(1980, 1, 1), "home", actor_protection)
    decision = decide_for(relation, person(birth, protection=subject_protection), service, on,
                          actor=actor)
    assert decision.allowed == NOTHING
    assert decision.reason == Reason.CONFIDENTIAL_ADDRESS


def test_personnel_care_goes_on_behind_a_confidential_address():
    # Care is not representation: a kode 6 pupil still sees her school nurse.
    pupil = person(dt.date(2012, 1, 1), protection="kode6")
    nurse = PersonnelRelation(SCHOOL_NURSE, frozenset({CareBasis.SCHOOL}))
    assert decide_for(nurse, pupil, YOUTH, dt.date(2026, 5, 10)).allowed == NURSE


# --- Fullmakt -----------------------------------------------------------------------------

GIVER = PersonFacts("giver", dt.date(1990, 1, 1), "kaiveien-9")
RECEIVER = PersonFacts("receiver", dt.date(1988, 1, 1), "kaiveien-9")
FROM, TO = dt.date(2026, 1, 10), dt.date(2026, 12, 31)
PERIOD = FullmaktRelation(frozenset({BASIC, PREGNANCY}), FROM, TO)
OPEN = FullmaktRelation(frozenset({BASIC, PREGNANCY}), FROM)


@pytest.mark.parametrize("relation,on,giver,receiver,service,allowed,reason", [
    pytest.param(PERIOD, dt.date(2026, 1, 9), GIVER, RECEIVER, BASIC, NOTHING,
                 Reason.FULLMAKT_NOT_YET_VALID, id="day-before-valid-from"),
    pytest.param(PERIOD, FROM, GIVER, RECEIVER, BASIC, BOOKING, "", id="on-valid-from"),
    pytest.param(PERIOD, TO, GIVER, RECEIVER, BASIC, BOOKING, "", id="on-valid-to"),
    pytest.param(PERIOD, dt.date(2027, 1, 1), GIVER, RECEIVER, BASIC, NOTHING,
                 Reason.FULLMAKT_EXPIRED, id="day-after-valid-to"),
    pytest.param(OPEN, dt.date(2040, 1, 1), GIVER, RECEIVER, BASIC, BOOKING, "",
                 id="open-ended"),
    pytest.param(FullmaktRelation(frozenset({BASIC}), FROM, revoked=True), dt.date(2026, 6, 1),
                 GIVER, RECEIVER, BASIC, NOTHING, Reason.FULLMAKT_REVOKED, id="revoked"),
    pytest.param(OPEN, dt.date(2026, 5, 31), person(dt.date(2010, 6, 1), pid="giver"), RECEIVER,
                 BASIC, NOTHING, Reason.GIVER_TOO_YOUNG, id="giver-15"),
    pytest.param(OPEN, dt.date(2026, 6, 1), person(dt.date(2010, 6, 1), pid="giver"), RECEIVER,
                 BASIC, BOOKING, "", id="giver-16-today"),
    pytest.param(OPEN, dt.date(2026, 6, 1), GIVER, person(dt.date(2008, 6, 2), pid="r"),
                 BASIC, NOTHING, Reason.RECEIVER_TOO_YOUNG, id="receiver-17"),
    pytest.param(OPEN, dt.date(2026, 6, 2), GIVER, person(dt.date(2008, 6, 2), pid="r"),
                 BASIC, BOOKING, "", id="receiver-18-today"),
    pytest.param(FullmaktRelation(frozenset({PREGNANCY}), FROM), dt.date(2026, 6, 1), GIVER,
                 RECEIVER, BASIC, NOTHING, Reason.FULLMAKT_SCOPE, id="scope-not-basic"),
    pytest.param(FullmaktRelation(frozenset({BASIC}), FROM), dt.date(2026, 6, 1), GIVER,
                 RECEIVER, PREGNANCY, NOTHING, Reason.FULLMAKT_SCOPE, id="scope-not-card"),
    pytest.param(OPEN, dt.date(2026, 6, 1), GIVER, RECEIVER, PREGNANCY,
                 PARTNER_VIEW, Reason.VIEW_ONLY, id="card-view-only"),
    pytest.param(FullmaktRelation(frozenset(Service), FROM), dt.date(2026, 6, 1), GIVER,
                 RECEIVER, YOUTH, NOTHING, Reason.YOUTH_SERVICE_PERSONAL,
                 id="youth-never-even-in-scope"),
])
def test_fullmakt_matrix(relation, on, giver, receiver, service, allowed, reason):
    decision = decide(Facts(receiver, giver, (relation,)), service, on)
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert decision.relation == "fullmakt"
    assert A.EDIT_CARD not in decision.allowed
    if service == PREGNANCY:  # her pregnancy bookings stay hers
        assert not decision.allowed & {A.BOOK, A.CANCEL}


def test_one_valid_fullmakt_among_expired_ones_is_enough():
    expired = FullmaktRelation(frozenset({BASIC}), dt.date(2020, 1, 1), dt.date(2021, 1, 1))
    facts = Facts(RECEIVER, GIVER, (expired, OPEN))
    assert decide(facts, BASIC, dt.date(2026, 6, 1)).allowed == BOOKING
    only_expired = decide(Facts(RECEIVER, GIVER, (expired,)), BASIC, dt.date(2026, 6, 1))
    assert only_expired.reason == Reason.FULLMAKT_EXPIRED


def test_a_17_year_old_can_give_her_parent_the_fullmakt_the_law_no_longer_gives():
    maja = person(dt.date(2009, 1, 1), address="furuveien-5")
    relations = (ParentRelation(True, True), FullmaktRelation(frozenset({BASIC}), FROM))
    decision = decide(Facts(ADULT, maja, relations), BASIC, dt.date(2026, 6, 1))
    assert decision.allowed == BOOKING and decision.relation == "fullmakt"
    parent_only = decide(Facts(ADULT, maja, relations[:1]), BASIC, dt.date(2026, 6, 1))
    assert parent_only.reason == Reason.CHILD_TOO_OLD


# --- Personnel ----------------------------------------------------------------------------

PUPIL = person(dt.date(2012, 3, 1))  # 14 on 2026-05-10
CHILD = person(dt.date(2016, 3, 1))  # 10
WOMAN = person(dt.date(1995, 3, 1))
ON = dt.date(2026, 5, 10)
SCHOOL_CARE = frozenset({CareBasis.SCHOOL})
CLINIC_CARE = frozenset({CareBasis.YOUTH_CLINIC})
CARD_CARE = frozenset({CareBasis.PREGNANCY_CARER})


@pytest.mark.parametrize("role,care,subject,service,allowed,reason", [
    pytest.param(SCHOOL_NURSE, SCHOOL_CARE, PUPIL, YOUTH, NURSE, "", id="nurse-own-school-youth"),
    pytest.param(SCHOOL_NURSE, SCHOOL_CARE, PUPIL, BASIC, NURSE, "", id="nurse-own-school-basic"),
    pytest.param(SCHOOL_NURSE, SCHOOL_CARE, CHILD, BASIC, NURSE, "", id="nurse-school-child-10"),
    pytest.param(SCHOOL_NURSE, frozenset(), PUPIL, YOUTH, NOTHING, Reason.NO_CARE_RELATION,
                 id="nurse-other-school-youth"),
    pytest.param(SCHOOL_NURSE, frozenset(), PUPIL, BASIC, NOTHING, Reason.NO_CARE_RELATION,
                 id="nurse-other-school-basic"),
    pytest.param(SCHOOL_NURSE, CLINIC_CARE, PUPIL, YOUTH, NURSE, "", id="youth-clinic-youth"),
    pytest.param(SCHOOL_NURSE, CLINIC_CARE, WOMAN, YOUTH, NURSE, "", id="youth-clinic-adult"),
    pytest.param(SCHOOL_NURSE, CLINIC_CARE, PUPIL, BASIC, NOTHING, Reason.NO_CARE_RELATION,
                 id="youth-clinic-not-basic"),
    pytest.param(SCHOOL_NURSE, CLINIC_CARE, CHILD, YOUTH, NOTHING, Reason.TOO_YOUNG,
                 id="youth-clinic-child-10"),
    pytest.param(SCHOOL_NURSE, SCHOOL_CARE | CARD_CARE, WOMAN, PREGNANCY, NOTHING,
                 Reason.ROLE_NOT_PERMITTED, id="nurse-on-the-card"),
    pytest.param(MIDWIFE, CARD_CARE, WOMAN, PREGNANCY, CARER, "", id="her-midwife"),
    pytest.param(GP, CARD_CARE, WOMAN, PREGNANCY, CARER, "", id="her-gp"),
    pytest.param(MIDWIFE, frozenset(), WOMAN, PREGNANCY, NOTHING, Reason.NO_CARE_RELATION,
                 id="midwife-of-another-woman"),
    pytest.param(GP, frozenset(), WOMAN, PREGNANCY, NOTHING, Reason.NO_CARE_RELATION,
                 id="gp-of-another-woman"),
    pytest.param(MIDWIFE, CARD_CARE, PUPIL, PREGNANCY, CARER, "", id="midwife-pregnant-minor"),
    pytest.param(MIDWIFE, CARD_CARE, WOMAN, BASIC, NOTHING, Reason.ROLE_NOT_PERMITTED,
                 id="midwife-not-basic"),
])
def test_personnel_matrix(role, care, subject, service, allowed, reason):
    decision = decide_for(PersonnelRelation(role, care), subject, service, ON)
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert decision.relation == "personnel"
    assert A.VIEW_ACCESS_LOG not in decision.allowed


# --- Combining and edge cases -------------------------------------------------------------

def test_no_relation_and_unknown_people_are_refused():
    assert decide(Facts(ADULT, OTHER_ADULT, ()), BASIC, ON).reason == Reason.NO_RELATION
    assert decide(Facts(ADULT, None, ()), BASIC, ON).reason == Reason.UNKNOWN_PERSON
    unknown_actor = decide(Facts(None, CHILD, (ParentRelation(True, True),)), BASIC, ON)
    assert unknown_actor.reason == Reason.UNKNOWN_PERSON


# --- Item and log visibility --------------------------------------------------------------

@pytest.mark.parametrize("relation,item,visible", [
    ("self", ItemFacts(YOUTH), True),
    ("self", ItemFacts(BASIC, guardian_reservation=True, hidden_from_proxy=True), True),
    ("parent", ItemFacts(BASIC), True),
    ("parent", ItemFacts(YOUTH), False),
    ("parent", ItemFacts(PREGNANCY), False),
    ("parent", ItemFacts(BASIC, guardian_reservation=True), False),
    ("parent", ItemFacts(BASIC, hidden_from_proxy=True), True),
    ("fullmakt", ItemFacts(BASIC), True),
    ("fullmakt", ItemFacts(PREGNANCY), True),
    ("fullmakt", ItemFacts(BASIC, hidden_from_proxy=True), False),
    ("fullmakt", ItemFacts(PREGNANCY, hidden_from_proxy=True), False),
    ("fullmakt", ItemFacts(YOUTH), False),
    ("fullmakt", ItemFacts(BASIC, guardian_reservation=True), True),
    ("personnel", ItemFacts(BASIC, guardian_reservation=True), True),
    ("none", ItemFacts(BASIC), False),
])
def test_item_visibility(relation, item, visible):
    assert item_visible(relation, item) is visible


@pytest.mark.parametrize("relation,hidden,visible", [
    ("self", True, True), ("self", False, True),
    ("parent", True, False), ("parent", False, True),
    ("fullmakt", True, False), ("fullmakt", False, True),
    ("none", False, False),
])
def test_log_row_visibility(relation, hidden, visible):
    assert log_row_visible(relation, hidden) is visible


# --- Explaining ---------------------------------------------------------------------------

@pytest.mark.parametrize("decision,level,reason_key", [
    (Decision(PARENT_FULL, "parent"), "full", None),
    (Decision(PARENT_TEEN, "parent", True, Reason.CHILD_TEEN), "limited",
     "access.reason.child_teen"),
    (Decision(NOTHING, "parent", False, Reason.CONFIDENTIAL_ADDRESS), "none",
     "access.reason.confidential_address"),
])
def test_explain_gives_i18n_keys(decision, level, reason_key):
    explanation = explain(decision)
    assert explanation.level == level
    assert explanation.level_key == f"access.level.{level}"
    assert explanation.reason_key == reason_key
    assert explanation.level_key in set(explanation_keys())


# --- Thresholds and constants -------------------------------------------------------------

def test_thresholds_from_settings_default_to_the_law():
    assert Thresholds.from_settings(load_settings({})) == Thresholds()
    assert Thresholds() == Thresholds(12, 16, 12, 16, 16, 18)


def test_a_later_youth_age_moves_the_boundary():
    me = person(dt.date(2014, 5, 10), pid="me")
    on = dt.date(2026, 5, 10)  # 12 today
    assert decide(Facts(me, me, (SelfRelation(),)), YOUTH, on).allowed == SELF_YOUTH
    later = Thresholds(youth_self_service_age=13)
    refusal = decide(Facts(me, me, (SelfRelation(),)), YOUTH, on, later)
    assert refusal.reason == Reason.TOO_YOUNG


def test_the_policy_constants_match_the_registry():
    assert {AddressProtection.KODE6, AddressProtection.KODE7} == CONFIDENTIAL
    assert {k.value for k in RelationKind} >= {"self", "parent", "fullmakt", "personnel"}


@pytest.mark.parametrize(("role", "schedule", "cards"), [
    (StaffRole.SCHOOL_NURSE, True, False),  # I dag, Min timeplan, Uke
    (StaffRole.MIDWIFE, True, True),  # those and Mine gravide
    (StaffRole.GP, False, True),  # Mine gravide only
    ("citizen", False, False),
])
def test_which_personnel_keep_a_schedule_and_which_keep_cards(role, schedule, cards):
    assert keeps_schedule(role) is schedule
    assert keeps_cards(role) is cards


# --- Properties ---------------------------------------------------------------------------

dates = st.dates(dt.date(1990, 1, 1), dt.date(2110, 12, 31))
protections = st.sampled_from(["none", "kode6", "kode7"])
parent_relations = st.builds(ParentRelation, st.booleans(), st.booleans())
fullmakt_relations = st.builds(
    FullmaktRelation, st.frozensets(st.sampled_from(list(Service))), dates,
    st.one_of(st.none(), dates), st.booleans())


@given(birth=dates, on=dates, relation=parent_relations, protection=protections)
def test_no_parent_ever_gets_the_youth_service_or_the_card(birth, on, relation, protection):
    child = person(birth, protection=protection)
    for service in (YOUTH, PREGNANCY):
        assert decide_for(relation, child, service, on).allowed == NOTHING


@given(birth=dates, on=dates, relation=st.one_of(parent_relations, fullmakt_relations),
       sides=st.sampled_from(["actor", "subject", "both"]),
       protection=st.sampled_from(sorted(CONFIDENTIAL)), service=st.sampled_from(list(Service)))
def test_nothing_is_ever_allowed_across_a_confidential_address(birth, on, relation, sides,
                                                               protection, service):
    actor = PersonFacts("actor", dt.date(1970, 1, 1), "home",
                        protection if sides != "subject" else "none")
    subject = person(birth, protection=protection if sides != "actor" else "none")
    assert decide_for(relation, subject, service, on, actor=actor).allowed == NOTHING


@given(birth=dates, first=dates, second=dates, relation=parent_relations)
def test_a_parents_actions_never_grow_as_the_child_gets_older(birth, first, second, relation):
    earlier, later = sorted((first, second))
    assume(earlier >= birth)  # before birth there is no one to act for, and nothing allowed
    child = person(birth)
    before = decide_for(relation, child, BASIC, earlier).allowed
    after = decide_for(relation, child, BASIC, later).allowed
    assert after <= before


@given(birth=dates, first=dates, second=dates, service=st.sampled_from(list(Service)))
def test_ones_own_actions_never_shrink_with_age(birth, first, second, service):
    earlier, later = sorted((first, second))
    me = person(birth, pid="me")
    facts = Facts(me, me, (SelfRelation(),))
    assert decide(facts, service, earlier).allowed <= decide(facts, service, later).allowed


@given(birth=dates, on=dates, relation=st.one_of(parent_relations, fullmakt_relations),
       service=st.sampled_from(list(Service)))
def test_no_citizen_ever_edits_a_card_or_a_schedule(birth, on, relation, service):
    decision = decide_for(relation, person(birth), service, on)
    assert not decision.allowed & {A.EDIT_CARD, A.MANAGE_SCHEDULE}


def test_only_midwives_and_gps_keep_cards_and_only_nurses_and_midwives_run_schedules():
    from digihelse.access.policy import keeps_cards, role_may

    assert {r for r in StaffRole if keeps_cards(r)} == {StaffRole.MIDWIFE, StaffRole.GP}
    schedulers = {r for r in StaffRole for service in Service
                  if role_may(r, service, Action.MANAGE_SCHEDULE)}
    assert StaffRole.SCHOOL_NURSE in schedulers and StaffRole.MIDWIFE in schedulers
    assert not role_may(StaffRole.SCHOOL_NURSE, Service.PREGNANCY, Action.VIEW_CARD)


def test_the_policy_is_a_pure_table_without_the_database_layer():
    import subprocess
    import sys

    probe = ("import sys, digihelse.access.policy; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('sqlalchemy', 'sqlmodel', 'reflex')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
