"""Innsyn in plain words: every kind of object the services log has its own phrase."""

import datetime as dt

import pytest

from digihelse.access import fullmakt
from digihelse.access.enforcement import AccessLogLine
from digihelse.healthcard import versioning
from digihelse.ui.state.access_log import describe

LOGGED_OBJECTS = ["appointment", "session", "patient", "history", "pregnancy_list",
                  versioning.E_RECORD, versioning.E_CONSULTATION, versioning.E_LAB,
                  versioning.E_NOTE,
                  fullmakt.O_FULLMAKT, fullmakt.O_LIST]


def _line(object_type: str, action: str = "read") -> AccessLogLine:
    return AccessLogLine(at=dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC),
                         actor_name="Lise Haugen", actor_role="midwife",
                         organisation="Fjordvik kommune", hpr_number="9100004", action=action,
                         object_type=object_type, channel="web", outcome="ok", by_viewer=False)


@pytest.mark.parametrize("object_type", LOGGED_OBJECTS)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_logged_object_has_its_own_words(object_type, lang):
    vague = describe(_line("something_new"), lang).what
    assert describe(_line(object_type), lang).what != vague


def test_a_test_result_reads_as_a_sentence():
    row = describe(_line(versioning.E_LAB, "create"), "nb")
    assert row.who == "Lise Haugen, jordmor, Fjordvik kommune"
    assert row.what == "la til et prøvesvar på helsekortet"
    assert row.when == "22. november 10.30"


def test_opening_the_access_log_reads_as_seeing_it():
    from digihelse.access.actors import Action

    row = describe(_line("access_log", Action.VIEW_ACCESS_LOG.value), "nb")
    assert row.what == "så tilgangsloggen"
