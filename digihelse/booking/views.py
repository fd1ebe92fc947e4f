"""What the booking calls hand back: free times, places, a person's appointments and the
nurse's day. Frozen dataclasses, no database rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from digihelse.booking.models import SlotStatus
from digihelse.booking.notices import clock, slot_label
from digihelse.core.timeutil import to_oslo


@dataclass(frozen=True)
class FreeSlot:
    slot_id: int
    place_id: int
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    nurse_name: str

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def day(self) -> dt.date:
        """The Oslo date, for grouping by day."""
        return self.start_local.date()

    @property
    def label(self) -> str:
        return slot_label(self.start_at)


def group_by_day(slots: Iterable[FreeSlot]) -> list[tuple[dt.date, list[FreeSlot]]]:
    """Free slots grouped by Oslo date, days and times in order."""
    days: dict[dt.date, list[FreeSlot]] = {}
    for slot in sorted(slots, key=lambda x: x.start_at):
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


@dataclass(frozen=True)
class DropInWindow:
    """The next "åpen dør" at a place: information only, nothing to book."""

    place_id: int
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    label: str = ""

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def end_local(self) -> dt.datetime:
        return to_oslo(self.end_at)


@dataclass(frozen=True)
class PlaceInfo:
    place_id: int
    name: str
    kind: str
    address: str
    description: str
    service: str
    nurses: tuple[str, ...]
    next_drop_in: DropInWindow | None
    phone: str = ""  # the place's number, and when it answers (as the place words it)
    phone_hours: str = ""


@dataclass(frozen=True)
class Appointment:
    booking_id: int
    slot_id: int
    place_id: int
    place_name: str
    place_address: str
    nurse_name: str
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    status: str
    service: str
    topic: str | None
    note: str | None
    cancelled_by: str | None
    cancel_reason: str | None
    visibility_key: str  # "booking.visibility.youth": "Foreldrene dine kan ikke se denne timen"
    can_change: bool  # cancel or move still allowed for this viewer
    visit_key: str | None = None  # pregnancy: the recommended consultation, card.visit.<key>
    # A booking moved to another time: that time (UTC). cancel_reason is then None: the
    # service's own marker for a move never leaves it.
    moved_to: dt.datetime | None = None
    # Booked, hers to cancel, but inside the notice: she must call the place instead.
    too_late: bool = False
    place_phone: str = ""
    place_phone_hours: str = ""

    @property
    def start_local(self) -> dt.datetime:
        return to_oslo(self.start_at)

    @property
    def label(self) -> str:
        return slot_label(self.start_at)


@dataclass(frozen=True)
class Appointments:
    upcoming: list[Appointment]
    past: list[Appointment]  # those whose time has gone, newest first
    # Cancelled or moved, while their time has not yet gone (a cancelled time later today
    # is not past), nearest first.
    cancelled: list[Appointment] = field(default_factory=list)


@dataclass(frozen=True)
class BookingChange:
    """Her nurse (or midwife) moved or cancelled her booking, and she has not yet seen it:
    the home page's notice."""

    booking_id: int
    kind: str  # "moved" or "cancelled"
    service: str
    place_id: int
    start_at: dt.datetime  # the time she had (UTC)
    moved_to: dt.datetime | None  # the new time, for a move
    reason: str | None  # the nurse's own words, for a cancellation


@dataclass(frozen=True)
class BookingLine:
    booking_id: int
    pupil_pid: str
    pupil_name: str
    status: str
    service: str
    topic: str | None
    note: str | None
    visit_key: str | None = None  # pregnancy: the recommended consultation, card.visit.<key>
    pupil_age: int | None = None  # completed years on the booking's day
    pupil_class: str = ""  # her class at the booking's school ("8B"), when it has one


@dataclass(frozen=True)
class DayEntry:
    slot_id: int
    place_id: int
    place_name: str
    start_at: dt.datetime
    end_at: dt.datetime
    slot_status: str
    blocked_reason: str | None
    booking: BookingLine | None

    @property
    def label(self) -> str:
        return f"{clock(self.start_at)}–{clock(self.end_at)}"

    @property
    def is_free(self) -> bool:
        return self.booking is None and self.slot_status == SlotStatus.OPEN


@dataclass(frozen=True)
class DayView:
    day: dt.date
    entries: list[DayEntry]
