"""What a committed message tells the other workers (ids only), and which open tabs then
reload: the conversation's viewers and the inboxes of its place."""

from __future__ import annotations

import pytest

from digihelse.core import broadcast
from digihelse.messages import events, service
from digihelse.messages.errors import NoRecipient
from digihelse.ui.state import messages_live
from tests.factories import citizen, staff


def test_a_committed_message_names_its_conversation_and_place(engine, seeded, monkeypatch):
    told = []
    monkeypatch.setattr(broadcast, "publish", lambda channel, message: told.append(
        (channel, message)))
    ida = citizen(seeded["ida"])
    key = next(r.key for r in service.recipients(engine, ida) if r.place_kind == "lower_secondary")
    conv_id = service.start(engine, ida, recipient=key, body="Hei, dette er hemmelig")
    service.reply(engine, staff(engine, seeded["kari"]), conv_id, "Hei")
    assert told and all(channel == events.CHANNEL for channel, _ in told)
    assert all(conv_id in message["conversations"] for _, message in told)
    assert "hemmelig" not in repr(told) and seeded["ida"].nin not in repr(told)


def test_nothing_is_told_when_the_write_is_refused(engine, seeded, monkeypatch):
    told = []
    monkeypatch.setattr(broadcast, "publish", lambda channel, message: told.append(message))
    with pytest.raises(NoRecipient):
        service.start(engine, citizen(seeded["ida"]), recipient="youth:99999", body="Hei")
    assert told == []


def test_which_tabs_reload():
    messages_live.watch("tab-a", "c", 7, "handler-a")
    messages_live.watch("tab-b", "p", 3, "handler-b")
    messages_live.watch("tab-c", "c", 8, "handler-c")
    try:
        assert sorted(messages_live.watchers({7}, {3})) == [("tab-a", "handler-a"),
                                                            ("tab-b", "handler-b")]
        assert messages_live.watchers({9}, {4}) == []
    finally:
        for token in ("tab-a", "tab-b", "tab-c"):
            messages_live.unwatch(token)
