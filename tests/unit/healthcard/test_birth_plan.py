"""Her birth plan: she writes it, her midwife and GP read it, a partner with fullmakt only
when she has not hidden it; every read and write is logged and versioned, and a bad field
is refused with all problems at once, nothing saved."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from digihelse.access.actors import AccessDenied
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.text import plain_text
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard.birth_plan import BirthPlanDraft, birth_plan, save_birth_plan
from digihelse.healthcard.errors import ValidationFailed
from digihelse.healthcard.models import BirthPlan, CardVersion, PainRelief
from digihelse.people.models import Fullmakt
from tests.factories import citizen, staff

PLAN = BirthPlanDraft(pain_relief=("natural", "epidural"), companions="Jon, kjæresten min",
                      language="Norsk", fears="Jeg er redd for keisersnitt.",
                      feeding="breast", other="Jeg vil gjerne ha dempet lys.")


@pytest.fixture
def nora(seeded):
    return seeded["nora"]


def _rows(engine, model, **match):
    with db.session(engine) as s:
        return list(s.exec(select(model).filter_by(**match)).all())


def test_she_writes_it_and_her_midwife_reads_it_logged(engine, seeded, nora):
    lise = staff(engine, seeded["lise"])
    assert not birth_plan(engine, citizen(nora), nora.nin).written
    saved = save_birth_plan(engine, citizen(nora), nora.nin, PLAN)
    seen = birth_plan(engine, lise, nora.nin)
    assert seen.written and not seen.may_edit
    assert seen.draft.pain_relief == ("natural", "epidural")
    assert seen.draft.companions == "Jon, kjæresten min" and seen.draft.feeding == "breast"
    assert birth_plan(engine, citizen(nora), nora.nin).may_edit
    reads = _rows(engine, AccessLog, object_type="birth_plan", action="read")
    assert any(r.actor_pid == lise.pid for r in reads)
    assert [v.action for v in _rows(engine, CardVersion, entity="birth_plan")] == ["create"]
    # Saving the same again writes no new version; a change does.
    save_birth_plan(engine, citizen(nora), nora.nin, PLAN)
    save_birth_plan(engine, citizen(nora), nora.nin,
                    BirthPlanDraft(**{**PLAN.__dict__, "interpreter": True}))
    assert [v.version for v in _rows(engine, CardVersion, entity="birth_plan")] == [1, 2]
    assert saved.id is not None


def test_only_she_writes_it(engine, seeded, nora):
    lise = staff(engine, seeded["lise"])
    with pytest.raises(AccessDenied):
        save_birth_plan(engine, lise, nora.nin, PLAN)


def test_a_partner_reads_it_unless_she_hid_it(engine, seeded, nora):
    jon = seeded["jon"]
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=nora.id, receiver_id=jon.id, scope="pregnancy",
                       valid_from=today_oslo()))
    save_birth_plan(engine, citizen(nora), nora.nin, PLAN)
    assert birth_plan(engine, citizen(jon, nora), nora.nin).draft.fears == PLAN.fears
    save_birth_plan(engine, citizen(nora), nora.nin,
                    BirthPlanDraft(**{**PLAN.__dict__, "hidden_from_proxy": True}))
    hidden = birth_plan(engine, citizen(jon, nora), nora.nin)
    assert not hidden.written and hidden.draft == BirthPlanDraft()  # as if none were written
    with pytest.raises(AccessDenied):
        save_birth_plan(engine, citizen(jon, nora), nora.nin, PLAN)


def test_bad_fields_are_refused_all_at_once_and_nothing_is_saved(engine, nora):
    bad = BirthPlanDraft(pain_relief=("laughing_gas_deluxe",), feeding="bottle",
                         fears="x" * 1001)
    with pytest.raises(ValidationFailed) as caught:
        save_birth_plan(engine, citizen(nora), nora.nin, bad)
    assert set(caught.value.errors) == {"pain_relief", "feeding", "fears"}
    assert _rows(engine, BirthPlan) == []


def test_control_characters_are_removed_before_it_is_stored(engine, nora):
    save_birth_plan(engine, citizen(nora), nora.nin,
                    BirthPlanDraft(other="Dempet\u202e lys\u0000"))
    assert birth_plan(engine, citizen(nora), nora.nin).draft.other == "Dempet lys"


# The one plan is saved over and over: the fixture's card carries across examples on purpose.
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.lists(st.sampled_from(list(PainRelief)), unique=True),
       text=st.text(max_size=290))
def test_what_she_saves_is_what_she_reads(engine, nora, choices, text):
    draft = BirthPlanDraft(pain_relief=tuple(choices), companions=text)
    save_birth_plan(engine, citizen(nora), nora.nin, draft)
    read = birth_plan(engine, citizen(nora), nora.nin).draft
    assert set(read.pain_relief) == set(choices)
    assert read.companions == plain_text(text)
