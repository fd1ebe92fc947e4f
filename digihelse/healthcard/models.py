"""The pregnancy record (helsekort for gravide): the current pregnancy and its carers.

Modelled on NHN's maternity record (DOMAIN.md, "The pregnancy card"):

* ``PregnancyRecord``: one per pregnancy, at most one ACTIVE per woman (a partial unique
  index enforces it in the database, so two carers creating a card at once cannot both
  succeed). The current pregnancy's dating, the measurements before pregnancy, and the
  background sections (previous pregnancies, illnesses, medication, allergies, lifestyle,
  contacts), the latter as JSON: they are read and written whole, by section.
* ``Consultation`` with one ``FetusObservation`` per fetus: the rows of the paper card.
* ``LabResult``: the tests (blood type, RhD, antibodies, Hb, ferritin, infections, glucose
  tolerance, fetal RhD and prophylaxis), one row per result.
* ``OwnNote``: the woman's own notes and questions for the next consultation.
* ``CardVersion``: every version of every entity above, with its author (name, HPR number,
  role, organisation), the time and the reason; append-only (the migration adds triggers).

The items a woman can hide from the people she has given fullmakt carry
``hidden_from_proxy``; whole sections of the record are listed in
``PregnancyRecord.hidden_sections``."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow


class UrineProtein(enum.StrEnum):
    """Urine dipstick protein, as on the paper card."""

    NEG = "neg"
    TRACE = "spor"
    ONE = "1+"
    TWO = "2+"
    THREE = "3+"


class Presentation(enum.StrEnum):
    """Fosterleie."""

    CEPHALIC = "cephalic"  # hodeleie
    BREECH = "breech"  # seteleie
    TRANSVERSE = "transverse"  # tverrleie
    UNKNOWN = "unknown"  # not determined


class LabKind(enum.StrEnum):
    """The tests on the card (DOMAIN.md); validation.LAB_RULES says what each value may be."""

    BLOOD_TYPE = "blood_type"
    RHD = "rhd"
    ANTIBODIES = "antibodies"
    HB_FIRST = "hb_first"  # first trimester
    HB_THIRD = "hb_third"  # third trimester
    FERRITIN = "ferritin"
    HBV = "hbv"
    HIV = "hiv"
    SYPHILIS = "syphilis"
    OGTT_FASTING = "ogtt_fasting"  # glucose tolerance, fasting value
    OGTT_2H = "ogtt_2h"  # glucose tolerance, two-hour value
    FETAL_RHD = "fetal_rhd"  # RhD-negative follow-up, week 24
    RH_PROPHYLAXIS = "rh_prophylaxis"  # RhD-negative follow-up, week 28


class NoteKind(enum.StrEnum):
    NOTE = "note"
    QUESTION = "question"  # for the next consultation


class Section(enum.StrEnum):
    """The parts of the record a woman can hide from fullmakt receivers as a whole."""

    BEFORE_PREGNANCY = "before_pregnancy"
    PREVIOUS_PREGNANCIES = "previous_pregnancies"
    HEALTH = "health"  # illnesses, medication, allergies, folate
    LIFESTYLE = "lifestyle"
    CONTACTS = "contacts"
    HOME_READINGS = "home_readings"  # what she measured herself (HomeReading)


# Privacy by default: earlier pregnancies (miscarriages, terminations, stillbirths) are not
# shown to a partner with fullmakt until the woman chooses to show them. Our choice.
# Her own home readings likewise: a partner sees them only when she shows them.
DEFAULT_HIDDEN_SECTIONS = [Section.PREVIOUS_PREGNANCIES.value, Section.HOME_READINGS.value]


def _default_hidden() -> list[str]:
    return list(DEFAULT_HIDDEN_SECTIONS)


class PregnancyRecord(SQLModel, table=True):
    __table_args__ = (
        # One active record per woman, enforced by the database.
        Index("ux_pregnancyrecord_active_woman", "woman_id", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
    )
    id: int | None = Field(default=None, primary_key=True)
    woman_id: int = Field(foreign_key="person.id", index=True)
    active: bool = True
    last_period: dt.date | None = None
    due_date_lmp: dt.date | None = None  # 283 days after the last period (NGF)
    due_date_ultrasound: dt.date | None = None
    due_date: dt.date | None = None  # the corrected due date in use
    fetuses: int = 1
    assisted_conception: bool = False
    midwife_id: int | None = Field(default=None, foreign_key="personnel.id")
    gp_id: int | None = Field(default=None, foreign_key="personnel.id")
    created_at: dt.datetime = Field(default_factory=utcnow)

    # How the due date in use was set: a dating.DatingMethod value.
    dating_method: str = Field(default="lmp", max_length=16)
    # The dating scan, when the ultrasound due date comes from a measurement.
    scan_date: dt.date | None = None
    scan_method: str | None = Field(default=None, max_length=8)  # crl or bpd
    scan_mm: float | None = None
    # IVF: the day of embryo transfer and the embryo's age then (days).
    transfer_date: dt.date | None = None
    embryo_age_days: int | None = None

    # Before pregnancy (BMI is computed, never stored).
    height_cm: float | None = None
    weight_before_kg: float | None = None
    # Background sections, read and written whole; keys are listed in validation.py.
    previous_pregnancies: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    health: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    lifestyle: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    contacts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    hidden_sections: list[str] = Field(default_factory=_default_hidden, sa_type=JSON)
    # Sections level with NHN's maternity record (issue #20): lists of entries, each with a
    # stable "id"; their keys and checks are in healthcard/sections.py.
    points_of_contact: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    medical_conditions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    medications: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    genetic_disorders: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)

    version: int = 1
    updated_at: dt.datetime = Field(default_factory=utcnow)
    ended_on: dt.date | None = None  # birth or end of pregnancy (healthcard/ending.py)
    # --- When a pregnancy ends (healthcard/ending.py) ---
    end_kind: str | None = Field(default=None, max_length=16)  # an EndKind value
    # She lets those she gave fullmakt see the ending (never a termination: guard.py).
    ending_shown_to_proxy: bool = False


class EndKind(enum.StrEnum):
    """How the pregnancy ended, as the midwife or GP records it."""

    BIRTH = "birth"  # a live birth: the card ends normally
    MISCARRIAGE = "miscarriage"  # spontanabort
    TERMINATION = "termination"  # induced abortion (abortloven)
    STILLBIRTH = "stillbirth"  # dødfødsel


class Consultation(SQLModel, table=True):
    """One row of the card: a check-up by a midwife or GP."""

    __tablename__ = "pregnancy_consultation"
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", index=True)
    held_on: dt.date
    # Gestational age in days on held_on, computed from the due date in use when recorded
    # and kept for convenience (a later change of due date recomputes it).
    ga_days: int
    weight_kg: float | None = None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    urine_protein: str | None = Field(default=None, max_length=4)  # a UrineProtein value
    oedema: int | None = None  # 0-3
    sf_height_cm: float | None = None  # symphysis-fundus height, from week 24
    note: str = Field(default="", max_length=2000)
    hidden_from_proxy: bool = False
    author_personnel_id: int | None = Field(default=None, foreign_key="personnel.id")
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class FetusObservation(SQLModel, table=True):
    """Per fetus at one consultation: heart rate, presentation, movements felt."""

    __tablename__ = "pregnancy_fetus_observation"
    __table_args__ = (UniqueConstraint("consultation_id", "fetus_no"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="pregnancy_consultation.id", index=True)
    fetus_no: int = 1  # 1 for a singleton; twins are 1 and 2
    heart_rate: int | None = None  # beats per minute
    presentation: str | None = Field(default=None, max_length=16)  # a Presentation value
    movements: bool | None = None  # the woman feels movements


class LabResult(SQLModel, table=True):
    __tablename__ = "pregnancy_lab_result"
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", index=True)
    kind: str = Field(max_length=24)  # a LabKind value
    taken_on: dt.date
    value: str = Field(max_length=64)  # a code (e.g. "neg", "A") or the number as written
    value_num: float | None = None  # numeric results, for charts and queries
    unit: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=500)
    hidden_from_proxy: bool = False
    author_personnel_id: int | None = Field(default=None, foreign_key="personnel.id")
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class OwnNote(SQLModel, table=True):
    """The woman's own note or question; her midwife and GP see it too."""

    __tablename__ = "pregnancy_own_note"
    # Her notes and readings can be deleted while their versions stay: SQLite must never
    # give a deleted row's id to a new one (its versions would clash), so AUTOINCREMENT.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", index=True)
    kind: str = Field(default=NoteKind.NOTE, max_length=8)  # a NoteKind value
    text: str = Field(max_length=2000)
    hidden_from_proxy: bool = False
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CardVersion(SQLModel, table=True):
    """One version of one entity on the card: a full snapshot, who made it, when and why.

    Append-only: the database refuses UPDATE and DELETE (migration 0004). The author is
    copied, not referenced, so the history stays true when personnel records change."""

    __tablename__ = "pregnancy_version"
    __table_args__ = (UniqueConstraint("entity", "entity_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", index=True)
    entity: str = Field(max_length=24)  # pregnancy_record, consultation, lab_result, own_note
    entity_id: int
    version: int
    action: str = Field(max_length=16)  # create, update, hide, show
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    reason: str | None = Field(default=None, max_length=500)
    author_pid: str = Field(max_length=11)
    author_name: str
    author_role: str = Field(max_length=32)  # a StaffRole value, or "citizen"
    author_hpr: str | None = Field(default=None, max_length=9)
    author_organisation: str | None = None
    at: dt.datetime = Field(default_factory=utcnow, index=True)


class PainRelief(enum.StrEnum):
    """What she thinks about pain relief (she may tick several)."""

    WAIT_AND_SEE = "wait_and_see"  # decide on the day
    NATURAL = "natural"  # bath, massage, acupuncture, sterile water
    NITROUS_OXIDE = "nitrous_oxide"  # lystgass
    EPIDURAL = "epidural"


class Feeding(enum.StrEnum):
    BREAST = "breast"
    FORMULA = "formula"
    UNSURE = "unsure"


class BirthPlan(SQLModel, table=True):
    """Her wishes for the birth ("Ønsker for fødselen"), in her words, one per card. Her
    midwife and GP read it; a partner with fullmakt only if she lets him."""

    __tablename__ = "pregnancy_birth_plan"
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", unique=True)
    pain_relief: list[str] = Field(default_factory=list, sa_type=JSON)  # PainRelief values
    pain_relief_text: str = Field(default="", max_length=500)
    companions: str = Field(default="", max_length=300)  # who is with her
    language: str = Field(default="", max_length=100)
    interpreter: bool = False
    fears: str = Field(default="", max_length=1000)
    feeding: str = Field(default="", max_length=8)  # a Feeding value, or "" not said
    other: str = Field(default="", max_length=1000)
    hidden_from_proxy: bool = False
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class HomeReading(SQLModel, table=True):
    """A reading she took herself at home ("målt selv"): blood pressure (with the pulse if
    the device shows it) and/or weight, with when she measured. Kept apart from the carers'
    consultations, versioned like her notes; her midwife and GP see it, a partner with
    fullmakt only when she shows the section Section.HOME_READINGS."""

    __tablename__ = "pregnancy_home_reading"
    # Her notes and readings can be deleted while their versions stay: SQLite must never
    # give a deleted row's id to a new one (its versions would clash), so AUTOINCREMENT.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="pregnancyrecord.id", index=True)
    measured_at: dt.datetime
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    pulse: int | None = None
    weight_kg: float | None = None
    hidden_from_proxy: bool = False
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
# --- Her consent to the card in the app (issue #20) ---------------------------------------


class ConsentHow(enum.StrEnum):
    """How she consented to the card in the app."""

    APP = "app"  # she consented herself, in the app
    IN_PERSON = "in_person"  # she told her midwife or GP, who recorded it


class CardConsent(SQLModel, table=True):
    """Her consent to a pregnancy card in the app: given in the app or recorded by her carer
    (who, when); withdrawn_at once she withdraws it. At most one standing consent per woman
    (a partial unique index). Holds no health data beyond the fact of the consent."""

    __tablename__ = "pregnancy_consent"
    __table_args__ = (
        Index("ux_pregnancy_consent_standing", "woman_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"),
              postgresql_where=text("withdrawn_at IS NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    woman_id: int = Field(foreign_key="person.id", index=True)
    how: str = Field(max_length=16)  # a ConsentHow value
    given_at: dt.datetime = Field(default_factory=utcnow)
    # In person: the carer who recorded it, copied as the card's versions copy authors.
    recorded_by_pid: str | None = Field(default=None, max_length=11)
    recorded_by_name: str | None = None
    recorded_by_hpr: str | None = Field(default=None, max_length=9)
    recorded_by_role: str | None = Field(default=None, max_length=32)
    withdrawn_at: dt.datetime | None = None


class CardRemoval(SQLModel, table=True):
    """A card removed from the app because she withdrew her consent: no health data, only
    that record N of this woman was removed, when and why. Its row is what lets the
    database delete the card's versions (migration 0019: the append-only trigger on
    pregnancy_version allows DELETE only for a record named here); append-only itself."""

    __tablename__ = "pregnancy_card_removal"
    # A record is named by its id and its creation time: SQLite may give a removed
    # record's id to a later card, and this row must never let that card's versions go.
    __table_args__ = (UniqueConstraint("record_id", "record_created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(index=True)  # not a foreign key: the record is deleted
    record_created_at: dt.datetime
    woman_id: int = Field(foreign_key="person.id", index=True)
    removed_at: dt.datetime = Field(default_factory=utcnow)
    cause: str = Field(default="consent_withdrawn", max_length=24)
