"""Dates and times as a Norwegian (or English) reader expects them, via Babel's CLDR data."""

from __future__ import annotations

import datetime as dt
import functools

from babel.dates import format_date
from babel.numbers import format_decimal

from digihelse.core.i18n import normalise_lang
from digihelse.core.timeutil import to_oslo


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same days over and over
def day_month(day: dt.date, lang: str) -> str:
    """'25. november' / '25 November'."""
    lang = normalise_lang(lang)
    if lang == "en":
        return format_date(day, "d MMMM", locale="en_GB")
    return format_date(day, "d. MMMM", locale=lang)


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same days over and over
def weekday_day_month(day: dt.date, lang: str) -> str:
    """'onsdag 25. november' / 'Wednesday 25 November'."""
    lang = normalise_lang(lang)
    if lang == "en":
        return format_date(day, "EEEE d MMMM", locale="en_GB")
    return format_date(day, "EEEE d. MMMM", locale=lang)


def clock(moment: dt.datetime) -> str:
    """'10.15': Norwegian clock times use a full stop (Språkrådet)."""
    return to_oslo(moment).strftime("%H.%M")


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same days over and over
def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, "long", locale="en_GB" if normalise_lang(lang) == "en" else lang)


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same days over and over
def weekday_day_short_month(day: dt.date, lang: str) -> str:
    """'tirsdag 25. nov' / 'Tuesday 25 Nov': the short form on a time button."""
    lang = normalise_lang(lang)
    if lang == "en":
        return format_date(day, "EEEE d LLL", locale="en_GB")
    return format_date(day, "EEEE d. LLL", locale=lang)


def number(value: float | int, lang: str, decimals: int | None = None) -> str:
    """A number as the reader writes it (Babel's CLDR data): "71,5" in bokmål and nynorsk,
    "71.5" in English. With decimals, exactly that many; without, as many as it has (up
    to three), so that 168 stays "168"."""
    code = normalise_lang(lang)
    pattern = "0.###" if decimals is None else "0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="en_GB" if code == "en" else code)

