"""Demo check-ups on the two demo cards, written by the demo midwife through the service
(so they are versioned and logged like real ones). Idempotent."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from digihelse.healthcard import service
from digihelse.healthcard.models import Consultation, PregnancyRecord
from digihelse.healthcard.validation import ConsultationDraft, FetusDraft
from digihelse.people.actors import Actor
from digihelse.people.models import Person, Personnel

# woman: (weeks+days today, [(weeks, days, weight, systolic, diastolic, sf cm, heart rate)])
CHECKUPS = {
    "nora": ((27, 3), [(10, 0, 64.0, 112, 70, None, None), (18, 2, 66.5, 114, 72, None, 148),
                       (24, 1, 69.0, 116, 74, 23.5, 144)]),
    "maja": ((20, 1), [(10, 4, 55.0, 108, 66, None, None), (18, 0, 56.5, 110, 68, None, 150)]),
}


def seed_checkups(s: Session, persons: dict[str, Person], today: dt.date) -> None:
    midwife_person = persons["lise"]
    staff = s.exec(select(Personnel).where(Personnel.person_id == midwife_person.id)).one()
    lise = Actor(pid=midwife_person.nin, role=staff.role, name=midwife_person.full_name,
                 hpr_number=staff.hpr_number, organisation=staff.organisation)
    for key, ((weeks, days), rows) in CHECKUPS.items():
        woman = persons[key]
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == woman.id,
                                                      PregnancyRecord.active)).first()
        if record is None or s.exec(select(Consultation.id).where(
                Consultation.record_id == record.id)).first() is not None:
            continue
        ga_today = weeks * 7 + days
        for w, d, weight, systolic, diastolic, sf, heart_rate in rows:
            held_on = today - dt.timedelta(days=ga_today - (w * 7 + d))
            fetuses = (FetusDraft(1, heart_rate, None, None),) if heart_rate else ()
            service.record_consultation(s, lise, woman.nin, ConsultationDraft(
                held_on=held_on, weight_kg=weight, bp_systolic=systolic, bp_diastolic=diastolic,
                urine_protein="neg", oedema=0, sf_height_cm=sf, fetuses=fetuses))
            s.commit()
