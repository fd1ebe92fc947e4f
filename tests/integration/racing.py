"""Real races for the integration tests: 50 pupils at Kari's school, an engine (and so a
connection) per thread, and a barrier that starts every call at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.people.models import Enrollment, Person, Place
from digihelse.people.nin import synthetic_nin
from tests.factories import SCHOOL

THREADS = 50


def racing_pupils(engine) -> list[Actor]:
    """THREADS pupils enrolled at the school, each able to book for herself."""
    pupils = []
    with db.write_session(engine) as s:
        school = s.exec(select(Place).where(Place.name == SCHOOL)).one()
        for i in range(THREADS):
            birth = dt.date(2011, 1, 1) + dt.timedelta(days=i * 7)
            person = Person(nin=synthetic_nin(birth, seed=i), given_name=f"Elev{i}",
                            family_name="Test", birth_date=birth)
            s.add(person)
            s.flush()
            s.add(Enrollment(person_id=person.id, place_id=school.id))
            pupils.append(Actor(pid=person.nin, role="citizen", name=f"Elev{i} Test"))
    return pupils


def run_at_once(calls):
    """Start every call at the same moment (a barrier), return results or exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # collected and checked by the test
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
