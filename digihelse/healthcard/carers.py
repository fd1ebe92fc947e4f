"""The carer's list ("Mine gravide"): the women whose card a midwife or GP keeps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import select

from digihelse.access.actors import AccessDenied, Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import to_oslo, today_oslo
from digihelse.healthcard import dating
from digihelse.healthcard.guard import carer_staff, log, require
from digihelse.healthcard.models import Consultation, NoteKind, OwnNote, PregnancyRecord
from digihelse.healthcard.views import WomanSummary
from digihelse.people.models import Person
from digihelse.people.nin import age_on


def my_women(s_or_engine: SessionOrEngine, actor: Actor, on: dt.date | None = None
             ) -> list[WomanSummary]:
    """"Mine gravide": the women whose active card has the actor as midwife or GP, the one
    whose next recommended consultation comes first at the top. Each woman listed is an
    access to her card, so each is checked and logged."""
    on = on or today_oslo()
    with transaction(s_or_engine) as s:
        staff = carer_staff(s, actor)
        if staff is None:
            raise AccessDenied("role_not_permitted", "only midwives and GPs keep cards")
        rows = s.exec(select(PregnancyRecord, Person)
                      .join(Person, Person.id == PregnancyRecord.woman_id)
                      .where(PregnancyRecord.active,
                             or_(PregnancyRecord.midwife_id == staff.id,
                                 PregnancyRecord.gp_id == staff.id))).all()
        summaries = []
        for record, woman in rows:
            require(s, actor, woman.nin, Action.VIEW_CARD, object_type="pregnancy_list",
                    object_id=record.id)
            held = sorted(s.exec(select(Consultation.held_on)
                                 .where(Consultation.record_id == record.id)))
            schedule = (dating.recommended_schedule(record.due_date, held)
                        if record.due_date and record.ended_on is None else [])
            last = held[-1] if held else None
            questions = s.exec(select(OwnNote.created_at).where(
                OwnNote.record_id == record.id, OwnNote.kind == NoteKind.QUESTION)).all()
            open_questions = sum(1 for at in questions
                                 if last is None or to_oslo(at).date() > last)
            summaries.append(WomanSummary(
                woman.nin, woman.full_name, age_on(woman.birth_date, on), record.due_date,
                None if record.ended_on else dating.ga_text_on(record.due_date, on),
                dating.next_consultation(schedule, on),
                last, open_questions, "midwife" if record.midwife_id == staff.id else "gp",
                ended_on=record.ended_on))
            log(s, actor, woman.nin, "read", "pregnancy_list", record.id)
        far = dt.date.max
        # Ended pregnancies last: nothing is due for them.
        summaries.sort(key=lambda w: (w.ended_on is not None, w.next_consultation.window_start
                                      if w.next_consultation else far, w.name))
        return summaries
