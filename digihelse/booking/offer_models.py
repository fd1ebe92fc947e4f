"""Tables for holds and earlier-time offers: a hold keeps a slot for one person for a few
minutes (while she confirms, or while an offer of it waits for her answer); a wish says
she wants an earlier time than her booking; an offer is one freed time put to one wish."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel, select

from digihelse.core.timeutil import utcnow


class HoldKind(enum.StrEnum):
    CHOOSE = "choose"  # she tapped the time and is on the confirm step
    OFFER = "offer"  # an earlier-time offer keeps it for her


class HoldStatus(enum.StrEnum):
    ACTIVE = "active"
    CONFIRMED = "confirmed"  # she booked (or moved to) it
    RELEASED = "released"  # she went back, chose another, declined, or the offer moved on
    EXPIRED = "expired"


# With the booking table's partial unique index and the triggers of migration 0016, the
# database guarantees at most one active hold or booking per slot.
ACTIVE_HOLD_WHERE = "status = 'active'"


class SlotHold(SQLModel, table=True):
    __tablename__ = "slot_hold"
    __table_args__ = (
        Index("uq_slot_hold_active_slot", "slot_id", unique=True,
              sqlite_where=text(ACTIVE_HOLD_WHERE), postgresql_where=text(ACTIVE_HOLD_WHERE)),
        Index("ix_slot_hold_status_expires", "status", "expires_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="slot.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(default=HoldKind.CHOOSE, max_length=16)
    status: str = Field(default=HoldStatus.ACTIVE, max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None


class EarlierWish(SQLModel, table=True):
    """"Gi meg beskjed om en tidligere time blir ledig" on one booking. Waiting order is
    created_at, then id. Ends when the booking ends or moves."""

    __tablename__ = "earlier_wish"
    __table_args__ = (Index("ix_earlier_wish_place_active", "place_id", "active"),)
    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    place_id: int = Field(foreign_key="place.id")
    mornings_only: bool = False
    weekdays: str = Field(default="", max_length=20)  # "0,2,4" (0 = Monday); "" any day
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    ended_at: dt.datetime | None = None


class OfferStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    VOID = "void"  # the time went away (booked by the nurse, blocked, her booking ended)


class EarlierOffer(SQLModel, table=True):
    """One freed time offered to one wish; a slot is offered to each wish at most once."""

    __tablename__ = "earlier_offer"
    __table_args__ = (Index("uq_earlier_offer_slot_wish", "slot_id", "wish_id", unique=True),
                      Index("ix_earlier_offer_status_expires", "status", "expires_at"))
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="slot.id")
    wish_id: int = Field(foreign_key="earlier_wish.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    hold_id: int | None = Field(default=None, foreign_key="slot_hold.id")
    status: str = Field(default=OfferStatus.OFFERED, max_length=16)
    offered_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None


def held_slot_ids(now: dt.datetime):
    """A subquery of the slots someone holds at `now` (an active hold not yet timed out);
    others see them as not free."""
    return select(SlotHold.slot_id).where(SlotHold.status == HoldStatus.ACTIVE,
                                          SlotHold.expires_at > now)
