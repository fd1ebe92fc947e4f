"""The population registry: persons, addresses, family relations, places and personnel.

Shaped so that a later import from Folkeregisteret fits: persons are keyed by their
national id number, and addresses carry a key that tells who lives together."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow
from digihelse.people.kinds import AddressProtection


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=4)
    name: str


class Place(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str = Field(max_length=32)
    name: str
    address: str = ""
    description: str = ""
    # Where a refusal says "ring": the number, and when it answers, in the place's words
    # ("Hverdager 08.00–15.30"); shown as written.
    phone: str = Field(default="", max_length=20)
    phone_hours: str = Field(default="", max_length=200)
    # The answer time the place promises for messages, in working days ("innen 2
    # skoledager" at a school, "virkedager" elsewhere); the inbox measures waits against it.
    reply_days: int = Field(default=2, sa_column_kwargs={"server_default": "2"})


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    nin: str = Field(unique=True, min_length=11, max_length=11)
    given_name: str
    family_name: str
    birth_date: dt.date  # derived from nin when the person is created
    address: str = ""
    # Persons with the same key are registered at the same address.
    address_key: str | None = Field(default=None, index=True)
    address_protection: str = Field(default=AddressProtection.NONE, max_length=8)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ParentChild(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="person.id", index=True)
    child_id: int = Field(foreign_key="person.id", index=True)
    parental_responsibility: bool = True


class Enrollment(SQLModel, table=True):
    """A pupil attends a school."""

    __table_args__ = (UniqueConstraint("person_id", "place_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    # The pupil's class, as the school names it ("8B", "Vg1 ST"): the nurse's day shows it.
    school_class: str | None = Field(default=None, max_length=16)


class Personnel(SQLModel, table=True):
    """Health personnel, authorised in Helsepersonellregisteret (HPR)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    hpr_number: str = Field(unique=True, max_length=9)
    role: str = Field(max_length=32)
    organisation: str


class StaffAssignment(SQLModel, table=True):
    """A health worker serves a place (a school, a clinic, a GP office)."""

    __table_args__ = (UniqueConstraint("personnel_id", "place_id"),)
    id: int | None = Field(default=None, primary_key=True)
    personnel_id: int = Field(foreign_key="personnel.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)


class Fullmakt(SQLModel, table=True):
    """A power of attorney: the giver lets the receiver act for them in some services.

    `scope` is a comma-separated list of Service values (e.g. "pregnancy")."""

    id: int | None = Field(default=None, primary_key=True)
    giver_id: int = Field(foreign_key="person.id", index=True)
    receiver_id: int = Field(foreign_key="person.id", index=True)
    scope: str = Field(max_length=64)
    valid_from: dt.date
    valid_to: dt.date | None = None  # open-ended when None
    revoked_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def services(self) -> frozenset[str]:
        return frozenset(part for part in self.scope.split(",") if part)


class AgeNotice(SQLModel, table=True):
    """A plain-language notice, before a birthday, of what changes at 12 or at 16."""

    __tablename__ = "age_notice"
    __table_args__ = (UniqueConstraint("subject_id", "recipient_id", "turns"),)
    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="person.id", index=True)  # who has the birthday
    recipient_id: int = Field(foreign_key="person.id", index=True)  # the pupil or a parent
    turns: int  # 12 or 16
    birthday: dt.date
    created_at: dt.datetime = Field(default_factory=utcnow)
    read_at: dt.datetime | None = None
