"""Search parameters (reference, token, string, date with prefixes) and paged searchset
Bundles with self/first/previous/next/last links.

Unknown parameters are ignored, as FHIR allows by default (lenient handling); the self
link then shows only the parameters that were applied."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from digihelse.core.timeutil import OSLO
from digihelse.http.fhir.outcome import FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING = ("_count", "_offset")

_DATE_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")
_PREFIXES = ("eq", "gt", "lt", "ge", "le")


@dataclass
class Query:
    """The request's query string, remembering which parameters a search applied."""

    items: list[tuple[str, str]]
    used: list[tuple[str, str]] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        """Each occurrence of the parameter (repeats mean AND), marked as applied."""
        found = [value for key, value in self.items if key == name]
        self.used += [(name, value) for value in found]
        return found

    def one(self, name: str) -> str | None:
        found = self.values(name)
        if len(found) > 1:
            raise FhirError(400, f"The parameter {name} may be given once.")
        return found[0] if found else None

    def any_of(self, name: str) -> list[str] | None:
        """A comma-separated OR list (one occurrence), or None when absent."""
        raw = self.one(name)
        if raw is None:
            return None
        return [part.strip() for part in raw.split(",") if part.strip()]

    def tokens(self, name: str) -> list[Token]:
        """A token parameter's OR list ("system|code" or "code"), empty when absent."""
        return [Token.parse(value) for value in self.any_of(name) or []]


# --- Parameter types ------------------------------------------------------------------------

def reference_id(value: str, resource_type: str) -> str:
    """The id in "Type/id", an absolute URL ending in it, or a bare id."""
    value = value.strip().rstrip("/")
    parts = value.split("/")
    if len(parts) >= 2:
        if parts[-2] != resource_type:
            raise FhirError(400, f"Expected a reference to {resource_type}, not {value!r}.")
        value = parts[-1]
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", value):
        raise FhirError(400, f"{value!r} is not a resource id.")
    return value


def int_id(value: str) -> int | None:
    """A numeric resource id, or None for any other id (which then matches nothing)."""
    return int(value) if value.isdigit() and len(value) < 16 else None


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system; "": no system
    code: str

    @classmethod
    def parse(cls, value: str) -> Token:
        if "|" in value:
            system, code = value.split("|", 1)
            return cls(system, code)
        return cls(None, value)

    def matches(self, system: str | None, code: str) -> bool:
        if self.code and self.code != code:
            return False
        if self.system is None:
            return True
        return (system or "") == self.system


def string_matches(value: str, candidate: str) -> bool:
    """FHIR string search: case-insensitive "starts with", here on any word of the name."""
    wanted = value.casefold().strip()
    text = candidate.casefold()
    return text.startswith(wanted) or any(word.startswith(wanted) for word in text.split())


@dataclass(frozen=True)
class DateFilter:
    """One date parameter: a prefix and the range its value stands for ([lower, upper))."""

    prefix: str
    lower: dt.datetime
    upper: dt.datetime

    def matches(self, at: dt.datetime) -> bool:
        if self.prefix == "ge":
            return at >= self.lower
        if self.prefix == "gt":
            return at >= self.upper
        if self.prefix == "le":
            return at < self.upper
        if self.prefix == "lt":
            return at < self.lower
        return self.lower <= at < self.upper

    @property
    def earliest(self) -> dt.datetime | None:
        return {"ge": self.lower, "gt": self.upper, "eq": self.lower}.get(self.prefix)

    @property
    def latest(self) -> dt.datetime | None:
        return {"le": self.upper, "lt": self.lower, "eq": self.upper}.get(self.prefix)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=1)


def parse_date(raw: str) -> DateFilter:
    """"ge2025-01-01", "lt2025-03-01T10:00:00+01:00", "2025-02" ... A value without a time
    zone is Oslo time, like everything the service shows."""
    prefix = raw[:2] if raw[:2] in _PREFIXES else "eq"
    value = raw[2:] if raw[:2] in _PREFIXES else raw
    if raw[:2].isalpha() and raw[:2] not in _PREFIXES:
        raise FhirError(400, f"The date prefix {raw[:2]!r} is not supported "
                             f"(use one of {', '.join(_PREFIXES)}).")
    match = _DATE_RE.match(value)
    if match is None:
        raise FhirError(400, f"{value!r} is not a FHIR date or dateTime.")
    part = {k: v for k, v in match.groupdict().items() if v is not None}
    try:
        if "hour" in part:
            if "day" not in part:
                raise ValueError("a time needs a full date")
            zone: dt.tzinfo = OSLO
            tz = part.get("tz")
            if tz == "Z":
                zone = dt.UTC
            elif tz:
                sign = 1 if tz[0] == "+" else -1
                zone = dt.timezone(sign * dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
            fraction = (part.get("fraction") or "").ljust(6, "0")[:6]
            lower = dt.datetime(int(part["year"]), int(part["month"]), int(part["day"]),
                                int(part["hour"]), int(part["minute"]),
                                int(part.get("second", 0)), int(fraction or 0), tzinfo=zone)
            step = dt.timedelta(seconds=1) if "second" in part else dt.timedelta(minutes=1)
            if part.get("fraction"):
                step = dt.timedelta(microseconds=1)
            upper = lower + step
        else:
            first = dt.date(int(part["year"]), int(part.get("month", 1)), int(part.get("day", 1)))
            if "day" in part:
                last = first + dt.timedelta(days=1)
            elif "month" in part:
                last = _add_months(first, 1)
            else:
                last = first.replace(year=first.year + 1)
            lower = dt.datetime.combine(first, dt.time(), tzinfo=OSLO)
            upper = dt.datetime.combine(last, dt.time(), tzinfo=OSLO)
        return DateFilter(prefix, lower.astimezone(dt.UTC), upper.astimezone(dt.UTC))
    except ValueError as exc:
        raise FhirError(400, f"{value!r} is not a valid date: {exc}.") from exc
    except OverflowError as exc:  # 0001-01-01 in Oslo is before year 1 in UTC, and so on
        raise FhirError(400, f"{value!r} is outside the dates this service holds.") from exc


def date_filters(query: Query, name: str) -> list[DateFilter]:
    return [parse_date(value) for value in query.values(name)]


def bounds(filters: Sequence[DateFilter]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The tightest [earliest, latest) the filters allow together (None: open)."""
    earliest = [f.earliest for f in filters if f.earliest is not None]
    latest = [f.latest for f in filters if f.latest is not None]
    return (max(earliest) if earliest else None, min(latest) if latest else None)


# --- Paging ---------------------------------------------------------------------------------

def paging(query: Query) -> tuple[int, int]:
    """(_count, _offset): _count 0-100, default 20; _offset from 0."""
    def number(name: str, default: int) -> int:
        raw = query.one(name)
        if raw is None:
            return default
        if not raw.isdigit() or len(raw) > 9:
            raise FhirError(400, f"{name} must be a whole number from 0.")
        return int(raw)

    return min(number("_count", DEFAULT_COUNT), MAX_COUNT), number("_offset", 0)


def _link(base: str, resource_type: str, params: list[tuple[str, str]], count: int,
          offset: int) -> str:
    query = [(k, v) for k, v in params if k not in PAGING]
    query += [("_count", str(count)), ("_offset", str(offset))]
    return f"{base}/{resource_type}?{urlencode(query)}"


def searchset(base: str, resource_type: str, query: Query, matches: Sequence[Resource],
              count: int, offset: int) -> Bundle:
    """One page of the matches, with the total and the links to walk the rest."""
    total = len(matches)
    page = list(matches[offset:offset + count]) if count else []
    links = [("self", offset), ("first", 0)]
    if count:
        if offset > 0:
            links.append(("previous", max(offset - count, 0)))
        if offset + count < total:
            links.append(("next", offset + count))
        links.append(("last", max((total - 1) // count * count, 0)))
    entries = [{
        "fullUrl": f"{base}/{resource.get_resource_type()}/{resource.id}",
        "resource": resource,
        "search": {"mode": "match"},
    } for resource in page]
    return Bundle.model_validate({
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation,
                  "url": _link(base, resource_type, query.used, count, at)}
                 for relation, at in links],
        "entry": entries or None,
    })
