"""Shared by the tests of the card's list sections and its Maternity Record export: lists
with something in each."""

from __future__ import annotations

LISTS = {
    "points_of_contact": ({"role": "birth_institution", "name": "Fjordvik sykehus",
                           "phone": "+47 22 00 00 00"},),
    "medical_conditions": ({"system": "icd10", "code": "E03.9", "text": "Lavt stoffskifte",
                            "since": "2019-04-01"},),
    "medications": ({"name": "Levaxin", "atc": "H03AA01", "dose": "50 µg"},),
    "genetic_disorders": ({"relation": "partner", "text": "Cystisk fibrose, bærer"},),
}
