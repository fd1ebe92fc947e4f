"""The booking page pages through the published horizon, in whole weeks."""

from digihelse.booking.rules import weeks_ahead
from digihelse.core.settings import BookingSettings


def test_four_weeks_of_free_times_by_default():
    assert weeks_ahead(BookingSettings()) == 4


def test_a_horizon_that_is_not_whole_weeks_gets_its_last_part_week():
    assert weeks_ahead(BookingSettings(horizon_days=29)) == 5
    assert weeks_ahead(BookingSettings(horizon_days=7)) == 1
