"""The policy rows for a passkey login: nurse-verified reaches her own youth service only
(booking, her appointments, messages); never acting for others, never fullmakt, never the
family service, the pregnancy card or the access log. An eID-derived passkey, like an eID
login, is not capped."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digihelse.access import enforcement, policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.access.policy import Assurance, Reason
from digihelse.core import db

A = Action
ON = dt.date(2026, 12, 4)
BOOKING = {A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE}
NURSE = Assurance.PASSKEY_NURSE


def person(age: int, pid: str = "x") -> policy.PersonFacts:
    return policy.PersonFacts(pid, dt.date(ON.year - age, 1, 1))


def own(age: int, assurance: str) -> policy.Facts:
    me = person(age)
    return policy.Facts(me, me, (policy.SelfRelation(),), assurance)


def test_nurse_verified_reaches_her_own_youth_service_bookings():
    decision = policy.decide(own(13, NURSE), Service.YOUTH, ON)
    assert decision.allowed == BOOKING
    assert decision.limited and decision.reason == Reason.LOGIN_LEVEL
    assert not decision.allows(A.VIEW_ACCESS_LOG)


@pytest.mark.parametrize("service,age", [(Service.PREGNANCY, 17), (Service.BASIC, 16),
                                         (Service.BASIC, 13)])
def test_nurse_verified_never_reaches_the_card_or_the_family_service(service, age):
    decision = policy.decide(own(age, NURSE), service, ON)
    assert decision.allowed == frozenset()
    assert decision.reason in (Reason.LOGIN_LEVEL, Reason.TOO_YOUNG)


def test_the_same_person_with_minid_gets_the_card():
    assert policy.decide(own(17, Assurance.EID), Service.PREGNANCY, ON).allows(A.VIEW_CARD)
    assert policy.decide(own(17, Assurance.PASSKEY_EID), Service.PREGNANCY, ON).allows(
        A.VIEW_CARD)


@pytest.mark.parametrize("relation", [
    policy.ParentRelation(parental_responsibility=True, responsible_parent_at_address=True),
    policy.FullmaktRelation(frozenset(Service), valid_from=dt.date(2026, 1, 1)),
])
@pytest.mark.parametrize("service", list(Service))
def test_nurse_verified_never_acts_for_anyone(relation, service):
    facts = policy.Facts(person(40, "p"), person(8, "c"), (relation,), NURSE)
    decision = policy.decide(facts, service, ON)
    assert decision.allowed == frozenset()
    eid = policy.decide(policy.Facts(person(40, "p"), person(8, "c"), (relation,)), service, ON)
    if eid.allowed:
        assert decision.reason == Reason.LOGIN_LEVEL


def test_an_unknown_assurance_gets_the_strictest_cap():
    assert policy.limit_for("something_new") == policy.ASSURANCE_LIMITS[NURSE]
    assert policy.limit_for(Assurance.EID) is None
    assert policy.limit_for(Assurance.PASSKEY_EID) is None


RELATIONS = st.sampled_from([
    policy.SelfRelation(),
    policy.ParentRelation(True, True),
    policy.FullmaktRelation(frozenset(Service), dt.date(2026, 1, 1)),
])


@given(RELATIONS, st.sampled_from(list(Service)), st.integers(0, 80),
       st.sampled_from(list(Assurance)))
def test_a_passkey_never_gives_more_than_minid(relation, service, age, assurance):
    """The cap only ever takes away, and a nurse-verified login gets at most her own
    youth-service bookings."""
    subject = person(age, "c") if relation.kind != policy.RelationKind.SELF else person(age)
    actor = person(40, "p") if relation.kind != policy.RelationKind.SELF else subject
    base = policy.decide(policy.Facts(actor, subject, (relation,)), service, ON)
    capped = policy.decide(policy.Facts(actor, subject, (relation,), assurance), service, ON)
    assert capped.allowed <= base.allowed
    if assurance == NURSE:
        assert capped.allowed <= BOOKING
        assert not capped.allowed or (relation.kind == policy.RelationKind.SELF
                                      and service == Service.YOUTH)


# --- enforced against the registry ------------------------------------------------------

def test_maja_with_a_nurse_passkey_cannot_open_her_pregnancy_card(engine, seeded):
    maja = seeded["maja"]
    actor = Actor(maja.nin, "citizen", maja.full_name, assurance=NURSE)
    with db.session(engine) as s:
        assert not enforcement.decide(s, actor, maja.nin, Service.PREGNANCY).allows(A.VIEW_CARD)
        assert enforcement.decide(s, actor, maja.nin, Service.YOUTH).allows(A.BOOK)


def test_per_with_a_nurse_passkey_acts_for_none_of_his_children(engine, seeded):
    per = seeded["per"]
    actor = Actor(per.nin, "citizen", per.full_name, assurance=NURSE)
    with db.session(engine) as s:
        choices = enforcement.representable_subjects(s, actor)
    others = [c for c in choices if c.pid != per.nin]
    assert others and not any(c.can_act for c in others)
