"""Reading the card: everything the card pages show, already filtered for the viewer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from digihelse.access import policy
from digihelse.access.actors import Action, Actor
from digihelse.access.enforcement import read_once
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import dating, reference
from digihelse.healthcard.consultations import fetus_rows
from digihelse.healthcard.dating import ScheduleItem
from digihelse.healthcard.guard import (
    check_ended_card,
    is_proxy,
    log,
    notes_visible,
    previous_for,
    require,
    visible,
)
from digihelse.healthcard.home_readings import chart_measurements, view_of, visible_rows
from digihelse.healthcard.lookup import record_for
from digihelse.healthcard.models import (
    Consultation,
    LabKind,
    LabResult,
    OwnNote,
    PregnancyRecord,
    Section,
)
from digihelse.healthcard.sections import COLUMNS, HIDDEN_WITH
from digihelse.healthcard.validation import bmi
from digihelse.healthcard.versioning import E_RECORD
from digihelse.healthcard.views import (
    AuthorView,
    Background,
    CardView,
    ConsultationView,
    EndingView,
    FollowUp,
    LabResultView,
    Overview,
    OwnNoteView,
)
from digihelse.people.models import Person, Personnel

# The RhD-negative follow-up (DOMAIN.md): fetal RhD at week 24, prophylaxis at week 28.
RHD_FOLLOWUP = (("fetal_rhd", LabKind.FETAL_RHD, 24), ("prophylaxis", LabKind.RH_PROPHYLAXIS, 28))


def author_views(s: Session, personnel_ids: Iterable[int | None]) -> dict[int, AuthorView]:
    """The registry's name, role, HPR number and organisation of each health worker."""
    ids = {i for i in personnel_ids if i is not None}
    if not ids:
        return {}
    rows = s.exec(select(Personnel, Person).join(Person, Person.id == Personnel.person_id)
                  .where(col(Personnel.id).in_(ids))).all()
    return {worker.id: AuthorView(person.full_name, str(worker.role), worker.hpr_number,
                                  worker.organisation) for worker, person in rows}


def held_days(s: Session, record_id: int) -> list[dt.date]:
    """The days of every consultation held (hidden ones too), once per page."""
    return read_once(s, ("held_on", record_id), lambda: list(s.exec(
        select(Consultation.held_on).where(Consultation.record_id == record_id))))


def _consultations(s: Session, record: PregnancyRecord) -> list[Consultation]:
    return list(s.exec(select(Consultation).where(Consultation.record_id == record.id)
                       .order_by(col(Consultation.held_on).desc(),
                                 col(Consultation.id).desc())))


def _rhd_followup(record: PregnancyRecord, labs: Sequence[LabResult]
                  ) -> tuple[bool, tuple[FollowUp, ...]]:
    rhd = next((lab for lab in sorted(labs, key=lambda x: x.taken_on, reverse=True)
                if lab.kind == LabKind.RHD), None)
    if rhd is None or rhd.value != "neg" or record.due_date is None:
        return False, ()
    steps = []
    for key, kind, week in RHD_FOLLOWUP:
        done = next((lab for lab in labs if lab.kind == kind), None)
        steps.append(FollowUp(key, dating.date_at_ga(record.due_date, week),
                              done.taken_on if done else None, done.value if done else None))
    return True, tuple(steps)


def _overview(s: Session, woman: Person, record: PregnancyRecord, on: dt.date,
              schedule: Sequence[ScheduleItem], labs: Sequence[LabResult],
              relation: str = "") -> Overview:
    days = dating.ga_in_pregnancy(record.due_date, on)
    ga = None if days is None else dating.split_ga(days)
    carers = author_views(s, (record.midwife_id, record.gp_id))
    rhd_negative, followup = _rhd_followup(record, labs)
    if record.ended_on is not None:  # the card stops: no week today, nothing due
        ga, followup = None, ()
    return Overview(
        woman_pid=woman.nin, woman_name=woman.full_name, due_date=record.due_date,
        dating_method=record.dating_method, due_date_lmp=record.due_date_lmp,
        due_date_ultrasound=record.due_date_ultrasound, last_period=record.last_period,
        scan_date=record.scan_date, scan_method=record.scan_method, scan_mm=record.scan_mm,
        ga_today=ga, ga_today_text=dating.format_ga(ga) if ga else None,
        fetuses=record.fetuses, assisted_conception=record.assisted_conception,
        next_consultation=dating.next_consultation(schedule, on),
        midwife=carers.get(record.midwife_id) if record.midwife_id else None,
        gp=carers.get(record.gp_id) if record.gp_id else None,
        rhd_negative=rhd_negative, rhd_followup=followup,
        # The app's computation is a cross-check for personnel only; she (and anyone she
        # shares with) sees the recorded due date and how it was set (issue #20).
        cross_check=(dating.cross_check(record.due_date_ultrasound, record.scan_date,
                                        record.scan_method, record.scan_mm)
                     if relation == policy.RelationKind.PERSONNEL else None))


def _background(record: PregnancyRecord, proxy: bool) -> Background:
    hidden = tuple(record.hidden_sections or ())

    def section(name: Section, value: Any) -> Any:
        return None if proxy and name in hidden else value

    before_hidden = proxy and Section.BEFORE_PREGNANCY in hidden
    return Background(
        height_cm=None if before_hidden else record.height_cm,
        weight_before_kg=None if before_hidden else record.weight_before_kg,
        bmi=None if before_hidden else bmi(record.height_cm, record.weight_before_kg),
        previous_pregnancies=section(Section.PREVIOUS_PREGNANCIES,
                                     previous_for(record.previous_pregnancies, proxy)),
        health=section(Section.HEALTH, dict(record.health or {})),
        lifestyle=section(Section.LIFESTYLE, dict(record.lifestyle or {})),
        contacts=section(Section.CONTACTS, dict(record.contacts or {})),
        hidden=hidden,
        **{column: section(Section(HIDDEN_WITH[column]),
                           tuple(dict(e) for e in getattr(record, column) or ()))
           for column in COLUMNS})


def _card_view(s: Session, decision: policy.Decision, woman: Person, record: PregnancyRecord,
               on: dt.date) -> CardView:
    relation = decision.relation
    every = _consultations(s, record)
    consultations = [c for c in every if visible(relation, c.hidden_from_proxy)]
    fetuses = fetus_rows(s, [c.id for c in consultations])
    authors = author_views(s, (c.author_personnel_id for c in consultations))
    timeline = tuple(ConsultationView(
        c.id, c.held_on, c.ga_days, dating.format_ga(max(c.ga_days, 0)), c.weight_kg,
        c.bp_systolic, c.bp_diastolic, c.urine_protein, c.oedema, c.sf_height_cm,
        tuple(fetuses.get(c.id, ())), c.note, c.hidden_from_proxy,
        authors.get(c.author_personnel_id) if c.author_personnel_id else None, c.version,
        c.updated_at) for c in consultations)
    # The schedule counts every consultation held, also those hidden from this viewer:
    # "done" says nothing about what was found.
    all_days = read_once(s, ("held_on", record.id), lambda: [c.held_on for c in every])
    schedule = (dating.recommended_schedule(record.due_date, all_days)
                if record.due_date else [])
    ultrasounds = (dating.recommended_ultrasounds(
        record.due_date, [record.scan_date] if record.scan_date else [])
        if record.due_date else [])
    if record.ended_on is not None:  # the pregnancy ended: no schedule to follow
        schedule, ultrasounds = [], []
    all_labs = list(s.exec(select(LabResult).where(LabResult.record_id == record.id)
                           .order_by(col(LabResult.taken_on), col(LabResult.id))))
    labs = [lab for lab in all_labs if visible(relation, lab.hidden_from_proxy)]
    lab_views = tuple(LabResultView(
        lab.id, lab.kind, lab.taken_on, dating.ga_text_on(record.due_date, lab.taken_on),
        lab.value, lab.value_num, lab.unit, lab.note, lab.hidden_from_proxy, lab.version)
        for lab in labs)
    notes = tuple(OwnNoteView(n.id, n.kind, n.text, n.created_at, n.hidden_from_proxy)
                  for n in s.exec(select(OwnNote).where(OwnNote.record_id == record.id)
                                  .order_by(col(OwnNote.created_at).desc(),
                                            col(OwnNote.id).desc()))
                  if notes_visible(relation) and visible(relation, n.hidden_from_proxy))
    background = _background(record, is_proxy(relation))
    measurements = [reference.Measurement(c.held_on, c.ga_days, c.weight_kg, c.bp_systolic,
                                          c.bp_diastolic, c.sf_height_cm)
                    for c in consultations]
    # Her own readings at home ("målt selv"), beside the consultations in the charts.
    home_rows = visible_rows(s, record, relation)
    return CardView(
        relation=relation, record_id=record.id, version=record.version,
        overview=_overview(s, woman, record, on, schedule, labs, relation),
        timeline=timeline,
        charts=reference.charts(measurements, background.weight_before_kg,
                                home=chart_measurements(record, home_rows)),
        home_readings=tuple(view_of(record, row) for row in home_rows),
        schedule=tuple(schedule), ultrasounds=tuple(ultrasounds), lab_results=lab_views,
        notes=notes, background=background,
        can_edit=decision.allows(Action.EDIT_CARD),
        can_write_notes=decision.allows(Action.WRITE_OWN_NOTES),
        can_hide=decision.allows(Action.WRITE_OWN_NOTES),
        ending=(EndingView(record.end_kind, record.ended_on, record.ending_shown_to_proxy,
                           record.end_kind != "termination")
                if record.ended_on is not None and record.end_kind else None))


def get_card(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
             on: dt.date | None = None) -> CardView:
    """The woman's card as the actor may see it, on a day (today in Oslo by default).

    A fullmakt receiver does not see the items and sections the woman hid. Logs the view.
    Raises AccessDenied (logged) or CardNotFound."""
    on = on or today_oslo()
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Action.VIEW_CARD, object_type=E_RECORD)
        woman, record = record_for(s, woman_pid)
        check_ended_card(decision.relation, record)
        view = _card_view(s, decision, woman, record, on)
        log(s, actor, woman_pid, "read", E_RECORD, record.id)
        return view
