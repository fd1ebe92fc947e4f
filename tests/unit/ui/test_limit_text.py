"""The sentence for the limit of upcoming bookings says the number the settings allow,
in the right plural, instead of a number written into the text."""

import pytest

from digihelse.booking import errors
from digihelse.core.i18n import tn
from digihelse.core.settings import get_settings
from digihelse.ui.state.booking import refusal_text


@pytest.mark.parametrize("lang,one,three", [
    ("nb", "allerede 1 time som", "allerede 3 timer som"),
    ("nn", "allereie 1 time som", "allereie 3 timar som"),
    ("en", "already have 1 upcoming appointment.", "already have 3 upcoming appointments."),
])
def test_the_limit_sentence_follows_the_number(lang, one, three):
    assert one in tn("booking.error.limit_n", 1, lang)
    assert three in tn("booking.error.limit_n", 3, lang)


def test_the_refusal_names_the_configured_limit():
    limit = get_settings().booking.max_active_future_bookings
    assert f"allerede {limit} " in refusal_text(errors.LimitReached.message_key, "nb")
    assert refusal_text(errors.SlotUnavailable.message_key, "nb") != ""
