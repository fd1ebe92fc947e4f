"""The pregnancy card page's data in one go: the card as the viewer may see it and what it
offers for booking the next consultation, read in one transaction with one policy
decision for the woman, and logged (committed) before it is handed over."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.engine import Engine

from digihelse.access.actors import Actor
from digihelse.access.enforcement import held_reads, reading
from digihelse.audit.log import Entry, write_reads_async
from digihelse.booking.pregnancy import PregnancyBookingOptions, pregnancy_booking_options
from digihelse.core.errors import ServiceError
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo
from digihelse.healthcard.card import get_card
from digihelse.healthcard.views import CardView


def card_page(engine: Engine, actor: Actor, woman_pid: str, now: dt.datetime, *,
              settings: BookingSettings
              ) -> tuple[CardView, PregnancyBookingOptions | None]:
    """get_card() and pregnancy_booking_options() as one read: the same checks, refusals
    and log rows. The booking box is None when refused (logged), as the page leaves it out."""
    with reading(engine) as s:
        return _read(s, actor, woman_pid, now, settings)


async def card_page_async(engine: Engine, actor: Actor, woman_pid: str, now: dt.datetime, *,
                          settings: BookingSettings
                          ) -> tuple[CardView, PregnancyBookingOptions | None]:
    """card_page() for an event handler: the reads in a worker thread, then the log rows'
    commit awaited on the event loop (no thread waits for it); the data is returned only
    once they are committed, as card_page() does."""
    entries: list[Entry] = []

    def read() -> tuple[CardView, PregnancyBookingOptions | None]:
        with held_reads(engine, entries) as s:
            return _read(s, actor, woman_pid, now, settings)

    found = await asyncio.to_thread(read)
    await write_reads_async(engine, entries)
    return found


def _read(s, actor: Actor, woman_pid: str, now: dt.datetime, settings: BookingSettings
          ) -> tuple[CardView, PregnancyBookingOptions | None]:
    view = get_card(s, actor, woman_pid, to_oslo(now).date())
    try:
        options = pregnancy_booking_options(s, actor, woman_pid, now, settings=settings)
    except ServiceError:
        options = None
    return view, options
