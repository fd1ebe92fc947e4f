"""Lean tabs, over the wire: the prerendered pages carry words (not keys), a tab hydrates
/bestill and /helsekort in at most 8 KB without any UI text, and a client-side
navigation back to the page re-sends nothing it already has."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import urllib.request

import pytest

from digihelse.core.i18n import LANGS, TEXTS
from e2e.reflex_client import ROOT_STATE, CompiledApp, ReflexTab, login_cookie, unchanged_vars
from e2e.server import ROOT

HYDRATION_BUDGET = 8_000  # bytes, issue #11
LONG_TEXTS = [TEXTS[key][lang] for key in ("shell.skip", "book.no_times", "front.intro",
                                           "card.chart.sf_source") for lang in LANGS]


def _visible_text(html: str) -> str:
    body = html[html.index("<body"):]
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("path", ["/", "/bestill/", "/helsekort/", "/tilgjengelighet/"])
def test_the_prerendered_html_has_words_not_keys(base_url: str, path: str):
    with urllib.request.urlopen(base_url + path) as response:
        html = response.read().decode()
    text = _visible_text(html)
    assert TEXTS["shell.skip"]["nb"] in text and TEXTS["footer.accessibility"]["nb"] in text
    keys = [key for key in TEXTS if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)]
    assert not keys, f"text keys on the page: {keys}"


@pytest.mark.parametrize(("person", "path"), [("Ida", "/bestill/"), ("Nora", "/helsekort/"),
                                             ("Nora", "/helsekort/malinger/")])
def test_a_tab_hydrates_lean_and_navigation_resends_nothing(base_url: str, person: str,
                                                            path: str):
    app = CompiledApp.read(ROOT / ".web")
    session_state = f"{ROOT_STATE}.digihelse___ui___state___session____session_state"
    assert "tr_rx_state_" not in app.initial_state[session_state]
    cookie = login_cookie(base_url, person)

    async def visit():
        tab = ReflexTab(base_url, app, cookie)
        try:
            hydrate = await tab.open(path)
            away = await tab.navigate("/hjem")
            before = {state: dict(values) for state, values in tab.state.items()}
            back = await tab.navigate(path.rstrip("/"))
            return tab, hydrate, away, back, before
        finally:
            await tab.close()

    # Its own thread: sync Playwright keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        tab, hydrate, away, back, before = pool.submit(asyncio.run, visit()).result()
    assert tab.state[session_state]["logged_in_rx_state_"] is True  # the page loaded
    assert hydrate.bytes <= HYDRATION_BUDGET, f"{path} hydrated with {hydrate.bytes} bytes"
    for exchange in (hydrate, away, back):
        sent = " ".join(exchange.messages)
        assert not [text for text in LONG_TEXTS if text in sent]
    assert unchanged_vars(before, back) == 0
    # Who is logged in did not change: the session's vars are not sent again.
    assert session_state not in {state for delta in back.deltas for state in delta}
