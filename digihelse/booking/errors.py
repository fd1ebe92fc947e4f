"""Why a booking action was refused: one exception class per reason, each with a code
for logs and the API and an i18n key for the sentence the page shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from digihelse.core.errors import ServiceError
from digihelse.core.i18n.families import keyed

if TYPE_CHECKING:
    from digihelse.booking.views import FreeSlot


class BookingError(ServiceError):
    """A refused booking action. `code` is for logs and the API, `message_key` an i18n
    key for the sentence the page shows."""

    code = "booking_error"
    message_key = "booking.error.generic"

    def __init__(self, message: str = "", *, code: str | None = None,
                 message_key: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.code = code or self.code
        self.message_key = message_key or self.message_key


class SlotTaken(BookingError):
    """Somebody else booked this slot first."""

    code = "slot_taken"
    message_key = "booking.error.slot_taken"

    def __init__(self, alternatives: list[FreeSlot]) -> None:
        super().__init__()
        self.alternatives = alternatives


class SlotUnavailable(BookingError):
    """The slot does not exist, or the nurse blocked or withdrew it."""

    code = "slot_unavailable"
    message_key = "booking.error.slot_unavailable"


class TooLate(BookingError):
    """The time is past, or inside the notice; code says which ("past", "min_notice",
    "cancel_notice")."""

    code = "too_late"
    message_key = "booking.error.too_late"

    def __init__(self, code: str) -> None:
        super().__init__(f"too late: {code}", code=code,
                         message_key=keyed("booking.error", code))


class LimitReached(BookingError):
    """The pupil already has the maximum number of upcoming appointments."""

    code = "limit_reached"
    message_key = "booking.error.limit_reached"

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit


class ClientKeyReused(BookingError):
    """The client's idempotency key was used before for another booking."""

    code = "client_key_reused"
    message_key = "booking.error.generic"


class BookingNotFound(BookingError):
    """No such booking."""

    code = "not_found"
    message_key = "booking.error.not_found"


class InvalidTransition(BookingError):
    """The booking is not in a state that allows this (e.g. marking a cancelled one)."""

    code = "invalid_transition"
    message_key = "booking.error.invalid_transition"


class ReasonRequired(BookingError):
    """A nurse who cancels must give the pupil a reason."""

    code = "reason_required"
    message_key = "booking.error.reason_required"


class SlotBooked(BookingError):
    """The slot has a booking: cancel or move it first."""

    code = "slot_booked"
    message_key = "booking.error.slot_booked"


class InvalidSchedule(BookingError):
    """Opening hours that do not make sense (end before start, bad break, ...)."""

    code = "invalid_schedule"
    message_key = "booking.error.invalid_schedule"


class TooManyRequests(BookingError):
    """Too many booking requests from this person in a short time; `retry_after` says in
    how many seconds the next one is let through."""

    code = "too_many_requests"
    message_key = "booking.error.too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
