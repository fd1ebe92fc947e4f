"""Innsyn in plain words: who (with her role) did what, under a heading for the day."""

import datetime as dt

import pytest

from digihelse.access.actors import Action
from digihelse.access.enforcement import AccessLogLine
from digihelse.healthcard import versioning
from digihelse.ui.state.access_log import day_heading, describe, describe_all


def _line(object_type: str, action: str = "read", **kw) -> AccessLogLine:
    values = dict(at=dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC),
                  actor_name="Lise Haugen", actor_role="midwife",
                  organisation="Fjordvik kommune", hpr_number="9100004", action=action,
                  object_type=object_type, channel="web", outcome="ok", by_viewer=False)
    return AccessLogLine(**{**values, **kw})


@pytest.mark.parametrize("object_type,action", [
    ("appointment", "read"), ("session", "login"), ("history", "read"),
    ("pregnancy_list", "read"), (versioning.E_RECORD, "read"),
    (versioning.E_CONSULTATION, "create"), (versioning.E_LAB, "update"),
    (versioning.E_NOTE, "create"), ("fullmakt_list", "read")])
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_logged_pair_has_its_own_words(object_type, action, lang):
    vague = describe(_line("something_new"), lang).what
    assert describe(_line(object_type, action), lang).what != vague


def test_personnel_are_named_with_their_role_and_place():
    row = describe(_line(versioning.E_LAB, "create"), "nb")
    assert row.who == "Lise Haugen (jordmor)"
    assert row.what == "la inn et prøvesvar på helsekortet"
    assert (row.when, row.where) == ("10.30", "Fjordvik kommune")


def test_hiding_an_item_says_so_and_names_no_check_up():
    row = describe(_line(versioning.E_CONSULTATION, "hide", actor_role="citizen",
                         by_viewer=True), "nb")
    assert f"{row.who} {row.what}" == (
        "Du skjulte et punkt på helsekortet for dem du deler det med")


def test_a_fullmakt_names_its_receiver():
    row = describe(_line("fullmakt", "give", actor_role="citizen", by_viewer=True,
                         other_name="Jon Hansen"), "nb")
    assert f"{row.who} {row.what}" == "Du ga Jon Hansen tilgang til helsekortet"
    row = describe(_line("fullmakt", "revoke", actor_role="citizen", actor_name="Nora Lie",
                         viewer_gave=False), "en")
    assert f"{row.who} {row.what}" == "Nora Lie took back your access to the health card"


def test_opening_the_access_log_reads_as_seeing_who_has_seen():
    row = describe(_line("access_log", Action.VIEW_ACCESS_LOG.value), "nb")
    assert row.what == "så hvem som har sett opplysningene"


def test_a_refusal_says_what_she_tried():
    row = describe(_line(versioning.E_RECORD, "view_card", outcome="denied"), "nn")
    assert row.what == "prøvde å opne helsekortet, men fekk ikkje tilgang"


@pytest.mark.parametrize("lang,expected", [
    ("nb", ["I dag", "I går", "Tirsdag 1. desember"]),
    ("nn", ["I dag", "I går", "Tysdag 1. desember"]),
    ("en", ["Today", "Yesterday", "Tuesday 1 December"])])
def test_day_headings(lang, expected):
    today = dt.date(2026, 12, 4)
    days = [today, dt.date(2026, 12, 3), dt.date(2026, 12, 1)]
    assert [day_heading(d, today, lang) for d in days] == expected


def test_a_heading_only_where_the_day_changes_also_across_pages():
    at = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)
    lines = [_line("appointment", at=at), _line("appointment", at=at - dt.timedelta(hours=1)),
             _line("appointment", at=at - dt.timedelta(days=2))]
    rows, last = describe_all(lines[:2], "nb", None, dt.date(2026, 12, 4))
    more, _ = describe_all(lines[2:], "nb", last, dt.date(2026, 12, 4))
    assert [r.day for r in rows + more] == ["I går", "", "Tirsdag 1. desember"]
    again, _ = describe_all(lines[:1], "nb", last, dt.date(2026, 12, 4))
    assert again[0].day == ""  # the same day as the last row shown: no second heading
