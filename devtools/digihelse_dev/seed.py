"""Synthetic demo data, generated relative to today so that ages stay right.

Idempotent: persons are matched by name, and a re-run on a later day moves their
birth dates and synthetic national id numbers so that every age still holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from digihelse.booking.models import SchoolHoliday
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.kinds import AddressProtection, PlaceKind, StaffRole
from digihelse.people.models import (
    Enrollment,
    Municipality,
    ParentChild,
    Person,
    Personnel,
    Place,
    StaffAssignment,
)
from digihelse.people.nin import synthetic_nin

MUNICIPALITY = ("9901", "Fjordvik kommune")

# Each place: kind, name, address, description, phone and when the phone answers.
PLACES = {
    "ungdomsskole": (PlaceKind.LOWER_SECONDARY, "Fjordvik ungdomsskole",
                     "Skoleveien 2, 9990 Fjordvik", "Helsesykepleier på 2. etasje, rom 214.",
                     "77 00 12 14", "Skoledager 08.00–15.00"),
    "vgs": (PlaceKind.UPPER_SECONDARY, "Fjordvik videregående skole",
            "Elvegata 10, 9990 Fjordvik", "Helsesykepleier ved elevtjenesten, rom 105.",
            "77 00 12 15", "Skoledager 08.00–15.00"),
    "hfu": (PlaceKind.YOUTH_CLINIC, "Helsestasjon for ungdom Fjordvik",
            "Torget 5, 9990 Fjordvik", "Gratis og åpent for alle fra 13 til 24 år.",
            "77 00 12 20", "Tirsdag og torsdag 14.00–18.00"),
    "helsestasjon": (PlaceKind.HEALTH_STATION, "Fjordvik helsestasjon",
                     "Torget 5, 9990 Fjordvik", "Helsestasjon for barn, familier og gravide.",
                     "77 00 12 10", "Hverdager 08.00–15.30"),
    "legesenter": (PlaceKind.GP_OFFICE, "Fjordvik legesenter",
                   "Storgata 1, 9990 Fjordvik", "Fastlegekontor.",
                   "77 00 13 00", "Hverdager 08.00–16.00"),
}


@dataclass(frozen=True)
class DemoPerson:
    key: str
    given: str
    family: str
    age: int
    days_past_birthday: int
    address: str
    address_key: str
    protection: AddressProtection = AddressProtection.NONE


ADDR_HANSEN = ("Fjellveien 12, 9990 Fjordvik", "fjellveien-12")

PERSONS = [
    # Pupils (the youth service)
    DemoPerson("mia", "Mia", "Johansen", 12, 40, "Bakkeveien 3, 9990 Fjordvik", "bakkeveien-3"),
    DemoPerson("ida", "Ida", "Berg", 14, 75, "Solsiden 8, 9990 Fjordvik", "solsiden-8"),
    DemoPerson("emil", "Emil", "Larsen", 15, 120, "Havnegata 4, 9990 Fjordvik", "havnegata-4"),
    DemoPerson("noah", "Noah", "Pedersen", 16, 60, "Lia 21, 9990 Fjordvik", "lia-21"),
    DemoPerson("ella", "Ella", "Kristiansen", 17, 200, "Lia 30, 9990 Fjordvik", "lia-30"),
    # The Hansen family: Per lives with the children, Lene does not.
    DemoPerson("per", "Per", "Hansen", 42, 100, *ADDR_HANSEN),
    DemoPerson("lene", "Lene", "Hansen", 40, 30, "Strandveien 7, 9990 Fjordvik", "strandveien-7"),
    DemoPerson("emma", "Emma", "Hansen", 3, 50, *ADDR_HANSEN),
    DemoPerson("jonas", "Jonas", "Hansen", 10, 90, *ADDR_HANSEN),
    DemoPerson("sara", "Sara", "Hansen", 13, 150, *ADDR_HANSEN),
    # A child with a confidential address (kode 6), and her mother.
    DemoPerson("siri", "Siri", "Vik", 38, 20, "", "vik-hemmelig", AddressProtection.KODE6),
    DemoPerson("theo", "Theo", "Vik", 9, 70, "", "vik-hemmelig", AddressProtection.KODE6),
    # Pregnant women, and Nora's partner; Maja's father lives with her.
    DemoPerson("maja", "Maja", "Eriksen", 17, 110, "Furuveien 5, 9990 Fjordvik", "furuveien-5"),
    DemoPerson("tor", "Tor", "Eriksen", 45, 10, "Furuveien 5, 9990 Fjordvik", "furuveien-5"),
    DemoPerson("nora", "Nora", "Lie", 31, 80, "Kaiveien 9, 9990 Fjordvik", "kaiveien-9"),
    DemoPerson("jon", "Jon", "Lie", 33, 160, "Kaiveien 9, 9990 Fjordvik", "kaiveien-9"),
    # Pregnant, with no card yet: she consents in the app, then her midwife opens it.
    DemoPerson("hanne", "Hanne", "Moe", 29, 45, "Kaiveien 14, 9990 Fjordvik", "kaiveien-14"),
    # Health personnel
    DemoPerson("kari", "Kari", "Lund", 45, 33, "Nordveien 1, 9990 Fjordvik", "nordveien-1"),
    DemoPerson("mona", "Mona", "Berge", 38, 140, "Nordveien 3, 9990 Fjordvik", "nordveien-3"),
    DemoPerson("anders", "Anders", "Dahl", 52, 12, "Nordveien 5, 9990 Fjordvik", "nordveien-5"),
    DemoPerson("lise", "Lise", "Haugen", 41, 220, "Sørveien 2, 9990 Fjordvik", "sorveien-2"),
    DemoPerson("ole", "Ole", "Strand", 56, 300, "Sørveien 4, 9990 Fjordvik", "sorveien-4"),
]

# pupil: (school, class); the nurse's day shows the class beside her age.
ENROLLMENTS = {"mia": ("ungdomsskole", "8A"), "ida": ("ungdomsskole", "9B"),
               "emil": ("ungdomsskole", "10A"), "sara": ("ungdomsskole", "8B"),
               "noah": ("vgs", "Vg1 ST"), "ella": ("vgs", "Vg2 ST"), "maja": ("vgs", "Vg2 HO")}

# Fjordvik's school holidays in the 2026/27 school year, for every school in the
# municipality: the school nurse publishes no times then (booking/school_calendar.py).
SCHOOL_HOLIDAYS = [("Høstferie", dt.date(2026, 9, 28), dt.date(2026, 10, 2)),
                   ("Juleferie", dt.date(2026, 12, 21), dt.date(2027, 1, 1)),
                   ("Vinterferie", dt.date(2027, 3, 1), dt.date(2027, 3, 5)),
                   ("Påskeferie", dt.date(2027, 3, 22), dt.date(2027, 3, 29))]

# (parent, child, parent lives at the child's address is decided by address_key)
FAMILIES = [("per", "emma"), ("per", "jonas"), ("per", "sara"), ("lene", "emma"),
            ("lene", "jonas"), ("lene", "sara"), ("siri", "theo"), ("tor", "maja")]

# key: (role, HPR number, places served, organisation)
SCHOOL_HEALTH = "Fjordvik kommune, skolehelsetjenesten"
PERSONNEL = {
    "kari": (StaffRole.SCHOOL_NURSE, "9100001", ["ungdomsskole"], SCHOOL_HEALTH),
    "mona": (StaffRole.SCHOOL_NURSE, "9100002", ["vgs"], SCHOOL_HEALTH),
    "anders": (StaffRole.SCHOOL_NURSE, "9100003", ["hfu", "helsestasjon"],
               "Fjordvik kommune, helsestasjon for ungdom"),
    "lise": (StaffRole.MIDWIFE, "9100004", ["helsestasjon"], "Fjordvik kommune, jordmortjenesten"),
    "ole": (StaffRole.GP, "9100005", ["legesenter"], "Fjordvik legesenter"),
}

# woman: weeks and days pregnant today, midwife, GP
PREGNANCIES = {"nora": (27, 3, "lise", "ole"), "maja": (20, 1, "lise", "ole")}

DESCRIPTIONS = {
    "mia": "Elev, 12 år, Fjordvik ungdomsskole",
    "ida": "Elev, 14 år, Fjordvik ungdomsskole",
    "emil": "Elev, 15 år, Fjordvik ungdomsskole",
    "noah": "Elev, 16 år, Fjordvik videregående",
    "ella": "Elev, 17 år, Fjordvik videregående",
    "per": "Forelder til Emma (3), Jonas (10) og Sara (13), bor sammen med barna",
    "lene": "Forelder til Emma, Jonas og Sara, bor ikke sammen med barna",
    "emma": "Barn, 3 år", "jonas": "Barn, 10 år", "sara": "Elev, 13 år, Fjordvik ungdomsskole",
    "siri": "Forelder, strengt fortrolig adresse (kode 6)",
    "theo": "Barn, 9 år, strengt fortrolig adresse (kode 6)",
    "maja": "Gravid, 17 år, elev ved Fjordvik videregående",
    "tor": "Forelder til Maja (17)",
    "nora": "Gravid, 31 år, uke 27",
    "jon": "Partner til Nora",
    "hanne": "Gravid, 29 år, uke 10, har ikke helsekort ennå",
    "kari": "Helsesykepleier, Fjordvik ungdomsskole",
    "mona": "Helsesykepleier, Fjordvik videregående",
    "anders": "Helsesykepleier, helsestasjon for ungdom",
    "lise": "Jordmor, Fjordvik helsestasjon",
    "ole": "Fastlege, Fjordvik legesenter",
}


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def birth_date_for(age: int, days_past_birthday: int, today: dt.date) -> dt.date:
    """A birth date that makes someone `age` years old, their birthday that many days ago."""
    return years_before(today - dt.timedelta(days=days_past_birthday), age)


def _upsert_person(s: Session, demo: DemoPerson, municipality_id: int, today: dt.date) -> Person:
    birth = birth_date_for(demo.age, demo.days_past_birthday, today)
    nin = synthetic_nin(birth, seed=sum(map(ord, demo.key)))
    person = s.exec(
        select(Person).where(Person.given_name == demo.given, Person.family_name == demo.family)
    ).first()
    if person is None:
        person = Person(nin=nin, given_name=demo.given, family_name=demo.family, birth_date=birth)
    person.nin, person.birth_date = nin, birth
    person.address, person.address_key = demo.address, demo.address_key
    person.address_protection = demo.protection
    person.municipality_id = municipality_id
    s.add(person)
    s.flush()
    return person


def _get_or_add(s: Session, model, defaults: dict | None = None, **match):
    """The row matching `match`; when there is none, a new one with `defaults` too.
    Existing rows get `defaults` as well, so a re-run refreshes them."""
    row = s.exec(select(model).filter_by(**match)).first()
    if row is None:
        row = model(**match, **(defaults or {}))
    else:
        for name, value in (defaults or {}).items():
            setattr(row, name, value)
    s.add(row)
    s.flush()
    return row


def seed(s: Session, today: dt.date | None = None) -> dict[str, Person]:
    """Create or refresh the demo data; returns the demo persons by key."""
    today = today or today_oslo()
    municipality = _get_or_add(s, Municipality, {"name": MUNICIPALITY[1]}, number=MUNICIPALITY[0])
    places: dict[str, Place] = {}
    for key, (kind, name, address, description, phone, phone_hours) in PLACES.items():
        places[key] = _get_or_add(
            s, Place, {"kind": kind, "address": address, "description": description,
                       "phone": phone, "phone_hours": phone_hours},
            municipality_id=municipality.id, name=name,
        )
    persons = {d.key: _upsert_person(s, d, municipality.id, today) for d in PERSONS}
    for pupil, (school, school_class) in ENROLLMENTS.items():
        _get_or_add(s, Enrollment, {"school_class": school_class},
                    person_id=persons[pupil].id, place_id=places[school].id)
    for name, first_day, last_day in SCHOOL_HOLIDAYS:
        _get_or_add(s, SchoolHoliday, {"last_day": last_day, "name": name},
                    municipality_id=municipality.id, place_id=None, first_day=first_day)
    for parent, child in FAMILIES:
        _get_or_add(s, ParentChild, parent_id=persons[parent].id, child_id=persons[child].id)
    staff: dict[str, Personnel] = {}
    for key, (role, hpr, served, organisation) in PERSONNEL.items():
        worker = _get_or_add(
            s, Personnel, {"hpr_number": hpr, "role": role, "organisation": organisation},
            person_id=persons[key].id,
        )
        staff[key] = worker
        for place_key in served:
            _get_or_add(s, StaffAssignment, personnel_id=worker.id, place_id=places[place_key].id)
    for woman, (weeks, days, midwife, gp) in PREGNANCIES.items():
        due = today + dt.timedelta(days=280 - (weeks * 7 + days))
        _get_or_add(
            s, PregnancyRecord,
            {"last_period": due - dt.timedelta(days=283), "due_date_lmp": due, "due_date": due,
             "midwife_id": staff[midwife].id, "gp_id": staff[gp].id},
            woman_id=persons[woman].id, active=True,
        )
    s.commit()
    return persons


def seed_demo_activity(s: Session, today: dt.date | None = None) -> None:
    """Schedules, free times, two bookings and some check-ups on the pregnancy cards, for
    `make run` (not for unit tests, which build their own)."""
    from digihelse_dev.demo_bookings import seed_bookings, seed_schedules

    today = today or today_oslo()
    persons = {d.key: _upsert_person(s, d, _municipality_id(s), today) for d in PERSONS}
    places = {key: s.exec(select(Place).where(Place.name == name)).one()
              for key, (_kind, name, *_details) in PLACES.items()}
    seed_schedules(s, persons, places, today)
    seed_bookings(s, persons, places)
    from digihelse_dev.demo_card import seed_checkups, seed_tests_and_background

    seed_checkups(s, persons, today)
    seed_tests_and_background(s, persons, today)


def _municipality_id(s: Session) -> int:
    return s.exec(select(Municipality.id).where(Municipality.number == MUNICIPALITY[0])).one()


def demo_description(person: Person) -> str:
    """What a demo person is for, shown on the test login page; empty for others."""
    for demo in PERSONS:
        if (demo.given, demo.family) == (person.given_name, person.family_name):
            return DESCRIPTIONS.get(demo.key, "")
    return ""
