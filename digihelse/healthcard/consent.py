"""Her consent to the pregnancy card in the app, and removing the card when she withdraws it.

The rules (issue #20; NHN's maternity record requires the woman's consent, and withdrawing
it deletes the record):

* **No card without consent.** Before a midwife or GP opens a card (record.create_card),
  she has consented: in the app (give_consent) or in person, recorded by that carer with
  who and when (create_card(..., consent_in_person=True)). Without it create_card raises
  ConsentMissing, whose message tells the carer what to do.
* **She can withdraw it** (withdraw_consent). Then every card of hers is removed from the
  app: the record and each row that hangs on it (check-ups, tests, notes, birth plan, the
  versions ...). The versions are append-only in the database; the one deletion the
  trigger allows is of a record named in ``pregnancy_card_removal`` (migration 0019),
  which this service writes first, in the same transaction. The access log keeps one row
  "removed the card" (object: the record's number, no health data), and the old log rows
  stay: they name no health data, and she keeps her right to see who looked
  (pasientjournalloven § 18).
* **What stays with her midwife.** The app's card is a copy she is given; her midwife and
  GP keep their own patient journal of the same care, which the app does not touch: the
  duty to keep a journal is theirs (helsepersonelloven § 39 "Plikt til å føre journal",
  § 40 "Krav til journalens innhold m.m."), and what it holds and how long it is kept
  follow pasientjournalforskriften (forskrift om pasientjournal, FOR-2019-03-01-168;
  § 8 says what a journal shall contain, § 15 keeps it for at least ten years after the
  last entry and in general as long as it may be needed). Withdrawing her consent to the
  app is not a request to delete that journal (deletion of journal content follows
  helsepersonelloven § 43/§ 44, decided by the journal's keeper). The page says so.
* **Confidential address (kode 6 and 7): we refuse the card in the app**, as the national
  card does (NHN developer portal, "Digitalt helsekort for gravide": no record for a woman
  with a confidential address). Why, for us too: the card names her midwife, GP and their
  organisations, her birth institution and her appointments, which place her within a
  municipality, and it is read by carers and anyone she shares with; a blocked address
  must not be made known that way (folkeregisterloven § 10-4, adressesperre; our policy
  already stops all representation for kode 6/7, DOMAIN.md). She keeps the paper card
  (IS-2199), which she controls. The carer is told this plainly (ConfidentialAddress);
  only a carer with a basis to open her card learns it, anyone else gets the one refusal.

Consent itself reveals that she is pregnant, so reading and changing it is logged like the
card, and only she may give or withdraw it in the app (not someone with fullmakt, nor a
parent: the card is hers, DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Table, delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from digihelse.access import policy
from digihelse.access.actors import AccessDenied, Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import aware_utc
from digihelse.healthcard.errors import CardError
from digihelse.healthcard.guard import log, require
from digihelse.healthcard.lookup import active_record
from digihelse.healthcard.models import (
    CardConsent,
    CardRemoval,
    ConsentHow,
    PregnancyRecord,
)
from digihelse.healthcard.versioning import E_RECORD
from digihelse.people.models import Person
from digihelse.people.registry import person_by_pid

E_CONSENT = "pregnancy_consent"  # the object type in the access log


class ConsentMissing(CardError):
    """She has not consented to a card in the app: ask her to consent in the app, or record
    that she consented to you in person."""

    code = "consent_missing"
    message_key = "card.error.consent_missing"


class ConfidentialAddress(CardError):
    """She has a confidential address (kode 6/7): the app opens no card for her."""

    code = "confidential_address"
    message_key = "card.error.confidential_address"


@dataclass(frozen=True)
class ConsentView:
    """What her consent page shows."""

    consented: bool
    how: str | None  # a ConsentHow value
    given_at: dt.datetime | None
    recorded_by_name: str | None  # in person: who recorded it
    has_card: bool
    confidential: bool  # kode 6/7: no card in the app


def is_confidential(woman: Person) -> bool:
    return str(woman.address_protection) in policy.CONFIDENTIAL


def standing_consent(s: Session, woman: Person) -> CardConsent | None:
    return s.exec(select(CardConsent).where(CardConsent.woman_id == woman.id,
                                            col(CardConsent.withdrawn_at).is_(None))).first()


def _her(s: Session, actor: Actor, woman_pid: str) -> Person:
    """The woman herself, acting for herself: the policy's self relation on her card
    (WRITE_OWN_NOTES is hers alone). Anyone else is refused (logged) as for the card."""
    require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_CONSENT)
    woman = person_by_pid(s, woman_pid)
    if woman is None or actor.is_personnel or (actor.on_behalf_of_pid not in (None,
                                                                              woman_pid)):
        raise AccessDenied("not_self", "only she consents")
    return woman


def _view(s: Session, woman: Person) -> ConsentView:
    consent = standing_consent(s, woman)
    record = active_record(s, woman)
    return ConsentView(
        consented=consent is not None, how=consent.how if consent else None,
        given_at=consent.given_at if consent else None,
        recorded_by_name=consent.recorded_by_name if consent else None,
        has_card=record is not None, confidential=is_confidential(woman))


def consent_status(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str) -> ConsentView:
    """Her consent as her page shows it; only for her. Logs the read."""
    with transaction(s_or_engine) as s:
        woman = _her(s, actor, woman_pid)
        view = _view(s, woman)
        log(s, actor, woman_pid, "read", E_CONSENT, None)
        return view


def give_consent(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, *,
                 now: dt.datetime | None = None) -> ConsentView:
    """She consents in the app to a card her midwife or GP may then open. Idempotent (a
    standing consent stays as it was). Refused with a confidential address."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        woman = _her(s, actor, woman_pid)
        if is_confidential(woman):
            raise ConfidentialAddress()
        consent = standing_consent(s, woman)
        if consent is None:
            consent = CardConsent(woman_id=woman.id, how=ConsentHow.APP, given_at=now)
            s.add(consent)
            s.flush()
            log(s, actor, woman_pid, "create", E_CONSENT, consent.id)
        return _view(s, woman)


def record_in_person(s: Session, woman: Person, author_pid: str, author_name: str,
                     author_hpr: str | None, author_role: str, now: dt.datetime
                     ) -> CardConsent:
    """The carer records that she consented in person (within create_card, which has
    checked the carer's basis and logs the card's creation; this logs the consent)."""
    consent = CardConsent(woman_id=woman.id, how=ConsentHow.IN_PERSON, given_at=now,
                          recorded_by_pid=author_pid, recorded_by_name=author_name,
                          recorded_by_hpr=author_hpr, recorded_by_role=author_role)
    s.add(consent)
    s.flush()
    return consent


# --- Removing the card ----------------------------------------------------------------------

def _card_tables() -> list[tuple[Table, list[tuple[str, Table]]]]:
    """Every table whose rows hang on a pregnancy record, directly or through another
    (fetus observations through their consultation), deepest first, each with its foreign
    keys towards the record. Found from the models, so a section added later is removed
    with the card without anyone remembering to list it here."""
    import digihelse.models  # noqa: F401  (every table is registered)

    record_table = PregnancyRecord.__table__
    parents: dict[str, list[tuple[str, Table]]] = {}
    tables = SQLModel.metadata.sorted_tables
    tied = {record_table.name}
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table.name in tied or table.name == CardRemoval.__tablename__:
                continue
            links = [(fk.parent.name, fk.column.table) for fk in table.foreign_keys
                     if fk.column.table.name in tied]
            if links:
                parents[table.name] = links
                tied.add(table.name)
                changed = True
    ordered = [t for t in reversed(tables) if t.name in parents]
    return [(t, parents[t.name]) for t in ordered]


def _ids_of(table: Table, record_ids: list[int], depth: int = 0):
    """A select of the ids of `table`'s rows that belong to these records."""
    record_table = PregnancyRecord.__table__
    if table is record_table:
        return sa_select(record_table.c.id).where(record_table.c.id.in_(record_ids))
    links = _card_tables_by_name()[table.name]
    column, parent = links[0]
    return sa_select(table.c.id).where(table.c[column].in_(_ids_of(parent, record_ids,
                                                                   depth + 1)))


_CACHE: dict[str, list[tuple[str, Table]]] = {}


def _card_tables_by_name() -> dict[str, list[tuple[str, Table]]]:
    if not _CACHE:
        _CACHE.update({t.name: links for t, links in _card_tables()})
    return _CACHE


def _remove_records(s: Session, woman: Person, now: dt.datetime) -> list[int]:
    records = s.exec(select(PregnancyRecord).where(PregnancyRecord.woman_id == woman.id)).all()
    if not records:
        return []
    record_ids = [r.id for r in records]
    for record in records:
        s.add(CardRemoval(record_id=record.id, record_created_at=record.created_at,
                          woman_id=woman.id, removed_at=now))
    s.flush()  # the removal rows first: the version trigger looks for them
    for table, links in _card_tables():
        column, parent = links[0]
        s.execute(delete(table).where(table.c[column].in_(_ids_of(parent, record_ids))))
    s.execute(delete(PregnancyRecord.__table__)
              .where(PregnancyRecord.__table__.c.id.in_(record_ids)))
    s.expire_all()
    return record_ids


def withdraw_consent(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, *,
                     now: dt.datetime | None = None) -> list[int]:
    """She withdraws her consent: her cards are removed from the app (every row of them),
    the consent is marked withdrawn, and the access log gets one row per removed card and
    one for the withdrawal, with no health data. Returns the removed records' ids."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        woman = _her(s, actor, woman_pid)
        consent = standing_consent(s, woman)
        removed = _remove_records(s, woman, now)
        if consent is not None:
            consent.withdrawn_at = now
            s.add(consent)
            s.flush()
        for record_id in removed:
            log(s, actor, woman_pid, "delete", E_RECORD, record_id)
        log(s, actor, woman_pid, "withdraw", E_CONSENT, consent.id if consent else None)
        return removed
