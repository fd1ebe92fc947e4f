"""Her own measurements at home ("målt selv"): blood pressure (and pulse) and weight she
takes herself and records from her card, as UK maternity notes let women do.

They are kept apart from the carers' consultations, marked as hers wherever they are
shown, and drawn in the same charts in another style. Only she records, corrects or
deletes them; her midwife and GP see them; a partner with fullmakt only when she shows
the section (Section.HOME_READINGS, hidden by default). Every change is a version of the
card and every read and write is in the access log, as her notes are.

A blood pressure at or above 140/90 (reference.bp_at_or_above_limit) asks her to contact
her midwife or the maternity ward the same day: the page says so in plain words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.timeutil import aware_utc, to_oslo
from digihelse.healthcard import dating, reference
from digihelse.healthcard.errors import check_version, fail_if
from digihelse.healthcard.guard import is_proxy, log, require
from digihelse.healthcard.lookup import item, record_for
from digihelse.healthcard.models import HomeReading, PregnancyRecord, Section
from digihelse.healthcard.validation import HomeReadingDraft, validate_home_reading
from digihelse.healthcard.versioning import E_HOME_READING, author_of, write_version


@dataclass(frozen=True)
class HomeReadingView:
    """One of her readings as the viewer may see it; `high` at or above 140/90."""

    id: int
    measured_at: dt.datetime
    ga_text: str | None  # "27+3" on the day she measured, when the card has a due date
    bp_systolic: int | None
    bp_diastolic: int | None
    pulse: int | None
    weight_kg: float | None
    high: bool
    hidden_from_proxy: bool
    version: int


@dataclass(frozen=True)
class HomeReadingsView:
    readings: tuple[HomeReadingView, ...]  # newest first
    may_edit: bool  # she herself (not a partner, not her carers)


def needs_contact_today(draft: HomeReadingDraft | HomeReadingView) -> bool:
    """Whether the reading asks her to contact her midwife or the maternity ward today."""
    return reference.bp_at_or_above_limit(draft.bp_systolic, draft.bp_diastolic)


def shown_to(record: PregnancyRecord, relation: str, row: HomeReading) -> bool:
    """A partner with fullmakt sees her readings only when she shows the section, and
    not one she hid on its own; she and her carers see them all."""
    if not is_proxy(relation):
        return True
    return (Section.HOME_READINGS not in (record.hidden_sections or [])
            and not row.hidden_from_proxy)


def visible_rows(s: Session, record: PregnancyRecord, relation: str) -> list[HomeReading]:
    """Her readings the viewer may see, newest first (card.py draws them in the charts)."""
    rows = s.exec(select(HomeReading).where(HomeReading.record_id == record.id)
                  .order_by(col(HomeReading.measured_at).desc(), col(HomeReading.id).desc()))
    return [row for row in rows if shown_to(record, relation, row)]


def ga_days_of(record: PregnancyRecord, row: HomeReading) -> int | None:
    """Her gestational age in days on the (Oslo) day she measured."""
    return dating.ga_in_pregnancy(record.due_date, to_oslo(row.measured_at).date())


def view_of(record: PregnancyRecord, row: HomeReading) -> HomeReadingView:
    days = ga_days_of(record, row)
    return HomeReadingView(
        row.id, aware_utc(row.measured_at), dating.format_ga(days) if days is not None else None,
        row.bp_systolic, row.bp_diastolic, row.pulse, row.weight_kg,
        reference.bp_at_or_above_limit(row.bp_systolic, row.bp_diastolic),
        row.hidden_from_proxy, row.version)


def chart_measurements(record: PregnancyRecord, rows: list[HomeReading]
                       ) -> list[reference.Measurement]:
    """Her readings as chart points (those outside the pregnancy's weeks are left out)."""
    points = []
    for row in rows:
        days = ga_days_of(record, row)
        if days is not None:
            points.append(reference.Measurement(to_oslo(row.measured_at).date(), days,
                                                row.weight_kg, row.bp_systolic,
                                                row.bp_diastolic))
    return points


def home_readings(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str
                  ) -> HomeReadingsView:
    """Her readings for her, her carers, or a partner with fullmakt (who gets none, as if
    none were taken, while she hides them). Logged as read. CardNotFound without a card."""
    with transaction(s_or_engine) as s:
        decision = require(s, actor, woman_pid, Action.VIEW_CARD, object_type=E_HOME_READING)
        _woman, record = record_for(s, woman_pid)
        rows = visible_rows(s, record, decision.relation)
        log(s, actor, woman_pid, "read", E_HOME_READING, None)
        return HomeReadingsView(tuple(view_of(record, row) for row in rows),
                                may_edit=decision.allows(Action.WRITE_OWN_NOTES))


def _values(draft: HomeReadingDraft) -> dict:
    return {"measured_at": aware_utc(draft.measured_at), "bp_systolic": draft.bp_systolic,
            "bp_diastolic": draft.bp_diastolic, "pulse": draft.pulse,
            "weight_kg": None if draft.weight_kg is None else round(draft.weight_kg, 1)}


def add_home_reading(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                     draft: HomeReadingDraft, *, now: dt.datetime | None = None
                     ) -> HomeReadingView:
    """She records a reading; an implausible value is refused with every problem at once
    and nothing is written (ValidationFailed)."""
    now = aware_utc(now)
    fail_if(validate_home_reading(draft, now=now))
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_HOME_READING)
        _woman, record = record_for(s, woman_pid)
        row = HomeReading(record_id=record.id, hidden_from_proxy=draft.hidden_from_proxy,
                          created_at=now, updated_at=now, **_values(draft))
        s.add(row)
        s.flush()
        write_version(s, record.id, E_HOME_READING, row, author_of(s, actor),
                      action="create", at=now)
        log(s, actor, woman_pid, "create", E_HOME_READING, row.id)
        return view_of(record, row)


def _her_reading(s: Session, actor: Actor, woman_pid: str, reading_id: int
                 ) -> tuple[PregnancyRecord, HomeReading]:
    require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_HOME_READING,
            object_id=reading_id)
    _woman, record = record_for(s, woman_pid)
    return record, item(s, HomeReading, reading_id, record)


def edit_home_reading(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                      reading_id: int, draft: HomeReadingDraft, *,
                      expected_version: int | None = None, now: dt.datetime | None = None
                      ) -> HomeReadingView:
    """She corrects one of her readings; the change log keeps what it said before."""
    now = aware_utc(now)
    fail_if(validate_home_reading(draft, now=now))
    with transaction(s_or_engine) as s:
        record, row = _her_reading(s, actor, woman_pid, reading_id)
        check_version(row, expected_version)
        values = _values(draft)
        if any(getattr(row, name) != value if name != "measured_at"
               else aware_utc(row.measured_at) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.version, row.updated_at = row.version + 1, now
            s.add(row)
            s.flush()
            write_version(s, record.id, E_HOME_READING, row, author_of(s, actor),
                          action="update", at=now)
            log(s, actor, woman_pid, "update", E_HOME_READING, row.id)
        return view_of(record, row)


def delete_home_reading(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                        reading_id: int, *, now: dt.datetime | None = None) -> None:
    """She deletes one of her readings. It leaves the card and the charts; the change log
    keeps a version that says it was deleted, by whom and when."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        record, row = _her_reading(s, actor, woman_pid, reading_id)
        row.version += 1
        write_version(s, record.id, E_HOME_READING, row, author_of(s, actor),
                      action="delete", at=now)
        s.delete(row)
        s.flush()
        log(s, actor, woman_pid, "delete", E_HOME_READING, reading_id)


__all__ = ["HomeReadingDraft", "HomeReadingView", "HomeReadingsView", "add_home_reading",
           "delete_home_reading", "edit_home_reading", "home_readings", "needs_contact_today"]
