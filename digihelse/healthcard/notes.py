"""The woman's own part of the card: her notes and questions, and what she hides from
the people she gave fullmakt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from digihelse.access.actors import Action, Actor
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc
from digihelse.healthcard.errors import ItemNotFound, fail_if
from digihelse.healthcard.guard import log, require
from digihelse.healthcard.lookup import item, record_for
from digihelse.healthcard.models import NoteKind, OwnNote, PregnancyRecord, Section
from digihelse.healthcard.validation import validate_note
from digihelse.healthcard.versioning import (
    E_NOTE,
    E_RECORD,
    HIDEABLE,
    author_of,
    write_version,
)


def add_own_note(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, text: str,
                 kind: str = NoteKind.QUESTION, *, hidden_from_proxy: bool = False,
                 now: dt.datetime | None = None) -> OwnNote:
    """The woman writes a note, or a question for the next consultation; her midwife and GP
    see it on the card and in "Mine gravide"."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_NOTE)
        _woman, record = record_for(s, woman_pid)
        fail_if(validate_note(kind, text))
        note = OwnNote(record_id=record.id, kind=kind, text=plain_text(text),
                       hidden_from_proxy=hidden_from_proxy, created_at=now, updated_at=now)
        s.add(note)
        s.flush()
        write_version(s, record.id, E_NOTE, note, author_of(s, actor), action="create", at=now)
        log(s, actor, woman_pid, "create", E_NOTE, note.id)
        return note


def _her_note(s: Session, actor: Actor, woman_pid: str, note_id: int
              ) -> tuple[PregnancyRecord, OwnNote]:
    """One of her notes, locked, for her to change: only she writes her own notes."""
    require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=E_NOTE, object_id=note_id)
    _woman, record = record_for(s, woman_pid)
    return record, item(s, OwnNote, note_id, record)


def edit_own_note(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, note_id: int,
                  text: str, *, now: dt.datetime | None = None) -> OwnNote:
    """She rewrites one of her notes; the change log keeps what it said before."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        record, note = _her_note(s, actor, woman_pid, note_id)
        fail_if(validate_note(note.kind, text))
        if note.text != plain_text(text):
            note.text, note.version, note.updated_at = plain_text(text), note.version + 1, now
            s.add(note)
            s.flush()
            write_version(s, record.id, E_NOTE, note, author_of(s, actor), action="update",
                          at=now)
            log(s, actor, woman_pid, "update", E_NOTE, note.id)
        return note


def delete_own_note(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str, note_id: int,
                    *, now: dt.datetime | None = None) -> None:
    """She deletes one of her notes. It leaves the card; the change log keeps a version
    that says it was deleted, by whom and when (the card's history is never rewritten)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        record, note = _her_note(s, actor, woman_pid, note_id)
        note.version += 1
        write_version(s, record.id, E_NOTE, note, author_of(s, actor), action="delete", at=now)
        s.delete(note)
        s.flush()
        log(s, actor, woman_pid, "delete", E_NOTE, note_id)


def set_hidden_from_proxy(s_or_engine: SessionOrEngine, actor: Actor, woman_pid: str,
                          item_kind: str, item_id: int | str, hidden: bool = True, *,
                          now: dt.datetime | None = None) -> None:
    """The woman hides an item (consultation, lab_result, own_note) or a whole section
    (item_kind "section", item_id a Section value) from the people she gave fullmakt, or
    shows it again. Only she may: it is her choice (WRITE_OWN_NOTES is hers alone)."""
    now = aware_utc(now)
    with transaction(s_or_engine) as s:
        object_type = E_RECORD if item_kind == "section" else item_kind
        require(s, actor, woman_pid, Action.WRITE_OWN_NOTES, object_type=object_type,
                object_id=item_id if isinstance(item_id, int) else None)
        _woman, record = record_for(s, woman_pid, lock=item_kind == "section")
        action = "hide" if hidden else "show"
        if item_kind == "section":
            if item_id not in set(Section):
                raise ItemNotFound()
            sections = [x for x in (record.hidden_sections or []) if x != item_id]
            record.hidden_sections = [*sections, str(item_id)] if hidden else sections
            row: Any = record
            entity = E_RECORD
        elif item_kind in HIDEABLE and isinstance(item_id, int):
            row = item(s, HIDEABLE[item_kind], item_id, record)
            row.hidden_from_proxy = hidden
            entity = item_kind
        else:
            raise ItemNotFound()
        row.version += 1
        row.updated_at = now
        s.add(row)
        s.flush()
        write_version(s, record.id, entity, row, author_of(s, actor), action=action, at=now)
        log(s, actor, woman_pid, action, entity, row.id)  # "hide" or "show"
