"""Finding the woman, her active card and an item on it; a missing one is a CardError."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from digihelse.access.enforcement import read_once
from digihelse.healthcard.errors import CardNotFound, ItemNotFound
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.models import Person
from digihelse.people.registry import person_by_pid


def woman(s: Session, pid: str) -> Person:
    person = person_by_pid(s, pid)
    if person is None:
        raise CardNotFound()
    return person


def active_record(s: Session, woman_row: Person, *, lock: bool = False
                  ) -> PregnancyRecord | None:
    query = select(PregnancyRecord).where(PregnancyRecord.woman_id == woman_row.id,
                                          PregnancyRecord.active)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
        return s.exec(query.with_for_update()).first()
    return read_once(s, ("active_record", woman_row.id), lambda: s.exec(query).first())


def record_for(s: Session, pid: str, *, lock: bool = False
               ) -> tuple[Person, PregnancyRecord]:
    """The woman and her active card; CardNotFound when she has none."""
    person = woman(s, pid)
    record = active_record(s, person, lock=lock)
    if record is None:
        raise CardNotFound()
    return person, record


def item(s: Session, model: type, item_id: int, record: PregnancyRecord) -> Any:
    """One consultation, test or note on this card; ItemNotFound when it is not on it."""
    # Locked, so that the version check and the write cannot interleave on PostgreSQL.
    row = s.get(model, item_id, with_for_update=True)
    if row is None or row.record_id != record.id:
        raise ItemNotFound()
    return row
