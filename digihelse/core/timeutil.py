"""Time helpers: stored in UTC, shown in Europe/Oslo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def utcnow() -> dt.datetime:
    """Aware UTC now; SQLModel's datetime columns store and return aware UTC values."""
    return dt.datetime.now(dt.UTC)


def today_oslo() -> dt.date:
    return dt.datetime.now(OSLO).date()


def to_oslo(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(OSLO)


def aware_utc(now: dt.datetime | None) -> dt.datetime:
    """`now` (default: this moment) in UTC; a naive time is refused, since the services
    cannot tell which clock it was read from."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)
