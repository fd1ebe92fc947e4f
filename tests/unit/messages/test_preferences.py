"""Her choice of notification channels: her own only, a checked e-mail address, and
browser subscriptions that must point at a push service over https."""

from __future__ import annotations

import pytest

from digihelse.messages import preferences
from digihelse.messages.errors import MessageError
from digihelse.messages.notices import channels_for
from tests.factories import citizen, staff


def test_sms_by_default_and_what_she_chooses(engine, seeded):
    ida = citizen(seeded["ida"])
    assert preferences.preference_of(engine, ida) == preferences.Preference(
        True, False, "", False, 0)
    preferences.save_preference(engine, ida, sms=False, email_on=True,
                                email=" ida@example.org ", push_on=False)
    got = preferences.preference_of(engine, ida)
    assert (got.sms, got.email_on, got.email) == (False, True, "ida@example.org")
    from digihelse.core import db

    with db.session(engine) as s:
        assert channels_for(s, ida.pid) == ["email"]


@pytest.mark.parametrize("email", ["", "ida", "ida@", "@example.org", "ida@example",
                                   "a b@example.org", "x" * 250 + "@example.org"])
def test_a_bad_address_is_refused(engine, seeded, email):
    with pytest.raises(MessageError) as refused:
        preferences.save_preference(engine, citizen(seeded["ida"]), sms=True, email_on=True,
                                    email=email, push_on=False)
    assert refused.value.code == "bad_email"


def test_push_subscriptions(engine, seeded):
    ida = citizen(seeded["ida"])
    preferences.add_push_subscription(engine, ida, endpoint="https://push.example/abc",
                                      p256dh="BNc" + "a" * 84, auth="c2VjcmV0")
    assert preferences.preference_of(engine, ida).push_devices == 1
    assert preferences.preference_of(engine, ida).push_on
    for endpoint in ("http://push.example/abc", "javascript:alert(1)", "https://"):
        with pytest.raises(MessageError):
            preferences.add_push_subscription(engine, ida, endpoint=endpoint,
                                              p256dh="BNc", auth="c2VjcmV0")
    with pytest.raises(MessageError):
        preferences.add_push_subscription(engine, ida, endpoint="https://push.example/x",
                                          p256dh="not base64!", auth="c2VjcmV0")
    assert preferences.remove_push_subscriptions(engine, ida) == 1
    assert preferences.preference_of(engine, ida).push_devices == 0


def test_personnel_have_no_citizen_preferences(engine, seeded):
    with pytest.raises(MessageError):
        preferences.preference_of(engine, staff(engine, seeded["kari"]))
