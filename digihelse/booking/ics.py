"""An iCalendar (RFC 5545) event for one booking, with a neutral summary and no topic
or note: a calendar is often synced to places the pupil does not control."""

from __future__ import annotations

import datetime as dt

SUMMARY = "Time hos helsesykepleier"
PRODID = "-//DigiHelse//Booking//NB"


def _utc(value: dt.datetime) -> str:
    """DATE-TIME in UTC form (RFC 5545 3.3.5, FORM #2): no time-zone table needed, and
    every calendar shows it in the reader's own zone (Oslo for our pupils)."""
    if value.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current, size = "", 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size = " ", 1  # continuation lines start with one space
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def booking_event(
    *,
    uid: str,
    start_at: dt.datetime,
    end_at: dt.datetime,
    stamp: dt.datetime,
    location: str = "",
    description: str = "",
    cancelled: bool = False,
    summary: str = SUMMARY,
    domain: str = "digihelse.no",
) -> str:
    """A VCALENDAR with one VEVENT. A cancelled booking keeps its UID and gets
    STATUS:CANCELLED with a higher SEQUENCE, so a calendar that imported it can update it.
    (METHOD:CANCEL belongs to iTIP scheduling with an ORGANIZER; a file is PUBLISH.)"""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}@{domain}",
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{1 if cancelled else 0}",
        f"DTSTART:{_utc(start_at)}",
        f"DTEND:{_utc(end_at)}",
        f"SUMMARY:{escape(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
