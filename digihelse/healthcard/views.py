"""What the card service hands out: plain frozen dataclasses, so pages never hold ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from digihelse.core.i18n.families import keyed
from digihelse.healthcard import reference
from digihelse.healthcard.dating import CrossCheck, ScheduleItem
from digihelse.healthcard.validation import PregnancyDraft


@dataclass(frozen=True)
class AuthorView:
    name: str
    role: str  # a StaffRole value or "citizen"
    hpr_number: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class FetusView:
    fetus_no: int
    heart_rate: int | None
    presentation: str | None
    movements: bool | None


@dataclass(frozen=True)
class ConsultationView:
    id: int
    held_on: dt.date
    ga_days: int
    ga_text: str  # "27+3"
    weight_kg: float | None
    bp_systolic: int | None
    bp_diastolic: int | None
    urine_protein: str | None
    oedema: int | None
    sf_height_cm: float | None
    fetuses: tuple[FetusView, ...]
    note: str
    hidden_from_proxy: bool
    author: AuthorView | None
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class LabResultView:
    id: int
    kind: str
    taken_on: dt.date
    ga_text: str | None
    value: str
    value_num: float | None
    unit: str | None
    note: str
    hidden_from_proxy: bool
    version: int

    @property
    def label_key(self) -> str:
        return keyed("card.lab", self.kind)


@dataclass(frozen=True)
class OwnNoteView:
    id: int
    kind: str  # note or question
    text: str
    created_at: dt.datetime
    hidden_from_proxy: bool


@dataclass(frozen=True)
class FollowUp:
    """One step of the RhD-negative follow-up (DOMAIN.md: fetal RhD at week 24,
    prophylaxis at week 28), with the day it is due and the result that did it."""

    key: str  # i18n: card.rhd.<key>
    due_on: dt.date
    done_on: dt.date | None
    result: str | None


@dataclass(frozen=True)
class Overview:
    woman_pid: str
    woman_name: str
    due_date: dt.date | None
    dating_method: str  # a DatingMethod value; text key card.dating.<value>
    due_date_lmp: dt.date | None
    due_date_ultrasound: dt.date | None
    last_period: dt.date | None
    scan_date: dt.date | None
    scan_method: str | None
    scan_mm: float | None
    ga_today: tuple[int, int] | None
    ga_today_text: str | None  # "27+3"; the page says t("card.overview.ga_today", ga=...)
    fetuses: int
    assisted_conception: bool
    next_consultation: ScheduleItem | None
    midwife: AuthorView | None
    gp: AuthorView | None
    rhd_negative: bool
    rhd_followup: tuple[FollowUp, ...] = ()
    # The app's own due date from the scan's measurement, beside the hospital's: for
    # personnel only, as a cross-check (dating.cross_check); None for everyone else.
    cross_check: CrossCheck | None = None

    @property
    def dating_key(self) -> str:
        return keyed("card.dating", self.dating_method)


@dataclass(frozen=True)
class Background:
    """Before pregnancy and the background sections; None where hidden from the viewer."""

    height_cm: float | None
    weight_before_kg: float | None
    bmi: float | None
    previous_pregnancies: dict[str, Any] | None
    health: dict[str, Any] | None
    lifestyle: dict[str, Any] | None
    contacts: dict[str, Any] | None
    hidden: tuple[str, ...]  # sections hidden from fullmakt receivers (the woman's choice)
    # The list sections (healthcard/sections.py); None where hidden from the viewer.
    points_of_contact: tuple[dict[str, Any], ...] | None = None
    medical_conditions: tuple[dict[str, Any], ...] | None = None
    medications: tuple[dict[str, Any], ...] | None = None
    genetic_disorders: tuple[dict[str, Any], ...] | None = None


@dataclass(frozen=True)
class EndingView:
    """How and when the pregnancy ended, for a viewer who may see it (healthcard/ending.py)."""

    kind: str  # an EndKind value; i18n card.end.kind.<kind>
    ended_on: dt.date
    shown_to_proxy: bool  # she lets those she gave fullmakt see it
    may_show_to_proxy: bool  # False for a termination: never shown to a fullmakt receiver

    @property
    def kind_key(self) -> str:
        return keyed("card.end.kind", self.kind)


@dataclass(frozen=True)
class CardView:
    """Everything the card pages show, already filtered for the viewer."""

    relation: str  # self, fullmakt or personnel
    record_id: int
    version: int
    overview: Overview
    timeline: tuple[ConsultationView, ...]  # newest first
    charts: reference.Charts
    schedule: tuple[ScheduleItem, ...]  # the nine recommended consultations
    ultrasounds: tuple[ScheduleItem, ...]
    lab_results: tuple[LabResultView, ...]
    notes: tuple[OwnNoteView, ...]  # newest first
    background: Background
    can_edit: bool
    can_write_notes: bool
    can_hide: bool
    # Her own readings at home ("målt selv"), newest first: home_readings.HomeReadingView.
    home_readings: tuple[Any, ...] = ()
    # Set once the pregnancy ended (then no week, countdown, schedule or booking).
    ending: EndingView | None = None


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionView:
    entity: str
    entity_id: int
    version: int
    action: str  # create, update, hide, show
    at: dt.datetime
    author: AuthorView
    reason: str | None
    changes: tuple[FieldChange, ...]  # against the previous version; all fields on create


@dataclass(frozen=True)
class WomanSummary:
    """One line of a carer's "Mine gravide"."""

    pid: str
    name: str
    age: int
    due_date: dt.date | None
    ga_text: str | None
    next_consultation: ScheduleItem | None
    last_consultation: dt.date | None
    open_questions: int  # the woman's questions since the last consultation
    role: str  # the viewer's role on this card: midwife or gp
    ended_on: dt.date | None = None  # the pregnancy ended: listed as ended, not as due


@dataclass(frozen=True)
class PregnancyForm:
    """What the carer's "Svangerskapet og bakgrunn" form starts from: the record as a draft,
    the version it was read at (sent back as expected_version, so a form that somebody else
    saved over is refused with StaleEdit), and the due date it gives now."""

    woman_name: str
    version: int
    draft: PregnancyDraft
    due_date: dt.date | None
    dating_method: str  # a DatingMethod value; text key card.dating.<value>
