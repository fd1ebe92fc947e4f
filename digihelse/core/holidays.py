"""Norway's public holidays (helligdager, lov om helligdager og helligdagsfred § 2, and
1 and 17 May by lov om 1. og 17. mai som høgtidsdager), computed for any year: no
published time falls on one."""

from __future__ import annotations

import datetime as dt
from functools import cache


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def public_holidays(year: int) -> dict[dt.date, str]:
    """The year's public holidays, by date, with their Norwegian names."""
    easter = easter_sunday(year)

    def after(days: int) -> dt.date:
        return easter + dt.timedelta(days=days)

    return {
        dt.date(year, 1, 1): "Første nyttårsdag",
        after(-3): "Skjærtorsdag",
        after(-2): "Langfredag",
        easter: "Første påskedag",
        after(1): "Andre påskedag",
        dt.date(year, 5, 1): "Arbeidernes dag",
        dt.date(year, 5, 17): "Grunnlovsdag",
        after(39): "Kristi himmelfartsdag",
        after(49): "Første pinsedag",
        after(50): "Andre pinsedag",
        dt.date(year, 12, 25): "Første juledag",
        dt.date(year, 12, 26): "Andre juledag",
    }


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)
