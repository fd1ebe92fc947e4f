"""What the school holidays section of "Min timeplan" shows and reads, without Reflex:
the form read into dates (or which field is wrong), each holiday as one line, and which
field a service refusal points at."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digihelse.booking.school_holidays import HolidayLine
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import long_date

HOLIDAY_FIELDS = ("name", "first_day", "last_day")
# The service's refusal codes, by the field that must change.
FIELD_OF_CODE = {
    "name_required": "name", "name_too_long": "name",
    "dates_required": "first_day", "last_before_first": "last_day", "too_long": "last_day",
    "out_of_range": "first_day", "overlap": "first_day",
}


@dataclass
class HolidayRow:
    """One school holiday as the section lists it."""

    key: str  # the holiday's id, as the Slett button sends it
    name: str
    dates: str  # "21. desember 2026 – 1. januar 2027"
    where: str  # the school, or "Alle skolene i kommunen"
    remove_label: str  # "Fjern Juleferie"


def read_date(text: str) -> dt.date | None:
    """A date field's value (the browser sends YYYY-MM-DD), or None when empty or wrong."""
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def rows(lines: list[HolidayLine], lang: str) -> list[HolidayRow]:
    """The holidays, first first, each with its dates in words and where it applies."""
    out = []
    for line in lines:
        # A date never breaks inside ("1.\njanuar 2027"); the line breaks at the dash.
        dates = long_date(line.first_day, lang).replace(" ", "\u00a0")
        if line.last_day != line.first_day:
            dates += " – " + long_date(line.last_day, lang).replace(" ", "\u00a0")
        where = line.place_name or t("hol.whole_short", lang)
        out.append(HolidayRow(str(line.holiday_id), line.name, dates, where,
                              t("hol.remove_label", lang, name=line.name)))
    return out
