"""The synthetic persons the embedded test providers offer, read from the registry."""

from __future__ import annotations

from sqlmodel import select

from digihelse.core.db import session as db_session
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.models import Enrollment, ParentChild, Person, Personnel
from digihelse_dev.seed import demo_description


def _roles(person: Person, pupils: set[int], parents: set[int], pregnant: set[int],
           staff: dict[int, Personnel]) -> list[str]:
    roles = []
    if person.id in staff:
        roles.append(staff[person.id].role)
    if person.id in pupils:
        roles.append("pupil")
    if person.id in parents:
        roles.append("parent")
    if person.id in pregnant:
        roles.append("pregnant")
    if person.address_protection != "none":
        roles.append(person.address_protection)
    return roles or ["citizen"]


def _load() -> list[tuple[Person, list[str], Personnel | None]]:
    with db_session() as s:
        persons = list(s.exec(select(Person).order_by(Person.birth_date.desc())))
        pupils = set(s.exec(select(Enrollment.person_id)))
        parents = set(s.exec(select(ParentChild.parent_id)))
        pregnant = set(s.exec(select(PregnancyRecord.woman_id).where(PregnancyRecord.active)))
        staff = {w.person_id: w for w in s.exec(select(Personnel))}
    return [(p, _roles(p, pupils, parents, pregnant, staff), staff.get(p.id)) for p in persons]


def citizen_test_users():
    """Everyone in the registry, youngest first, as the citizen provider's test persons."""
    from digihelse_dev.providers.config import TestUser

    return [
        TestUser(pid=p.nin, name=p.full_name, birth_date=p.birth_date, roles=roles,
                 description=demo_description(p))
        for p, roles, worker in _load() if worker is None
    ]


def personnel_test_users():
    """The health personnel, as the personnel provider's test persons."""
    from digihelse_dev.providers.config import TestUser

    return [
        TestUser(pid=p.nin, name=p.full_name, birth_date=p.birth_date, roles=roles,
                 description=demo_description(p), hpr_number=worker.hpr_number)
        for p, roles, worker in _load() if worker is not None
    ]
