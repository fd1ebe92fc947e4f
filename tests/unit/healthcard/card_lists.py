"""Shared by the tests of the card's list sections and its Maternity Record export: lists
with something in each, and a fullmakt for the card."""

from __future__ import annotations

from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.people.models import Fullmakt, Person

LISTS = {
    "points_of_contact": ({"role": "birth_institution", "name": "Fjordvik sykehus",
                           "phone": "+47 22 00 00 00"},),
    "medical_conditions": ({"system": "icd10", "code": "E03.9", "text": "Lavt stoffskifte",
                            "since": "2019-04-01"},),
    "medications": ({"name": "Levaxin", "atc": "H03AA01", "dose": "50 µg"},),
    "genetic_disorders": ({"relation": "partner", "text": "Cystisk fibrose, bærer"},),
}


def give_fullmakt(engine, giver: Person, receiver: Person, scope: str = "pregnancy") -> None:
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=giver.id, receiver_id=receiver.id, scope=scope,
                       valid_from=today_oslo()))
