"""A tab's state belongs to exactly one session: the verdict the guard applies before
every event, and the bookkeeping that finds the tabs of sessions that ended."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from digihelse.auth import tabs
from digihelse.auth.sessions import SessionStore, hash_session_id
from digihelse.auth.tabs import Verdict, verdict
from tests.factories import WallClock

hashes = st.sampled_from(["", "a" * 64, "b" * 64])
lives = st.one_of(st.none(), st.sampled_from(["a" * 64, "b" * 64]))


@given(bound=hashes, live=lives)
def test_a_tab_runs_an_event_only_for_the_session_it_belongs_to(bound, live):
    outcome = verdict(bound, live)
    if bound and live != bound:
        assert outcome is Verdict.RESET  # ended, expired, or someone else's
    elif not bound and live:
        assert outcome is Verdict.BIND
    else:
        assert outcome is Verdict.KEEP
    # After a reset the tab is fresh, and a fresh tab never resets.
    assert verdict("", live) is not Verdict.RESET



START = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def _login(store: SessionStore, pid: str = "08891267437") -> str:
    return store.create(provider="citizen", pid=pid, role="citizen",
                        issuer="http://localhost:8000/idp", sid="s", acr=None)


def test_the_tabs_of_a_logged_out_session_are_found_and_then_forgotten(engine):
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200, now=WallClock(START))
    hers, his = _login(store), _login(store, "26869309906")
    tabs.bind("tab-1", hash_session_id(hers), engine)
    tabs.bind("tab-2", hash_session_id(hers), engine)
    tabs.bind("tab-3", hash_session_id(his), engine)
    assert tabs.tabs_of_ended_sessions(engine=engine) == []
    store.end(hers)
    assert sorted(tabs.tabs_of_ended_sessions(engine=engine)) == ["tab-1", "tab-2"]
    tabs.forget(["tab-1", "tab-2"], engine)
    assert tabs.tabs_of_ended_sessions(engine=engine) == []
    assert tabs.tabs_of([hash_session_id(his)], engine) == ["tab-3"]


def test_a_tab_bound_again_belongs_to_the_new_session_only(engine):
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200, now=WallClock(START))
    first, second = _login(store), _login(store)
    tabs.bind("tab", hash_session_id(first), engine)
    tabs.bind("tab", hash_session_id(second), engine)
    store.end(first)
    assert tabs.tabs_of_ended_sessions(engine=engine) == []


def test_sessions_past_their_timeouts_are_ended_in_one_sweep(engine):
    clock = WallClock(START)
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200, now=clock)
    idle, active = _login(store), _login(store)
    tabs.bind("idle-tab", hash_session_id(idle), engine)
    clock.now += dt.timedelta(minutes=20)
    assert store.resolve(active) is not None
    clock.now += dt.timedelta(minutes=15)  # idle: 35 min; active: 15 min since its touch
    assert store.end_expired() == 1
    assert tabs.tabs_of_ended_sessions(engine=engine) == ["idle-tab"]
    assert store.resolve(active) is not None


def test_a_lookup_writes_last_seen_at_most_once_a_minute_and_says_when_it_expires(engine):
    clock = WallClock(START)
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200, now=clock)
    session_id = _login(store)
    created = clock.now
    clock.now += dt.timedelta(seconds=30)
    info = store.resolve(session_id)
    assert info.expires_at == created + dt.timedelta(minutes=30)  # not moved yet
    clock.now += dt.timedelta(seconds=40)
    info = store.resolve(session_id)
    assert info.expires_at == clock.now + dt.timedelta(minutes=30)
    assert info.id_hash == hash_session_id(session_id)
