"""A stateful property test of booking: random sequences of book, cancel, move, attendance,
schedule changes, blocking and the passing of time, each call's outcome predicted by a model
of the expected state (tests/booking_machine.py, shared with tests/mutation.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.booking_machine import BookingMachine

SUITE_SETTINGS = settings(
    max_examples=25, stateful_step_count=15, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BookingMachine.TestCase.settings = SUITE_SETTINGS
TestBookingStateMachine = BookingMachine.TestCase
