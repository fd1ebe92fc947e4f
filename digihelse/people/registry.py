"""Lookups in the population registry: persons, their children, their schools, personnel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from digihelse.people.models import Enrollment, ParentChild, Person, Personnel, Place
from digihelse.people.nin import age_on


@dataclass(frozen=True)
class PersonInfo:
    """A plain view of a person, safe to keep in UI state."""

    pid: str
    given_name: str
    family_name: str
    birth_date: dt.date
    address_protection: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, on: dt.date) -> int:
        return age_on(self.birth_date, on)


def info(person: Person) -> PersonInfo:
    return PersonInfo(person.nin, person.given_name, person.family_name, person.birth_date,
                      person.address_protection)


def person_by_pid(s: Session, pid: str) -> Person | None:
    return s.exec(select(Person).where(Person.nin == pid)).first()


def personnel_by_pid(s: Session, pid: str) -> tuple[Person, Personnel] | None:
    row = s.exec(
        select(Person, Personnel).join(Personnel, Personnel.person_id == Person.id)
        .where(Person.nin == pid)
    ).first()
    return None if row is None else (row[0], row[1])


def children_of(s: Session, parent: Person) -> list[tuple[Person, ParentChild]]:
    rows = s.exec(
        select(Person, ParentChild).join(ParentChild, ParentChild.child_id == Person.id)
        .where(ParentChild.parent_id == parent.id).order_by(Person.birth_date.desc())
    ).all()
    return [(p, rel) for p, rel in rows]


def schools_of(s: Session, pupil: Person) -> list[Place]:
    return list(s.exec(
        select(Place).join(Enrollment, Enrollment.place_id == Place.id)
        .where(Enrollment.person_id == pupil.id)
    ).all())
