"""Innsyn: filtered by who and what in the query, keyset-paged, never a hidden row, and
every written code in plain words in nb, nn and en."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from digihelse.access import enforcement, policy
from digihelse.access import fullmakt as fm
from digihelse.audit import codes
from digihelse.audit.log import Entry, append
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.i18n import t
from tests.factories import citizen, staff

ROOT = Path(__file__).resolve().parents[3]
LANGS = ("nb", "nn", "en")


# --- Texts --------------------------------------------------------------------------------

def _written_pairs() -> set[tuple[str, str]]:
    """(action, object_type) pairs the app writes, read from its log calls' source."""
    pairs: set[tuple[str, str]] = set()
    consts = {"E_RECORD": "pregnancy_record", "E_CONSULTATION": "consultation",
              "E_LAB": "lab_result", "E_NOTE": "own_note", "E_BIRTH_PLAN": "birth_plan",
              "E_HOME_READING": "home_reading",
              "E_CONSENT": "pregnancy_consent",
              "O_FULLMAKT": "fullmakt",
              "O_LIST": "fullmakt_list", "O_RECEIVER": "fullmakt_receiver"}
    call = re.compile(r'\b(?:log|_log)\(s, actor, [\w.]+, "(\w+)", (\w+|"\w+")')
    for path in (ROOT / "digihelse").rglob("*.py"):
        for action, obj in call.findall(path.read_text()):
            pairs.add((action, consts.get(obj, obj.strip('"'))))
        for action in re.findall(r'record_booking_access\([^)]*action="(\w+)"', path.read_text()):
            pairs.add((action, "appointment"))
    # Written with a variable: hiding/showing an item, giving or changing a fullmakt,
    # the access log's own viewing, and logging in and out (digihelse/http/auth.py).
    pairs |= {(a, o) for a in ("hide", "show") for o in codes._HIDEABLE}
    pairs |= {("give", "fullmakt"), ("update", "fullmakt"), ("view_access_log", "access_log"),
              ("login", "session"), ("logout", "session")}
    return pairs


def test_the_source_scan_finds_the_log_calls():
    pairs = _written_pairs()
    assert ("create", "consultation") in pairs and ("revoke", "fullmakt") in pairs
    assert ("read", "fullmakt_receiver") in pairs and ("update", "appointment") in pairs


@pytest.mark.parametrize("lang", LANGS)
def test_every_written_code_has_a_text_in_every_language(lang):
    for action, obj in sorted(_written_pairs()):
        for gave in (True, False):
            key = codes.text_key(action, obj, "ok", viewer_gave=gave)
            assert key != codes.OTHER, (action, obj)
            text = t(key, lang, name="Jon Hansen")
            assert text and "_" not in text and "log." not in text, (lang, key, text)


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_codes_can_give_is_translated(lang):
    for key in codes.all_keys():
        assert t(key, lang, name="Jon Hansen") != key, (lang, key)


def test_hiding_an_item_is_not_changing_it():
    assert codes.text_key("hide", "consultation", "ok") == "log.do.hide"
    assert t("log.do.hide", "nb") != t("log.do.update_consultation", "nb")


def test_a_fullmakt_reads_for_the_giver_and_for_the_receiver():
    assert t(codes.text_key("give", "fullmakt", "ok"), "nb", name="Jon Hansen") == (
        "ga Jon Hansen tilgang til helsekortet")
    assert t(codes.text_key("give", "fullmakt", "ok", viewer_gave=False), "nb") == (
        "ga deg tilgang til helsekortet")


# --- The query: filters and keyset paging -------------------------------------------------

def _row(s, actor_pid, role, name, subject, object_type, at, hidden, action="read"):
    return append(s, Entry(action=action, object_type=object_type, actor_pid=actor_pid,
                           actor_role=role, actor_name=name, subject_pid=subject,
                           hidden_from_parents=hidden), at=at)


def _all_pages(s, viewer, subject, who, what, size):
    lines, cursor, pages = [], None, 0
    while True:
        page = enforcement.access_log_page(s, viewer, subject, who=who, what=what,
                                           after=cursor, size=size)
        lines += page.lines
        pages += 1
        assert len(page.lines) <= size
        if page.next is None:
            return lines, pages
        cursor = page.next


def test_filters_and_pages_narrow_pers_view_of_jonas(engine, seeded):
    per, kari = citizen(seeded["per"]), staff(engine, seeded["kari"])
    jonas = seeded["jonas"].nin
    base = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    with db.write_session(engine) as s:
        for i in range(5):
            _row(s, kari.pid, kari.role, kari.name, jonas, "appointment",
                 base + dt.timedelta(hours=i), False)
        _row(s, per.pid, "citizen", per.name, jonas, "session", base, False, "login")
        _row(s, kari.pid, kari.role, kari.name, jonas, "appointment", base, True)
    with db.write_session(engine) as s:
        lines, pages = _all_pages(s, per, jonas, codes.Who.PERSONNEL, codes.What.APPOINTMENTS, 2)
    assert len(lines) == 5 and pages == 3  # the hidden one never; 2 + 2 + 1
    assert [line.at for line in lines] == sorted((line.at for line in lines), reverse=True)
    with db.write_session(engine) as s:
        mine = enforcement.access_log_page(s, per, jonas, who=codes.Who.ME).lines
    assert {line.object_type for line in mine} == {"session", "access_log"}
    assert all(line.by_viewer for line in mine)
    # Only the first page logs the viewing.
    with db.session(engine) as s:
        views = s.exec(select(AccessLog).where(AccessLog.object_type == "access_log",
                                               AccessLog.actor_pid == per.pid)).all()
    assert len(views) == 2


def test_no_more_than_one_page_and_one_row_is_fetched(engine, seeded, monkeypatch):
    per = citizen(seeded["per"])
    jonas = seeded["jonas"].nin
    with db.write_session(engine) as s:
        for i in range(12):
            _row(s, per.pid, "citizen", per.name, jonas, "session",
                 dt.datetime(2026, 11, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=i), False,
                 "login")
    seen: list[int] = []
    original = Session.exec

    def spy(self, statement, *args, **kwargs):
        limit = getattr(statement, "_limit_clause", None)
        if limit is not None and AccessLog.__table__ in statement.get_final_froms():
            seen.append(limit.value)
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(Session, "exec", spy)
    with db.write_session(engine) as s:
        page = enforcement.access_log_page(s, per, jonas, size=5)
    assert len(page.lines) == 5 and page.next is not None
    assert 6 in seen and max(seen) == 6


def test_the_receiver_and_the_giver_of_a_fullmakt_are_named(engine, seeded):
    nora, jon = seeded["nora"], seeded["jon"]
    fm.give(engine, citizen(nora), jon.nin)
    with db.write_session(engine) as s:
        hers = enforcement.access_log_page(s, citizen(nora), nora.nin,
                                           what=codes.What.SHARING).lines
        his = enforcement.access_log_page(s, citizen(jon), jon.nin,
                                          what=codes.What.SHARING).lines
    given = next(line for line in hers if line.action == "give")
    assert given.viewer_gave and given.other_name == jon.full_name
    received = next(line for line in his if line.action == "give")
    assert not received.viewer_gave and received.other_name == nora.full_name


ACTORS = ("per", "kari", "lene", None)  # the viewer, personnel, another citizen, system
OBJECTS = ("appointment", "session", "pregnancy_record", "fullmakt", "access_log", "x")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(OBJECTS),
                               st.integers(0, 4), st.booleans()), max_size=14),
       who=st.sampled_from(list(codes.Who)), what=st.sampled_from(list(codes.What)),
       size=st.integers(1, 4), viewer_key=st.sampled_from(("per", "jonas_self")))
def test_pages_concatenated_are_the_visible_matching_rows(engine, seeded, rows, who, what,
                                                         size, viewer_key):
    """For any rows and any filter, the pages are the rows she may see that match, newest
    first, none twice: paging and filtering never leak a hidden row."""
    kari = staff(engine, seeded["kari"])
    people = {"per": citizen(seeded["per"]), "kari": kari, "lene": citizen(seeded["lene"])}
    subject = seeded["jonas"]
    # Per sees Jonas's log as a parent; Emil (a pupil) sees his own as "self".
    if viewer_key == "jonas_self":
        subject = seeded["emil"]
        people["per"] = citizen(subject)
    viewer = people["per"]
    base = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), db.write_session(engine) as s:
        for actor_key, obj, minute, hidden in rows:
            actor = people.get(actor_key) if actor_key else None
            _row(s, actor.pid if actor else None, actor.role if actor else "anonymous",
                 actor.name if actor else None, subject.nin, obj,
                 base + dt.timedelta(minutes=minute), hidden)
        everything = s.exec(select(AccessLog).where(AccessLog.subject_pid == subject.nin)
                            .order_by(AccessLog.at.desc(), AccessLog.id.desc())).all()
        relation = "self" if viewer.pid == subject.nin else "parent"

        def matches(r: AccessLog) -> bool:
            if not policy.log_row_visible(relation, r.hidden_from_parents):
                return False
            if what != codes.What.ALL and r.object_type not in codes.WHAT_OBJECTS[what]:
                return False
            if who == codes.Who.ME:
                return r.actor_pid == viewer.pid
            if who == codes.Who.PERSONNEL:
                return r.actor_role not in ("citizen", "anonymous")
            if who == codes.Who.FAMILY:
                return r.actor_role == "citizen" and r.actor_pid != viewer.pid
            return True

        expected = [(r.at, r.action, r.object_type, r.actor_pid == viewer.pid)
                    for r in everything if matches(r)]
        got, _pages = _all_pages(s, viewer, subject.nin, who, what, size)
        assert [(g.at.replace(tzinfo=dt.UTC) if g.at.tzinfo is None else g.at, g.action,
                 g.object_type, g.by_viewer) for g in got] == [
            (e[0].replace(tzinfo=dt.UTC) if e[0].tzinfo is None else e[0], *e[1:])
            for e in expected]
        raise Rollback()
