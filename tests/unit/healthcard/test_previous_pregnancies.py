"""Induced abortions among her earlier pregnancies are never shown to a partner with
fullmakt, not even when she shows him that section, neither on the card nor in its change
history; she and her carers see them."""

from __future__ import annotations

from sqlmodel import select

from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service
from digihelse.healthcard.models import PregnancyRecord
from digihelse.healthcard.validation import PregnancyDraft
from digihelse.people.models import Fullmakt
from tests.factories import citizen, staff


def test_a_partner_never_sees_terminations(engine, seeded):
    nora, jon, lise = seeded["nora"], seeded["jon"], staff(engine, seeded["lise"])
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=nora.id, receiver_id=jon.id, scope="pregnancy",
                       valid_from=today_oslo()))
    with db.session(engine) as s:
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == nora.id,
                                                      PregnancyRecord.active)).one()
    draft = service.draft_of(record)
    changed = PregnancyDraft(**{**draft.__dict__, "previous_pregnancies": {
        "births": 1, "terminations": 1}})
    service.update_pregnancy(engine, lise, nora.nin, changed, "Tidligere svangerskap")
    service.set_hidden_from_proxy(engine, citizen(nora), nora.nin, "section",
                                  "previous_pregnancies", hidden=False)

    as_jon = citizen(jon, nora)
    shown = service.get_card(engine, as_jon, nora.nin).background.previous_pregnancies
    assert shown is not None and shown.get("births") == 1 and "terminations" not in shown
    for viewer in (citizen(nora), lise):
        full = service.get_card(engine, viewer, nora.nin).background.previous_pregnancies
        assert full["terminations"] == 1
    changes = [c for v in service.history(engine, as_jon, nora.nin) for c in v.changes
               if c.field == "previous_pregnancies"]
    assert changes and all("terminations" not in (c.after or {}) and
                           "terminations" not in (c.before or {}) for c in changes)
    lise_changes = [c for v in service.history(engine, lise, nora.nin) for c in v.changes
                    if c.field == "previous_pregnancies"]
    assert any((c.after or {}).get("terminations") == 1 for c in lise_changes)
