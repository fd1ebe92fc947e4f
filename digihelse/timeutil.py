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
