"""Booking tables: the nurses' and midwives' opening hours, the slots made from them, and bookings.
Times of day are Europe/Oslo wall-clock times; instants are stored as aware UTC."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from digihelse.core.timeutil import utcnow


class SlotStatus(enum.StrEnum):
    OPEN = "open"
    BLOCKED = "blocked"  # the nurse closed it by hand
    WITHDRAWN = "withdrawn"  # no longer in the schedule


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Topic(enum.StrEnum):
    """Optional categories for a booking; never leave the service (no SMS, no calendar).
    Which ones are offered depends on the service (booking.rules.topics_for)."""

    BODY_HEALTH = "body_health"
    FEELINGS = "feelings"
    FRIENDS_FAMILY = "friends_family"
    CONTRACEPTION = "contraception"
    GROWTH = "growth"  # a child's growth and development (basic service)
    EATING_SLEEPING = "eating_sleeping"
    VACCINATION = "vaccination"
    OTHER = "other"


# The cancel_reason of a booking's old row after a move: the service's marker, never shown
# (a page says "Flyttet til …" from the booking that replaced it).
MOVED_REASON = "moved"


class CancelledBy(enum.StrEnum):
    PUPIL = "pupil"  # the citizen side: the pupil, or a parent in the basic service
    NURSE = "nurse"


class WeeklySchedule(SQLModel, table=True):
    """A nurse's recurring hours at one place on one weekday."""

    __tablename__ = "weekly_schedule"
    id: int | None = Field(default=None, primary_key=True)
    personnel_id: int = Field(foreign_key="personnel.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    weekday: int  # 0 = Monday
    start_time: dt.time  # Oslo wall clock
    end_time: dt.time
    slot_minutes: int = 20
    breaks: str = ""  # comma-separated "HH:MM-HH:MM", e.g. "11:30-12:00"
    valid_from: dt.date
    valid_to: dt.date | None = None  # inclusive; open-ended when None
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class OneOffHours(SQLModel, table=True):
    """Extra hours on one date ("Ekstra: fredag 28. nov 12–14")."""

    __tablename__ = "one_off_hours"
    id: int | None = Field(default=None, primary_key=True)
    personnel_id: int = Field(foreign_key="personnel.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    day: dt.date = Field(index=True)
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int = 20
    breaks: str = ""
    label: str = ""
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class ClosedDay(SQLModel, table=True):
    """Days without slots ("Høstferie"): for a place, for a nurse, or for both together.

    With only place_id it closes the place for every nurse; with only personnel_id it
    closes the nurse everywhere; with both, that nurse at that place."""

    __tablename__ = "closed_day"
    id: int | None = Field(default=None, primary_key=True)
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    personnel_id: int | None = Field(default=None, foreign_key="personnel.id", index=True)
    first_day: dt.date
    last_day: dt.date  # inclusive
    label: str = ""
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class SchoolHoliday(SQLModel, table=True):
    """A school holiday ("Juleferie"), first to last day inclusive, entered once for a whole
    municipality (municipality_id) or for one school (place_id): the school nurses' weekly
    hours at that school pause. The health station and youth clinic stay open."""

    __tablename__ = "school_holiday"
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id",
                                        index=True)
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    first_day: dt.date
    last_day: dt.date  # inclusive
    name: str = Field(max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)


class DropInHours(SQLModel, table=True):
    """"Åpen dør": hours without booking, shown to pupils as information only.

    Either recurring (weekday set) or on one date (day set)."""

    __tablename__ = "drop_in_hours"
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    personnel_id: int | None = Field(default=None, foreign_key="personnel.id")
    weekday: int | None = None  # 0 = Monday
    day: dt.date | None = None
    start_time: dt.time
    end_time: dt.time
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    label: str = ""
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class Slot(SQLModel, table=True):
    """One bookable interval of one nurse. (personnel_id, start_at) is unique, so slot
    generation can run any number of times without making duplicates."""

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("personnel_id", "start_at", name="uq_slot_personnel_start"),
        Index("ix_slot_place_start", "place_id", "start_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id")
    personnel_id: int = Field(foreign_key="personnel.id")
    start_at: dt.datetime
    end_at: dt.datetime
    status: str = Field(default=SlotStatus.OPEN, max_length=16)
    source: str = Field(default="manual", max_length=32)  # "weekly:<id>", "oneoff:<id>"
    schedule_id: int | None = Field(default=None, foreign_key="weekly_schedule.id")
    one_off_id: int | None = Field(default=None, foreign_key="one_off_hours.id")
    blocked_reason: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


# The database, not the code, guarantees one active booking per slot: a check before
# the insert cannot see a booking another transaction is inserting at the same moment.
ACTIVE_BOOKING_WHERE = "status != 'cancelled'"


class Booking(SQLModel, table=True):
    __tablename__ = "booking"
    __table_args__ = (
        Index(
            "uq_booking_active_slot", "slot_id", unique=True,
            sqlite_where=text(ACTIVE_BOOKING_WHERE),
            postgresql_where=text(ACTIVE_BOOKING_WHERE),
        ),
        Index("ix_booking_person_status", "person_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="slot.id", index=True)
    person_id: int = Field(foreign_key="person.id")  # the pupil
    booked_by_pid: str | None = Field(default=None, max_length=11)  # a parent, in basic
    service: str = Field(default="youth", max_length=16)  # a Service value
    status: str = Field(default=BookingStatus.BOOKED, max_length=16)
    topic: str | None = Field(default=None, max_length=32)  # a Topic value
    # Pregnancy bookings: which recommended consultation it is for (dating.Visit key, e.g.
    # "w28"); the page says t("card.visit.<key>"). Never leaves the service either.
    visit_key: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, max_length=1000)  # private, for the nurse only
    client_key: str = Field(unique=True, max_length=100)  # idempotency key from the client
    # Health personnel decided that parents may not see this basic-service booking.
    guardian_reservation: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = Field(default=None, max_length=500)
    cancelled_by: str | None = Field(default=None, max_length=16)  # a CancelledBy value
    moved_from_booking_id: int | None = Field(default=None, foreign_key="booking.id")
    # When the pupil saw (and put away) the home page's notice that her nurse moved or
    # cancelled this booking; kept here, not in the tab, so it stays seen on every device.
    change_seen_at: dt.datetime | None = None
    marked_at: dt.datetime | None = None  # when attended / no-show was recorded


class PlaceVersion(SQLModel, table=True):
    """How often a place's free times may have changed: kept by database triggers
    (migration 0015) on every slot and booking change, read by the free-week cache."""

    __tablename__ = "place_version"
    place_id: int = Field(foreign_key="place.id", primary_key=True)
    version: int = Field(sa_type=BigInteger, nullable=False)
