"""The visibility rule of messages, as properties over every relation, age and setting:
parents never read youth messages (nor any once the child is 12), fullmakt holders never
the youth service and pregnancy messages only when she shares them, and nobody writes
what they cannot read."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from digihelse.access.actors import Action, Service
from digihelse.access.policy import (
    CareBasis,
    Facts,
    FullmaktRelation,
    ParentRelation,
    PersonFacts,
    PersonnelRelation,
    RelationKind,
    SelfRelation,
    decide,
)
from digihelse.messages import rules

TODAY = dt.date(2026, 12, 4)
ages = st.integers(min_value=0, max_value=60)
services = st.sampled_from(list(Service))
roles = st.sampled_from(["school_nurse", "midwife", "gp"])
relations = st.one_of(
    st.just(SelfRelation()),
    st.builds(ParentRelation, st.booleans(), st.booleans()),
    st.builds(FullmaktRelation, st.frozensets(services),
              st.just(TODAY - dt.timedelta(days=1)),
              st.sampled_from([None, TODAY + dt.timedelta(days=3)]), st.booleans()),
    st.builds(PersonnelRelation, roles, st.frozensets(st.sampled_from(list(CareBasis)))),
)


def _born(age: int) -> dt.date:
    return dt.date(TODAY.year - age, 1, 1)


@given(subject_age=ages, actor_age=ages, relation=relations, service=services,
       shared=st.booleans(), assurance=st.sampled_from(["eid", "passkey_nurse"]),
       protection=st.sampled_from(["none", "kode6"]))
def test_who_reads_a_conversation(subject_age, actor_age, relation, service, shared,
                                  assurance, protection):
    subject = PersonFacts("s", _born(subject_age), "home", protection)
    actor = subject if isinstance(relation, SelfRelation) else PersonFacts(
        "a", _born(actor_age), "home")
    decision = decide(Facts(actor, subject, (relation,), assurance), service, TODAY)
    item = rules.item(service, shared)
    readable, writable = rules.may_read(decision, item), rules.may_write(decision, item)

    assert not writable or readable
    if relation.kind == RelationKind.PARENT:
        assert not (readable and service == Service.YOUTH)
        assert not (readable and subject_age >= 12)  # from 12 parents send no messages
        assert not (readable and service == Service.PREGNANCY)
    if relation.kind == RelationKind.FULLMAKT:
        assert service != Service.YOUTH or not readable
        if service == Service.PREGNANCY:
            assert not writable and (shared or not readable)
    if protection == "kode6" and relation.kind in (RelationKind.PARENT,
                                                   RelationKind.FULLMAKT):
        assert not readable
    if readable:
        assert decision.allowed  # never more than the policy gives
    if writable:
        assert decision.allows(Action.SEND_MESSAGE)


@given(age=st.integers(min_value=12, max_value=24), service=st.sampled_from(
    [Service.YOUTH, Service.PREGNANCY]))
def test_she_reads_and_writes_her_own(age, service):
    me = PersonFacts("s", _born(age), "home")
    decision = decide(Facts(me, me, (SelfRelation(),)), service, TODAY)
    assert rules.may_write(decision, rules.item(service))
