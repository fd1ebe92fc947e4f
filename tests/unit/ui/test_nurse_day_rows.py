"""The nurse's day as rows: each pupil's age and class, and Møtt / Ikke møtt offered only
from when the service allows them, with the time they open before that."""

from __future__ import annotations

import datetime as dt

from digihelse.booking.views import BookingLine, DayEntry, DayView
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO
from digihelse.ui.state.nurse import day_rows

DAY = dt.date(2025, 11, 25)
START = dt.datetime(2025, 11, 25, 10, 0, tzinfo=OSLO).astimezone(dt.UTC)


def _view(age: int | None = 13, school_class: str = "8B") -> DayView:
    line = BookingLine(1, "12345678901", "Ida Berg", "booked", "youth", None, None,
                       pupil_age=age, pupil_class=school_class)
    return DayView(DAY, [DayEntry(5, 7, "Fjordvik ungdomsskole", START,
                                  START + dt.timedelta(minutes=20), "open", None, line)])


def _row(now: dt.datetime, lang: str = "nb", **kw):
    return day_rows(_view(**kw), lang, now, BookingSettings())[0]


def test_the_row_says_age_and_class():
    assert _row(START).pupil_detail == "13 år, 8B"
    assert _row(START, lang="en").pupil_detail == "13 years, 8B"
    assert _row(START, school_class="").pupil_detail == "13 år"
    assert _row(START, age=None).pupil_detail == ""


def test_before_marking_opens_the_row_says_from_when():
    row = _row(START - dt.timedelta(hours=1))
    assert not row.can_attend and not row.can_no_show
    assert row.mark_from == "Kan markeres fra kl. 09.45"


def test_mott_opens_15_minutes_before_and_ikke_mott_at_the_start():
    early = _row(START - dt.timedelta(minutes=15))
    assert early.can_attend and not early.can_no_show and early.mark_from == ""
    begun = _row(START)
    assert begun.can_attend and begun.can_no_show
