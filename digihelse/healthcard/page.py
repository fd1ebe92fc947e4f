"""The pregnancy card page's data in one go: the card as the viewer may see it and what it
offers for booking the next consultation, read in one transaction with one policy
decision for the woman, and logged (committed) before it is handed over."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from digihelse.access.actors import Actor
from digihelse.access.enforcement import reading
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
        view = get_card(s, actor, woman_pid, to_oslo(now).date())
        try:
            options = pregnancy_booking_options(s, actor, woman_pid, now, settings=settings)
        except ServiceError:
            options = None
    return view, options
