"""Norwegian national identity numbers (fødselsnummer, D-number, synthetic test numbers).

Rules from Skatteetaten's specification, as summarised in ../shared/DOMAIN.md:
11 digits DDMMYY + individual number (3) + two mod-11 control digits. D-numbers add 40
to the day; synthetic numbers (Tenor, ID-porten TestID) add 80 to the month.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

NIN_LENGTH = 11  # digits
_WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class NinKind(enum.StrEnum):
    FNR = "fnr"  # ordinary birth number
    DNR = "dnr"  # D-number: day + 40
    SYNTHETIC = "synthetic"  # test number: month + 80
    SYNTHETIC_DNR = "synthetic_dnr"


class InvalidNin(ValueError):
    """The text is not a valid national identity number; the message says why."""


@dataclass(frozen=True)
class NationalId:
    value: str
    birth_date: dt.date
    kind: NinKind

    @property
    def is_synthetic(self) -> bool:
        return self.kind in (NinKind.SYNTHETIC, NinKind.SYNTHETIC_DNR)


def _control_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None  # no valid control digit exists for these digits
    return 11 - remainder


def control_digits(first_nine: str) -> str | None:
    """The two control digits for nine leading digits, or None when none exist."""
    k1 = _control_digit(first_nine, _WEIGHTS_K1)
    if k1 is None:
        return None
    k2 = _control_digit(first_nine + str(k1), _WEIGHTS_K2)
    if k2 is None:
        return None
    return f"{k1}{k2}"


def _century(individual: int, yy: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and yy >= 54:
        return 1800
    if yy <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def parse_nin(text: str) -> NationalId:
    """Validate a national id number and return it with its birth date and kind."""
    value = (text or "").strip().replace(" ", "")
    if len(value) != NIN_LENGTH or not value.isdigit():
        raise InvalidNin("Fødselsnummeret må ha 11 siffer.")
    if control_digits(value[:9]) != value[9:]:
        raise InvalidNin("Kontrollsifrene stemmer ikke.")
    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    individual = int(value[6:9])
    dnr = day > 40
    synthetic = month > 80
    if dnr:
        day -= 40
    if synthetic:
        month -= 80
    century = _century(individual, yy)
    if century is None:
        raise InvalidNin("Individnummeret passer ikke med fødselsåret.")
    try:
        birth = dt.date(century + yy, month, day)
    except ValueError as exc:
        raise InvalidNin("Fødselsdatoen i nummeret finnes ikke.") from exc
    kind = {
        (False, False): NinKind.FNR,
        (True, False): NinKind.DNR,
        (False, True): NinKind.SYNTHETIC,
        (True, True): NinKind.SYNTHETIC_DNR,
    }[(dnr, synthetic)]
    return NationalId(value=value, birth_date=birth, kind=kind)


def is_valid_nin(text: str) -> bool:
    try:
        parse_nin(text)
    except InvalidNin:
        return False
    return True


def make_nin(birth: dt.date, individual: int, *, synthetic: bool = True) -> str | None:
    """Build a number for a birth date and individual number, or None if the
    combination has no valid control digits (about 1 in 11 do not)."""
    month = birth.month + (80 if synthetic else 0)
    first_nine = f"{birth.day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}"
    digits = control_digits(first_nine)
    return None if digits is None else first_nine + digits


def individual_range(year: int) -> range:
    """Individual numbers that map to the given birth year's century."""
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    if 1854 <= year <= 1899:
        return range(500, 750)
    raise ValueError(f"no individual numbers for {year}")


def synthetic_nin(birth: dt.date, seed: int = 0) -> str:
    """A valid synthetic (+80 month) number for a birth date; seed picks among them."""
    candidates = individual_range(birth.year)
    start = candidates.start + (seed * 37) % len(candidates)
    for offset in range(len(candidates)):
        individual = candidates.start + (start - candidates.start + offset) % len(candidates)
        nin = make_nin(birth, individual, synthetic=True)
        if nin is not None:
            return nin
    raise ValueError(f"no synthetic number for {birth}")  # pragma: no cover


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years on a date. A 29 February birthday counts from 1 March in
    non-leap years (Norwegian practice: the person has not yet turned on 28 Feb)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def birthday_in(birth: dt.date, year: int) -> dt.date:
    """The date a person turns a year older in a given year (29 Feb -> 1 Mar)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)
