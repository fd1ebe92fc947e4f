"""Demo check-ups on the two demo cards, written by the demo midwife through the service
(so they are versioned and logged like real ones). Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session, select

from digihelse.access.actors import Actor
from digihelse.healthcard import dating, service
from digihelse.healthcard.models import Consultation, LabResult, PregnancyRecord
from digihelse.healthcard.validation import ConsultationDraft, FetusDraft, LabDraft
from digihelse.people.models import Person, Personnel

# woman: (weeks+days today, [(weeks, days, weight, systolic, diastolic, sf cm, heart rate)])
CHECKUPS = {
    "nora": ((27, 3), [(10, 0, 64.0, 112, 70, None, None), (18, 2, 66.5, 114, 72, None, 148),
                       (24, 1, 69.0, 116, 74, 23.5, 144)]),
    "maja": ((20, 1), [(10, 4, 55.0, 108, 66, None, None), (18, 0, 56.5, 110, 68, None, 150)]),
}


# woman: [(kind, week of pregnancy, value)], taken at the first consultation unless later
TESTS = {
    "nora": [("blood_type", 10, "O"), ("rhd", 10, "pos"), ("antibodies", 10, "neg"),
             ("hb_first", 10, "12,4"), ("ferritin", 10, "38"), ("hbv", 10, "neg"),
             ("hiv", 10, "neg"), ("syphilis", 10, "neg")],
    # Maja is RhD negative, so her card shows the follow-up at weeks 24 and 28.
    "maja": [("blood_type", 10, "A"), ("rhd", 10, "neg"), ("antibodies", 10, "neg"),
             ("hb_first", 10, "11,6"), ("hbv", 10, "neg"), ("hiv", 10, "neg"),
             ("syphilis", 10, "neg")],
}
# woman: the background the midwife filled in at the first consultation
BACKGROUND = {
    "nora": {"height_cm": 168.0, "weight_before_kg": 62.0,
             "previous_pregnancies": {"births": 1, "caesareans": 0, "miscarriages": 0},
             "health": {"allergies": "Pollen", "folate": True},
             "lifestyle": {"first": {"smoking": "no", "snus": "stopped", "alcohol": "stopped",
                                     "activity": "Går tur daglig"}},
             "points_of_contact": (
                 {"role": "gp", "name": "Ole Strand", "organisation": "Fjordvik legesenter"},
                 {"role": "birth_institution", "name": "Fjordvik sykehus"}),
             "medications": ({"name": "Folsyre", "dose": "0,4 mg daglig", "atc": "B03BB01"},)},
    "maja": {"height_cm": 163.0, "weight_before_kg": 54.0,
             "health": {"folate": True},
             "lifestyle": {"first": {"smoking": "no", "snus": "no", "alcohol": "no"}}},
}


def _demo_midwife(s: Session, persons: dict[str, Person]) -> Actor:
    midwife_person = persons["lise"]
    staff = s.exec(select(Personnel).where(Personnel.person_id == midwife_person.id)).one()
    return Actor(pid=midwife_person.nin, role=staff.role, name=midwife_person.full_name,
                 hpr_number=staff.hpr_number, organisation=staff.organisation)


def seed_tests_and_background(s: Session, persons: dict[str, Person], today: dt.date) -> None:
    """Test results and background on the demo cards, once."""
    lise = _demo_midwife(s, persons)
    for key, tests in TESTS.items():
        woman = persons[key]
        record = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == woman.id,
                                                      PregnancyRecord.active)).first()
        if record is None or record.due_date is None or s.exec(select(LabResult.id).where(
                LabResult.record_id == record.id)).first() is not None:
            continue
        for kind, week, value in tests:
            taken_on = min(today, dating.date_at_ga(record.due_date, week))
            service.record_lab_result(s, lise, woman.nin, LabDraft(kind, taken_on, value))
        draft = replace(service.draft_of(record), **BACKGROUND[key])
        service.update_pregnancy(s, lise, woman.nin, draft, "Første konsultasjon")
        s.commit()


def seed_checkups(s: Session, persons: dict[str, Person], today: dt.date) -> None:
    lise = _demo_midwife(s, persons)
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
