"""Findings 4 and 6 against the production server, scaled-out style (Redis state manager):
visitor tabs are given back after their short life, one address gets only so many
sockets, and the server log keeps no cookie, client token or national id number."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
import redis
from playwright.sync_api import expect

from e2e.conftest import ARTIFACTS, PHONE
from e2e.server import RunningServer, start_server, stop_server
from e2e.tabs import ROOT_STATE, Refused, Tab
from tests.redis_server import RedisServer

ANON_SECONDS = 2
MAX_SOCKETS = 5


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bounded(tmp_path_factory, redis_server: RedisServer) -> Iterator[RunningServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    running = start_server(
        tmp_path_factory.mktemp("bounded-data"), ARTIFACTS, log_name="bounded-server.log",
        # Its own frontend build: the build names the server's port, and the session's
        # server serves .web/ at the same time.
        extra_env={"REFLEX_WEB_WORKDIR": ".web-scaled",
                   "REFLEX_REDIS_URL": redis_server.url, "GRANIAN_WORKERS": "2",
                   "DIGIHELSE_ANON_TAB_SECONDS": str(ANON_SECONDS),
                   "DIGIHELSE_MAX_SOCKETS_PER_ADDRESS": str(MAX_SOCKETS),
                   "DIGIHELSE_SCHEDULER": "0"})
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def store(redis_server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(redis_server.url)


def state_keys(store: redis.Redis, token: str) -> list[bytes]:
    return list(store.scan_iter(match=f"{token}_{ROOT_STATE}*", count=1000))


def test_visitor_tabs_that_only_hydrate_are_given_back_after_their_short_life(bounded, store):
    tokens = []
    for _ in range(0, 150, MAX_SOCKETS):  # never more open at once than one address may
        batch = [Tab(bounded.base_url).connect() for _tab in range(MAX_SOCKETS)]
        assert all(tab.deltas for tab in batch)  # each one hydrated
        tokens += [tab.token for tab in batch]
        for tab in batch:
            tab.close()
    assert state_keys(store, tokens[-1]), "the last tab's state should still be there"
    deadline = time.monotonic() + 60
    left = tokens
    while left and time.monotonic() < deadline:
        left = [t for t in left if state_keys(store, t)]
        time.sleep(0.5)
    assert not left, f"{len(left)} of 150 tabs still held after {ANON_SECONDS} s of life"


def test_one_address_gets_only_so_many_sockets_and_a_clear_refusal(bounded):
    tabs = [Tab(bounded.base_url).connect() for _ in range(MAX_SOCKETS)]
    try:
        with pytest.raises(Refused) as refused:
            Tab(bounded.base_url).connect()
        assert f"høyst {MAX_SOCKETS}" in str(refused.value)
        assert "Too many open tabs" in str(refused.value)
        tabs.pop().close()
        deadline = time.monotonic() + 10
        while True:  # the count follows the close (released in Redis by a task)
            try:
                tabs.append(Tab(bounded.base_url).connect())
                break
            except Refused:
                assert time.monotonic() < deadline, "a closed tab was still counted"
                time.sleep(0.2)
    finally:
        for tab in tabs:
            tab.close()


def http_login(base_url: str, pid: str) -> str:
    """Log in through the embedded TestID provider as a browser would; the cookie value."""
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=30) as client:
        page = client.get("/auth/login", params={"next": "/hjem"})
        form = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert form, page.text[:500]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                 page.text))
        fields = {name: unescape(value) for name, value in fields.items()}
        done = client.post(unescape(form.group(1)),
                           data={**fields, "pid": pid, "acr": "idporten-loa-substantial"})
        assert done.status_code == 200, done.text[:500]
        cookie = client.cookies.get("digihelse_session")
        assert cookie, "no session cookie after the login"
        return cookie


def tab_life_ms(store: redis.Redis, token: str) -> int:
    """The longest remaining life of the tab's keys in Redis, in ms (0 when gone)."""
    return max((store.pttl(key) for key in state_keys(store, token)), default=0)


def test_a_signed_in_tab_lives_with_its_session_and_goes_after_logout(bounded, store):
    pid = httpx.get(f"{bounded.base_url}/idp/testusers", timeout=30).json()[0]["pid"]
    cookie = http_login(bounded.base_url, pid)
    tab = Tab(bounded.base_url, cookie=f"digihelse_session={cookie}", path="/hjem").connect()
    try:
        deadline = time.monotonic() + 30
        while tab_life_ms(store, tab.token) <= ANON_SECONDS * 1000:  # bound to the session
            assert time.monotonic() < deadline, "the tab never got its session's life"
            time.sleep(0.2)
        assert tab_life_ms(store, tab.token) <= 1800 * 1000  # the session's idle timeout
    finally:
        tab.close()
    time.sleep(ANON_SECONDS + 1)
    assert state_keys(store, tab.token), "a signed-in tab went with the visitors' life"
    logout = httpx.post(f"{bounded.base_url}/auth/logout", timeout=30,
                        headers={"Cookie": f"digihelse_session={cookie}"})
    assert logout.status_code == 303
    deadline = time.monotonic() + 30
    while state_keys(store, tab.token):
        assert time.monotonic() < deadline, "the tab outlived its session by far"
        time.sleep(0.3)


def test_the_server_log_keeps_no_cookie_token_or_id_number(bounded):
    users = httpx.get(f"{bounded.base_url}/idp/testusers", timeout=30).json()
    pid = users[0]["pid"]
    cookie = http_login(bounded.base_url, pid)
    tab = Tab(bounded.base_url, cookie=f"digihelse_session={cookie}; digihelse_lang=nb",
              path="/hjem").connect()
    try:
        # Reflex logs an event naming an unknown handler with its router data (headers,
        # cookie, client token) and payload.
        tab.send_event(f"{ROOT_STATE}.no_such_handler", {"pid": pid, "code": cookie})
        deadline = time.monotonic() + 30
        while "No registered handler" not in bounded.log_path.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the unknown handler was not logged"
            time.sleep(0.3)
    finally:
        tab.close()
    log = bounded.log_path.read_text(errors="replace")
    unwrapped = "".join(log.split())  # Rich wraps long lines at 80 columns
    for text in (log, unwrapped):
        assert cookie not in text
        assert tab.token not in text
        assert pid not in text
    assert f"{pid[:6]} {pid[6:]}" not in log


def test_a_refused_tab_tells_why_and_comes_back_when_another_closes(bounded, browser):
    tabs = [Tab(bounded.base_url).connect() for _ in range(MAX_SOCKETS)]
    context = browser.new_context(base_url=bounded.base_url, **PHONE)
    try:
        page = context.new_page()
        page.goto("/")
        refusal = page.get_by_text("For mange åpne faner fra samme adresse")
        expect(refusal).to_be_visible(timeout=30_000)
        tabs.pop().close()
        # Reflex retries every couple of seconds: the page connects by itself.
        expect(refusal).to_be_hidden(timeout=30_000)
        expect(page.locator("main#main")).to_be_visible()
    finally:
        context.close()
        for tab in tabs:
            tab.close()
