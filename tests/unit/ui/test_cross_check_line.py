"""The app's own due date is said to personnel as a cross-check beside the hospital's, never
as a second due date; a large difference asks them to check what was typed."""

from __future__ import annotations

import datetime as dt

from digihelse.healthcard import dating
from digihelse.ui.state.card_display import cross_check_line

SCAN = dt.date(2026, 10, 3)


def _check(recorded_offset: int) -> dating.CrossCheck:
    computed = dating.date_by_ultrasound(SCAN, "bpd", 46.0)
    check = dating.cross_check(computed.due_date - dt.timedelta(days=recorded_offset), SCAN,
                               "bpd", 46.0)
    assert check is not None
    return check


def test_nothing_for_anyone_without_a_cross_check():
    assert cross_check_line(None, "nb") == ""


def test_it_says_cross_check_and_the_difference():
    line = cross_check_line(_check(2), "nb")
    assert line.startswith("Appens beregning, bare til kontroll: termin ")
    assert "Ultralyd, BPD" in line and "2 dager etter sykehusets termin" in line
    assert "Sjekk" not in line
    assert "stemmer med sykehusets" in cross_check_line(_check(0), "nb")
    assert "én dag før" in cross_check_line(_check(-1), "nb")


def test_a_large_difference_asks_to_check_what_was_typed():
    line = cross_check_line(_check(dating.CROSS_CHECK_DAYS + 1), "nb")
    assert "Sjekk at datoen og målet er skrevet riktig. Sykehusets termin gjelder." in line
    assert "cross-check only" in cross_check_line(_check(9), "en")
    assert "berre til kontroll" in cross_check_line(_check(9), "nn")


def test_the_measurement_outside_its_window_gives_no_cross_check():
    assert dating.cross_check(dt.date(2027, 3, 1), SCAN, "crl", 300.0) is None
    assert dating.cross_check(None, SCAN, "crl", 50.0) is None
