"""Lookups in the population registry: persons, their children, their schools, personnel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
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


_PERSONS = "digihelse.people.by_pid"  # Session.info: the persons this transaction read


def person_by_pid(s: Session, pid: str) -> Person | None:
    """The person with this national id number. Read once a transaction: the policy, the
    service and the page all ask for the same person, and the ORM hands back the one
    object of its identity map anyway (a second SELECT would not refresh it)."""
    known = s.info.setdefault(_PERSONS, {})
    person = known.get(pid)
    if person is None:
        person = s.exec(select(Person).where(Person.nin == pid)).first()
        if person is not None:  # a miss is not kept: she may be registered meanwhile
            known[pid] = person
    return person


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_persons(session: OrmSession, _transaction: SessionTransaction) -> None:
    # Any end, a savepoint's too: a person made in a savepoint rolled back is gone.
    session.info.pop(_PERSONS, None)


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
