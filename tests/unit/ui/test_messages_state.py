"""The messages pages' words made on the server: answer times, when a message came, and
the out-of-office reply, in each language."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from digihelse.core.timeutil import OSLO, today_oslo
from digihelse.messages.service import ConversationView, MessageLine
from digihelse.ui import routes
from digihelse.ui.state.messages import _lines, answer_time, category_text, on_page, when


def test_answer_times():
    assert answer_time(2, True, "nb") == "innen 2 skoledager"
    assert answer_time(3, False, "nn") == "innan 3 vyrkedagar"
    assert answer_time(2, True, "en") == "within 2 school days"


def test_when_a_message_came():
    now = dt.datetime.combine(today_oslo(), dt.time(10, 15), tzinfo=OSLO)
    assert when(now, "nb") == "i dag 10.15"
    assert when(now - dt.timedelta(days=1), "nn") == "i går 10.15"


def test_topic_or_none():
    assert category_text("contraception", "nb") == "Prevensjon"
    assert category_text(None, "en") == "No topic"


def test_the_auto_reply_is_worded_in_her_language_and_mine_are_marked():
    at = dt.datetime(2026, 12, 4, 21, 0, tzinfo=dt.UTC)
    view = ConversationView(
        1, 2, "Fjordvik ungdomsskole", "lower_secondary", "youth", "dialog", None, "open", 2,
        True, (MessageLine(1, "citizen", "Ida Berg", "Hei", at, True, False, None),
               MessageLine(2, "auto", "", "", at, False, False, dt.date(2026, 12, 8))),
        True, True, False, False, 0)
    mine, auto = _lines(view, "nb")
    assert (mine.who, mine.mine, mine.body) == ("Du", True, "Hei")
    assert auto.who == "Automatisk svar" and "tirsdag 8. desember" in auto.body
    assert "from Tuesday 8 December" in _lines(view, "en")[1].body


def test_a_live_refresh_checks_the_tab_is_still_on_the_page():
    router = SimpleNamespace(url=SimpleNamespace(path="/meldinger/samtale/"))
    assert on_page(router, routes.CONVERSATION)
    router.url.path = "/hjem"
    assert not on_page(router, routes.CONVERSATION)
