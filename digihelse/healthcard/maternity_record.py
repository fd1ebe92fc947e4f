"""A woman's card as one JSON document in the shape of NHN's HIT Maternity Record (issue #20),
and back: export for her and her carers (GET /api/maternity-record/{Patient id}, the CLI),
import into another database (the CLI). Plain Python, no Reflex.

The document has the national record's sections, by their names: ``mother``,
``pointsOfContact``, ``currentPregnancy``, ``previousPregnancies``,
``vitalMeasurementsBeforePregnancy``, ``antenatalAppointments``, ``symphysisFundalHeights``,
``clinicalTests``, ``rhesusDNegative``, ``medicalConditions``, ``medication``,
``geneticDisorders``, ``lifestyleFactors``; what the national record does not have (her own
notes, her birth plan, what she hides from a fullmakt receiver) is under ``extensions``.
It is versioned (``version``: the card's version; ``format.version``: this layout's), and
``events`` holds every change of the card's history, each with its author (name, role,
HPR number, organisation) and time, and the item as it was after the change.

Codes: ICD-10, ICPC-2 and ATC carry the Volven OIDs HL7 Norway's no-basis profiles use;
the roles of points of contact, the relations of genetic disorders, the lifestyle answers
and the kinds of tests are OUR OWN stable keys (system ``digihelse``), because we could not
verify an official code list for them (for tests: NLK codes are not mapped yet). The
``codeSystems`` part of every document says so.

The document never holds database ids of persons, nor the national id numbers of health
personnel (they are named by HPR number); the card's item ids are the exporting database's,
so the document's events and items refer to each other. On import every item gets a new
id and the events follow; carers are linked by HPR number where the target knows them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, DateTime
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor, Channel, Service
from digihelse.access.enforcement import record_access
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.errors import ServiceError
from digihelse.core.timeutil import aware_utc
from digihelse.healthcard import sections
from digihelse.healthcard.errors import CardNotFound
from digihelse.healthcard.guard import is_proxy, log, require
from digihelse.healthcard.lookup import active_record, record_for
from digihelse.healthcard.models import (
    BirthPlan,
    CardConsent,
    CardVersion,
    Consultation,
    FetusObservation,
    HomeReading,
    LabKind,
    LabResult,
    OwnNote,
    PregnancyRecord,
)
from digihelse.healthcard.validation import bmi
from digihelse.healthcard.versioning import (
    E_BIRTH_PLAN,
    E_CONSULTATION,
    E_HOME_READING,
    E_LAB,
    E_NOTE,
    E_RECORD,
)
from digihelse.people.models import Person, Personnel
from digihelse.people.nin import is_valid_nin
from digihelse.people.registry import person_by_pid

FORMAT = {"name": "digihelse-maternity-record", "version": 1,
          "basedOn": "NHN HIT Maternity Record API (Digitalt helsekort for gravide): "
                     "its section names; fields and codes as described in codeSystems"}
SECTIONS = ("mother", "pointsOfContact", "currentPregnancy", "previousPregnancies",
            "vitalMeasurementsBeforePregnancy", "antenatalAppointments",
            "symphysisFundalHeights", "clinicalTests", "rhesusDNegative", "medicalConditions",
            "medication", "geneticDisorders", "lifestyleFactors")

FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"  # fødselsnummer (as the FHIR API's Patient)
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
OWN = sections.OWN_SYSTEM
SYSTEM_OIDS = {key: oid for key, (oid, _pattern) in sections.CODE_SYSTEMS.items()}
OID_SYSTEMS = {oid: key for key, oid in SYSTEM_OIDS.items()}
CODE_SYSTEMS = {
    SYSTEM_OIDS["icd10"]: "ICD-10 (Volven 7110): medical conditions, genetic disorders",
    SYSTEM_OIDS["icpc2"]: "ICPC-2 (Volven 7170): medical conditions noted by a GP",
    sections.ATC_SYSTEM: "ATC (Volven 7180): medication",
    "http://loinc.org": "LOINC: measurements (weight 29463-7, systolic 8480-6, diastolic "
                        "8462-4, fundal height 11881-0, body height 8302-2)",
    OWN: "DigiHelse's own stable keys, NOT an official code list (none verified): roles of "
         "points of contact, relations of genetic disorders, lifestyle answers, kinds of "
         "tests (NLK codes not mapped yet), urine protein, presentation",
}
# The RhD-negative follow-up's tests are their own section in the national record.
RHD_TESTS = (LabKind.FETAL_RHD.value, LabKind.RH_PROPHYLAXIS.value)
# The card's items, by entity name in the history.
ITEMS: dict[str, type] = {E_CONSULTATION: Consultation, E_LAB: LabResult, E_NOTE: OwnNote,
                          E_BIRTH_PLAN: BirthPlan, E_HOME_READING: HomeReading}
# Columns holding a health worker (exported as her HPR number) or this card (implied).
_PERSONNEL_COLUMNS = ("midwife_id", "gp_id", "author_personnel_id")
_RECORD_REF, _WOMAN_REF = "$record", "$woman"

# The record's own columns, by section; any other column goes to extensions.otherFields.
CURRENT = {"lastPeriod": "last_period", "dueDateLmp": "due_date_lmp",
           "dueDateUltrasound": "due_date_ultrasound", "dueDate": "due_date",
           "datingMethod": "dating_method", "scanDate": "scan_date",
           "scanMethod": "scan_method", "scanMm": "scan_mm", "transferDate": "transfer_date",
           "embryoAgeDays": "embryo_age_days", "fetuses": "fetuses",
           "assistedConception": "assisted_conception", "endedOn": "ended_on",
           "endKind": "end_kind", "endingShownToProxy": "ending_shown_to_proxy"}
_MAPPED = {*CURRENT.values(), "id", "woman_id", "active", "midwife_id", "gp_id",
           "created_at", "updated_at", "version", "height_cm", "weight_before_kg",
           "previous_pregnancies", "health", "lifestyle", "contacts", "hidden_sections",
           *sections.COLUMNS}
LIFESTYLE_TIMES = {"first": "firstConsultation", "w36": "week36"}


class ImportRefused(ServiceError):
    """The document cannot be imported; `message` says why, in plain words."""

    code = "import_refused"
    message_key = "card.error.generic"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportResult:
    record_id: int
    woman_pid: str
    woman_created: bool  # she was not in this database's registry
    items: dict[str, int]  # how many of each item
    events: int
    unlinked_carers: tuple[str, ...] = field(default=())  # HPR numbers this database lacks


# --- Values -----------------------------------------------------------------------------------

def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _out(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return aware_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _out(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_out(v) for v in value]
    return value


def _in(column: Any, value: Any) -> Any:
    """A document value as the column holds it (dates and times from ISO text)."""
    if value is None or not isinstance(value, str):
        return value
    kind = getattr(column.type, "impl", column.type)  # through a TypeDecorator (UTCDateTime)
    try:
        if isinstance(kind, DateTime):
            return aware_utc(dt.datetime.fromisoformat(value))
        if isinstance(kind, Date):
            return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ImportRefused(f"{column.name}: {value!r} is not a date.") from exc
    return value


class _Ids:
    """Health workers by database id and HPR number, both ways, for one transaction."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self._hpr: dict[int, str | None] = {}
        self._ids: dict[str, int | None] = {}

    def hpr(self, personnel_id: int | None) -> str | None:
        if personnel_id is None:
            return None
        if personnel_id not in self._hpr:
            row = self.s.get(Personnel, personnel_id)
            self._hpr[personnel_id] = row.hpr_number if row else None
        return self._hpr[personnel_id]

    def personnel_id(self, hpr: str | None) -> int | None:
        if not hpr:
            return None
        if hpr not in self._ids:
            self._ids[hpr] = self.s.exec(select(Personnel.id).where(
                Personnel.hpr_number == hpr)).first()
        return self._ids[hpr]


def _dump(row: Any, ids: _Ids) -> dict[str, Any]:
    """An item's every column, by camelCase name; a health worker as her HPR number."""
    data: dict[str, Any] = {}
    for column in row.__table__.columns:
        name = column.name
        if name in ("record_id",):
            continue
        value = getattr(row, name)
        if name in _PERSONNEL_COLUMNS:
            data[_camel(name).removesuffix("Id") + "HprNumber"] = ids.hpr(value)
        else:
            data[_camel(name)] = _out(value)
    data["id"] = str(row.id)
    return data


def _load(model: type, data: Mapping[str, Any], ids: _Ids, **fixed: Any) -> Any:
    """An item from its dump (its id is the target's own)."""
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        name = column.name
        if name in ("id", *fixed):
            continue
        if name in _PERSONNEL_COLUMNS:
            key = _camel(name).removesuffix("Id") + "HprNumber"
            if key in data:
                values[name] = ids.personnel_id(data[key])
            continue
        if _camel(name) in data:
            values[name] = _in(column, data[_camel(name)])
    return model(**values, **fixed)


def _coded(system: str | None, code: str | None, display: str | None = None
           ) -> dict[str, Any] | None:
    if not code:
        return None
    coded = {"system": system, "code": code}
    if display:
        coded["display"] = display
    return coded


def _own(code: Any) -> dict[str, Any] | None:
    return {"system": OWN, "code": code} if code else None


def _code_of(coded: Any) -> str | None:
    return coded.get("code") if isinstance(coded, Mapping) else None


# --- Export -----------------------------------------------------------------------------------

def _snapshot_out(snapshot: Mapping[str, Any], ids: _Ids) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in snapshot.items():
        if key == "record_id":
            out[key] = _RECORD_REF
        elif key == "woman_id":
            out[key] = _WOMAN_REF
        elif key in _PERSONNEL_COLUMNS:
            out[key] = {"hprNumber": ids.hpr(value)} if value is not None else None
        else:
            out[key] = value
    return out


def _points_of_contact(s: Session, record: PregnancyRecord, ids: _Ids) -> list[dict]:
    carers = []
    for role, personnel_id in (("midwife", record.midwife_id), ("gp", record.gp_id)):
        worker = s.get(Personnel, personnel_id) if personnel_id is not None else None
        person = s.get(Person, worker.person_id) if worker is not None else None
        if worker is None or person is None:
            continue
        carers.append({"role": _own(role), "name": person.full_name,
                       "organisation": worker.organisation,
                       "hprNumber": {"system": HPR_SYSTEM, "value": worker.hpr_number},
                       "responsibleForCard": True})
    entries = [{"id": e.get("id"), "role": _own(e.get("role")),
                **{k: e[k] for k in ("name", "organisation", "phone") if e.get(k)}}
               for e in record.points_of_contact or ()]
    return [*carers, *entries]


def _conditions(record: PregnancyRecord) -> list[dict]:
    return [{"id": e.get("id"), "text": e.get("text"),
             "code": _coded(SYSTEM_OIDS.get(e.get("system") or "icd10"), e.get("code"),
                            e.get("text")),
             "since": e.get("since")} for e in record.medical_conditions or ()]


def _medications(record: PregnancyRecord) -> list[dict]:
    return [{"id": e.get("id"), "name": e.get("name"), "dose": e.get("dose"),
             "code": _coded(sections.ATC_SYSTEM, e.get("atc"), e.get("name")),
             "started": e.get("started"), "stopped": e.get("stopped")}
            for e in record.medications or ()]


def _genetic(record: PregnancyRecord) -> list[dict]:
    return [{"id": e.get("id"), "text": e.get("text"),
             "code": _coded(SYSTEM_OIDS["icd10"], e.get("code"), e.get("text")),
             "relation": _own(e.get("relation"))} for e in record.genetic_disorders or ()]


def to_document(s: Session, woman: Person, record: PregnancyRecord) -> dict[str, Any]:
    """The card (all of it: for her and her carers, never a fullmakt receiver) as the
    document; the caller checked access and logs the read."""
    ids = _Ids(s)
    consultations = list(s.exec(select(Consultation).where(Consultation.record_id == record.id)
                                .order_by(col(Consultation.held_on), col(Consultation.id))))
    fetuses: dict[int, list[FetusObservation]] = {}
    if consultations:
        for row in s.exec(select(FetusObservation).where(col(FetusObservation.consultation_id)
                                                         .in_([c.id for c in consultations]))
                          .order_by(col(FetusObservation.fetus_no))):
            fetuses.setdefault(row.consultation_id, []).append(row)
    labs = list(s.exec(select(LabResult).where(LabResult.record_id == record.id)
                       .order_by(col(LabResult.taken_on), col(LabResult.id))))
    notes = list(s.exec(select(OwnNote).where(OwnNote.record_id == record.id)
                        .order_by(col(OwnNote.id))))
    plan = s.exec(select(BirthPlan).where(BirthPlan.record_id == record.id)).first()
    readings = list(s.exec(select(HomeReading).where(HomeReading.record_id == record.id)
                           .order_by(col(HomeReading.id))))
    consent = s.exec(select(CardConsent).where(CardConsent.woman_id == woman.id,
                                               col(CardConsent.withdrawn_at).is_(None))).first()
    versions = list(s.exec(select(CardVersion).where(CardVersion.record_id == record.id)
                           .order_by(col(CardVersion.id))))
    health = dict(record.health or {})
    appointments = []
    for c in consultations:
        item = _dump(c, ids)
        item["fetuses"] = [{"fetusNo": f.fetus_no, "heartRate": f.heart_rate,
                            "presentation": f.presentation, "movements": f.movements}
                           for f in fetuses.get(c.id, ())]
        appointments.append(item)

    def lab(row: LabResult) -> dict[str, Any]:
        return {**_dump(row, ids), "code": _own(row.kind)}

    rhd = next((x for x in sorted(labs, key=lambda x: (x.taken_on, x.id), reverse=True)
                if x.kind == LabKind.RHD), None)
    other = {column.name: _out(getattr(record, column.name))
             for column in PregnancyRecord.__table__.columns if column.name not in _MAPPED}
    return {
        "resourceType": "MaternityRecord",
        "format": dict(FORMAT),
        "id": str(record.id),
        "version": record.version,
        "status": "ended" if record.ended_on is not None else "active",
        "patient": {"reference": f"Patient/{woman.id}"},
        "createdAt": _out(record.created_at),
        "updatedAt": _out(record.updated_at),
        "mother": {"identifier": {"system": FNR_SYSTEM, "value": woman.nin},
                   "givenName": woman.given_name, "familyName": woman.family_name,
                   "birthDate": woman.birth_date.isoformat()},
        "pointsOfContact": _points_of_contact(s, record, ids),
        "currentPregnancy": {name: _out(getattr(record, column))
                             for name, column in CURRENT.items()},
        "previousPregnancies": _out(dict(record.previous_pregnancies or {})),
        "vitalMeasurementsBeforePregnancy": {
            "heightCm": record.height_cm, "weightKg": record.weight_before_kg,
            "bmi": bmi(record.height_cm, record.weight_before_kg),  # computed, not imported
            "codes": {"heightCm": "http://loinc.org|8302-2",
                      "weightKg": "http://loinc.org|29463-7"}},
        "antenatalAppointments": appointments,
        # The same heights as in antenatalAppointments (derived: not read on import).
        "symphysisFundalHeights": [
            {"appointmentId": str(c.id), "date": c.held_on.isoformat(), "gaDays": c.ga_days,
             "valueCm": c.sf_height_cm, "code": "http://loinc.org|11881-0"}
            for c in consultations if c.sf_height_cm is not None],
        "clinicalTests": [lab(x) for x in labs if x.kind not in RHD_TESTS],
        "rhesusDNegative": {"rhdNegative": rhd is not None and rhd.value == "neg",
                            "followUp": [lab(x) for x in labs if x.kind in RHD_TESTS]},
        "medicalConditions": {"entries": _conditions(record),
                              "illnesses": health.get("illnesses"),
                              "allergies": health.get("allergies")},
        "medication": {"entries": _medications(record), "text": health.get("medication"),
                       "folicAcid": health.get("folate")},
        "geneticDisorders": {"entries": _genetic(record)},
        "lifestyleFactors": {"system": OWN, **{
            name: _out(dict((record.lifestyle or {}).get(time) or {}))
            for time, name in LIFESTYLE_TIMES.items() if (record.lifestyle or {}).get(time)}},
        "extensions": {
            "ownNotes": [_dump(n, ids) for n in notes],
            "birthPlan": _dump(plan, ids) if plan is not None else None,
            # What she measured at home ("målt selv"): not in the national record.
            "homeReadings": [_dump(r, ids) for r in readings],
            # Her standing consent to the card (consent.py); the carer who recorded one
            # given in person by name, role and HPR number, never her national id.
            "consent": None if consent is None else {
                "how": consent.how, "givenAt": _out(consent.given_at),
                "recordedBy": None if consent.recorded_by_name is None else {
                    "name": consent.recorded_by_name, "role": consent.recorded_by_role,
                    "hprNumber": consent.recorded_by_hpr}},
            "hiddenFromProxy": list(record.hidden_sections or ()),
            "contactTexts": _out(dict(record.contacts or {})),
            "otherFields": other,
        },
        "events": [
            {"sequence": n, "entity": v.entity, "entityId": str(v.entity_id),
             "version": v.version, "action": v.action, "at": _out(v.at),
             "author": {"name": v.author_name, "role": v.author_role,
                        "hprNumber": v.author_hpr, "organisation": v.author_organisation},
             "reason": v.reason, "snapshot": _snapshot_out(v.snapshot or {}, ids)}
            for n, v in enumerate(versions, start=1)],
        "codeSystems": dict(CODE_SYSTEMS),
    }


def export_record(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
                  ) -> dict[str, Any]:
    """Her card as the document, for the woman herself and her midwife or GP, with the same
    check and the same access-log row as reading the card. Raises AccessDenied (logged)
    or CardNotFound; a fullmakt receiver gets CardNotFound (the document is the whole card,
    with all she hides from him: he reads her card on its page)."""
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Action.VIEW_CARD, object_type=E_RECORD)
        if is_proxy(decision.relation):
            raise CardNotFound()
        woman, record = record_for(s, woman_pid)
        document = to_document(s, woman, record)
        log(s, actor, woman_pid, "read", E_RECORD, record.id)
        return document


# --- Import -----------------------------------------------------------------------------------

def _need(data: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, kind):
        raise ImportRefused(f"The document has no valid {key!r}.")
    return value


def _lists_of(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The list sections back in the card's own keys."""
    def entries(section: str) -> list[Any]:
        value = document.get(section)
        value = value.get("entries") if isinstance(value, Mapping) else value
        return [e for e in value or () if isinstance(e, Mapping)]

    def plain(entry: Mapping[str, Any], **keys: Any) -> dict[str, Any]:
        return {k: v for k, v in {"id": entry.get("id"), **keys}.items() if v not in (None, "")}

    contacts = [plain(e, role=_code_of(e.get("role")), name=e.get("name"),
                      organisation=e.get("organisation"), phone=e.get("phone"))
                for e in entries("pointsOfContact") if not e.get("responsibleForCard")]
    conditions = [plain(e, text=e.get("text"), code=_code_of(e.get("code")),
                        system=OID_SYSTEMS.get((e.get("code") or {}).get("system"), "icd10")
                        if e.get("code") else None, since=e.get("since"))
                  for e in entries("medicalConditions")]
    medications = [plain(e, name=e.get("name"), dose=e.get("dose"),
                         atc=_code_of(e.get("code")), started=e.get("started"),
                         stopped=e.get("stopped")) for e in entries("medication")]
    genetic = [plain(e, text=e.get("text"), code=_code_of(e.get("code")),
                     relation=_code_of(e.get("relation")))
               for e in entries("geneticDisorders")]
    return {"points_of_contact": contacts, "medical_conditions": conditions,
            "medications": medications, "genetic_disorders": genetic}


def _record_from(document: Mapping[str, Any], woman: Person, ids: _Ids
                 ) -> tuple[PregnancyRecord, list[str]]:
    columns = PregnancyRecord.__table__.columns
    current = document.get("currentPregnancy") or {}
    values: dict[str, Any] = {column: _in(columns[column], current.get(name))
                              for name, column in CURRENT.items() if name in current}
    vitals = document.get("vitalMeasurementsBeforePregnancy") or {}
    conditions = document.get("medicalConditions") or {}
    medication = document.get("medication") or {}
    health = {key: value for key, value in (
        ("illnesses", conditions.get("illnesses")), ("allergies", conditions.get("allergies")),
        ("medication", medication.get("text")), ("folate", medication.get("folicAcid")))
        if value is not None}
    lifestyle = {time: dict((document.get("lifestyleFactors") or {}).get(name) or {})
                 for time, name in LIFESTYLE_TIMES.items()
                 if (document.get("lifestyleFactors") or {}).get(name)}
    extensions = document.get("extensions") or {}
    other = {name: _in(columns[name], value)
             for name, value in (extensions.get("otherFields") or {}).items()
             if name in columns and name not in _MAPPED}
    lists = _lists_of(document)
    unlinked: list[str] = []
    carers: dict[str, int | None] = {}
    for entry in document.get("pointsOfContact") or ():
        if isinstance(entry, Mapping) and entry.get("responsibleForCard"):
            hpr = (entry.get("hprNumber") or {}).get("value")
            role = _code_of(entry.get("role"))
            carers[f"{role}_id"] = ids.personnel_id(hpr)
            if carers[f"{role}_id"] is None and hpr:
                unlinked.append(str(hpr))
    record = PregnancyRecord(
        woman_id=woman.id, active=True, **values, **other,
        midwife_id=carers.get("midwife_id"), gp_id=carers.get("gp_id"),
        height_cm=vitals.get("heightCm"), weight_before_kg=vitals.get("weightKg"),
        previous_pregnancies=dict(document.get("previousPregnancies") or {}),
        health=health, lifestyle=lifestyle,
        contacts=dict(extensions.get("contactTexts") or {}),
        hidden_sections=list(extensions.get("hiddenFromProxy") or ()),
        version=_need(document, "version", int),
        created_at=_in(columns["created_at"], document.get("createdAt")),
        updated_at=_in(columns["updated_at"], document.get("updatedAt")),
        **lists)
    return record, unlinked


def _check(document: Any) -> None:
    if not isinstance(document, Mapping) or document.get("resourceType") != "MaternityRecord":
        raise ImportRefused("This is not a maternity record document.")
    if (document.get("format") or {}).get("version") != FORMAT["version"]:
        raise ImportRefused(f"This document's format version is not "
                            f"{FORMAT['version']}, the one this version reads.")
    unknown = {e.get("entity") for e in document.get("events") or ()
               if isinstance(e, Mapping)} - {E_RECORD, *ITEMS}
    if unknown:
        raise ImportRefused(f"The history has changes to {', '.join(sorted(map(str, unknown)))}"
                            ", which this version cannot import.")
    errors = sections.validate_sections(_lists_of(document), today=dt.date.max)
    if errors:
        raise ImportRefused("The lists are not valid: " + ", ".join(
            f"{name} ({key})" for name, key in sorted(errors.items())))


def _woman(s: Session, mother: Mapping[str, Any]) -> tuple[Person, bool]:
    identifier = mother.get("identifier") or {}
    pid = identifier.get("value")
    if identifier.get("system") != FNR_SYSTEM or not isinstance(pid, str) \
            or not is_valid_nin(pid):
        raise ImportRefused("The mother has no valid national id number.")
    found = person_by_pid(s, pid)
    if found is not None:
        return found, False
    # Not in this database's registry (an empty database): as the registry has her.
    try:
        person = Person(nin=pid, given_name=str(mother["givenName"]),
                        family_name=str(mother["familyName"]),
                        birth_date=dt.date.fromisoformat(str(mother["birthDate"])))
    except (KeyError, ValueError) as exc:
        raise ImportRefused("The mother's name or birth date is missing.") from exc
    s.add(person)
    s.flush()
    return person, True


def _items(document: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    tests = [*(document.get("clinicalTests") or ()),
             *((document.get("rhesusDNegative") or {}).get("followUp") or ())]
    plan = (document.get("extensions") or {}).get("birthPlan")
    extensions = document.get("extensions") or {}
    return {E_CONSULTATION: list(document.get("antenatalAppointments") or ()),
            E_LAB: tests, E_NOTE: list(extensions.get("ownNotes") or ()),
            E_BIRTH_PLAN: [plan] if plan else [],
            E_HOME_READING: list(extensions.get("homeReadings") or ())}


def _snapshot_in(snapshot: Mapping[str, Any], record_id: int, woman_id: int, ids: _Ids
                 ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in snapshot.items():
        if value == _RECORD_REF:
            out[key] = record_id
        elif value == _WOMAN_REF:
            out[key] = woman_id
        elif key in _PERSONNEL_COLUMNS:
            out[key] = ids.personnel_id(value.get("hprNumber")) if isinstance(value, Mapping) \
                else None
        else:
            out[key] = value
    return out


def import_record(s_or_engine: SessionOrEngine, document: Any) -> ImportResult:
    """Import a card from its document, with its whole history, as the operator (the CLI):
    the woman becomes the card's owner, an active card of hers here refuses it (one active
    card per woman). Raises ImportRefused with a plain message; nothing is written then."""
    _check(document)
    try:
        return _import(s_or_engine, document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # rolled back
        raise ImportRefused(f"The document is incomplete or malformed "
                            f"({exc.__class__.__name__}: {exc}). Nothing was imported.") from exc


def _import(s_or_engine: SessionOrEngine, document: Mapping[str, Any]) -> ImportResult:
    with transaction(s_or_engine) as s:
        ids = _Ids(s)
        woman, created = _woman(s, _need(document, "mother", Mapping))
        existing = active_record(s, woman)
        if existing is not None:
            raise ImportRefused(
                f"{woman.full_name} ({woman.nin}) already has an active pregnancy card "
                f"here (opened {aware_utc(existing.created_at).date().isoformat()}): one "
                f"active card per woman. Nothing was imported.")
        record, unlinked = _record_from(document, woman, ids)
        try:
            with s.begin_nested():
                s.add(record)
                s.flush()
        except IntegrityError as exc:  # a card opened here at the same moment
            raise ImportRefused(f"{woman.full_name} already has an active pregnancy card "
                                "here. Nothing was imported.") from exc
        assert record.id is not None and woman.id is not None
        mapped: dict[tuple[str, str], int] = {(E_RECORD, str(document.get("id"))): record.id}
        counts: dict[str, int] = {}
        events = sorted((e for e in document.get("events") or () if isinstance(e, Mapping)),
                        key=lambda e: e.get("sequence", 0))
        last = {(str(e.get("entity")), str(e.get("entityId"))): e for e in events}
        gone = []
        for entity, entries in _items(document).items():
            model = ITEMS[entity]
            live = {str(d.get("id")): d for d in entries}
            # Items the history has but the card no longer (a note she deleted) get an id
            # of their own too, in their place, reserved by a row removed once all are in.
            every = set(live) | {key[1] for key in last if key[0] == entity}
            for source_id in sorted(every, key=_number):
                data = live.get(source_id)
                if data is None:
                    snapshot = _snapshot_in(last[(entity, source_id)].get("snapshot") or {},
                                            record.id, woman.id, ids)
                    data = {_camel(k): v for k, v in snapshot.items()
                            if k not in _PERSONNEL_COLUMNS}
                row = _load(model, data, ids, record_id=record.id)
                s.add(row)
                s.flush()
                mapped[(entity, source_id)] = row.id
                if source_id not in live:
                    gone.append(row)
                    continue
                counts[entity] = counts.get(entity, 0) + 1
                for fetus in data.get("fetuses") or () if entity == E_CONSULTATION else ():
                    s.add(FetusObservation(consultation_id=row.id, fetus_no=fetus["fetusNo"],
                                           heart_rate=fetus.get("heartRate"),
                                           presentation=fetus.get("presentation"),
                                           movements=fetus.get("movements")))
        for event in sorted(events, key=lambda e: e.get("sequence", 0)):
            key = (str(event.get("entity")), str(event.get("entityId")))
            if key not in mapped:
                raise ImportRefused(f"The history names {key[0]} {key[1]}, which the "
                                    "document does not have.")
            author = event.get("author") or {}
            role = str(author.get("role") or "")
            pid = woman.nin if role == "citizen" else _pid_of(s, author.get("hprNumber"))
            s.add(CardVersion(
                record_id=record.id, entity=key[0], entity_id=mapped[key],
                version=int(event["version"]), action=str(event["action"]),
                snapshot=_snapshot_in(event.get("snapshot") or {}, record.id, woman.id, ids),
                reason=event.get("reason"), author_pid=pid,
                author_name=str(author.get("name") or ""), author_role=role,
                author_hpr=author.get("hprNumber"),
                author_organisation=author.get("organisation"),
                at=aware_utc(dt.datetime.fromisoformat(str(event["at"])))))
        s.flush()
        for placeholder in gone:
            s.delete(placeholder)
        _import_consent(s, woman, (document.get("extensions") or {}).get("consent"))
        operator = Actor(pid="", role="system", name="DigiHelse CLI (import)",
                         channel=Channel.SYSTEM)
        record_access(s, operator, woman.nin, action="create", object_type=E_RECORD,
                      object_id=str(record.id), service=Service.PREGNANCY,
                      hidden_from_parents=True)
        return ImportResult(record.id, woman.nin, created, counts, len(events),
                            tuple(dict.fromkeys(unlinked)))


def _import_consent(s: Session, woman: Person, consent: Any) -> None:
    """Her consent as the document gives it, unless she has a standing one here."""
    if not isinstance(consent, Mapping):
        return
    standing = s.exec(select(CardConsent).where(CardConsent.woman_id == woman.id,
                                                col(CardConsent.withdrawn_at).is_(None))).first()
    if standing is not None:
        return
    by = consent.get("recordedBy") if isinstance(consent.get("recordedBy"), Mapping) else {}
    s.add(CardConsent(
        woman_id=woman.id, how=str(_need(consent, "how", str)),
        given_at=aware_utc(dt.datetime.fromisoformat(str(_need(consent, "givenAt", str)))),
        recorded_by_pid=_pid_of(s, by.get("hprNumber")) or None,
        recorded_by_name=by.get("name"), recorded_by_hpr=by.get("hprNumber"),
        recorded_by_role=by.get("role")))


def _number(source_id: str) -> int:
    if not source_id.isdigit():
        raise ImportRefused(f"{source_id!r} is not an item id of the document.")
    return int(source_id)


def _pid_of(s: Session, hpr: Any) -> str:
    """A health worker's national id number from the registry, "" when it has none."""
    if not hpr:
        return ""
    row = s.exec(select(Person.nin).join(Personnel, Personnel.person_id == Person.id)
                 .where(Personnel.hpr_number == str(hpr))).first()
    return row or ""


def export_for_operator(s_or_engine: SessionOrEngine, woman_pid: str) -> dict[str, Any]:
    """The document for the operator (the CLI, e.g. to move a card to another database);
    the read is logged like any other, as the system."""
    with transaction(s_or_engine) as s:
        woman, record = record_for(s, woman_pid)
        document = to_document(s, woman, record)
        operator = Actor(pid="", role="system", name="DigiHelse CLI (export)",
                         channel=Channel.SYSTEM)
        record_access(s, operator, woman_pid, action="read", object_type=E_RECORD,
                      object_id=str(record.id), service=Service.PREGNANCY,
                      hidden_from_parents=True)
        return document
