"""The booking page pages through the published horizon, in whole weeks."""

from digihelse.booking.rules import weeks_ahead
from digihelse.core.settings import BookingSettings


def test_four_weeks_of_free_times_by_default():
    assert weeks_ahead(BookingSettings()) == 4


def test_a_horizon_that_is_not_whole_weeks_gets_its_last_part_week():
    assert weeks_ahead(BookingSettings(horizon_days=29)) == 5
    assert weeks_ahead(BookingSettings(horizon_days=7)) == 1


def test_from_a_monday_the_last_days_of_the_horizon_get_a_week_of_their_own():
    # Thursday (weekday 3) + 28 days of horizon, counted from Monday: 31 days, five weeks.
    assert weeks_ahead(BookingSettings(), start_weekday=3) == 5
    assert weeks_ahead(BookingSettings(), start_weekday=0) == 4
