"""Server-side sessions: opaque ids, idle and absolute timeouts, logout, sid logout."""

import datetime as dt

from digihelse.auth.sessions import SessionStore, cookie_value, hash_session_id
from tests.factories import WallClock

START = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def _store(engine, clock):
    return SessionStore(engine, idle_seconds=30 * 60, absolute_seconds=120 * 60, now=clock)


def _create(store, sid="sid-1"):
    return store.create(provider="citizen", pid="08891267437", role="citizen",
                        issuer="http://localhost:8000/idp", sid=sid,
                        acr="idporten-loa-substantial")


def test_session_ids_are_opaque_256_bit_values_stored_only_as_hashes(engine):
    store = _store(engine, WallClock(START))
    first, second = _create(store), _create(store)
    assert first != second and len(first) >= 43
    assert hash_session_id(first) != first
    assert store.resolve(first).pid == "08891267437"
    assert store.resolve("not-a-session") is None


def test_idle_timeout_ends_the_session(engine):
    clock = WallClock(START)
    store = _store(engine, clock)
    session_id = _create(store)
    clock.advance(minutes=29)
    assert store.resolve(session_id) is not None  # activity moves last_seen
    clock.advance(minutes=29)
    assert store.resolve(session_id) is not None
    clock.advance(minutes=31)
    assert store.resolve(session_id) is None
    clock.advance(seconds=1)
    assert store.resolve(session_id) is None  # ended for good, not just idle


def test_absolute_timeout_ends_even_an_active_session(engine):
    clock = WallClock(START)
    store = _store(engine, clock)
    session_id = _create(store)
    for _ in range(4):
        clock.advance(minutes=25)
        assert store.resolve(session_id) is not None
    clock.advance(minutes=25)  # 125 minutes after login, 25 after the last activity
    assert store.resolve(session_id) is None


def test_logout_and_front_channel_logout_end_sessions(engine):
    store = _store(engine, WallClock(START))
    a, b = _create(store, sid="sid-a"), _create(store, sid="sid-b")
    info = store.end(a)
    assert info.sid == "sid-a" and store.resolve(a) is None
    assert store.end(a) is None  # already over
    assert store.end_by_sid("http://other/idp", "sid-b") == 0
    assert store.end_by_sid("http://localhost:8000/idp", "sid-b") == 1
    assert store.resolve(b) is None


def test_logged_out_judges_only_provider_sessions_seen_here(engine):
    store = _store(engine, WallClock(START))
    issuer = "http://localhost:8000/idp"
    first, second = _create(store, sid="sid-a"), _create(store, sid="sid-a")
    assert not store.logged_out(issuer, "sid-a")
    store.end(first)
    assert not store.logged_out(issuer, "sid-a")  # one session from it is still live
    store.end(second)
    assert store.logged_out(issuer, "sid-a")
    assert not store.logged_out(issuer, "never-seen")
    assert not store.logged_out("http://other/idp", "sid-a")


def test_cookie_value_reads_one_cookie_and_survives_junk():
    header = 'digihelse_lang=nn; digihelse_session=abc123; other="x y"'
    assert cookie_value(header, "digihelse_session") == "abc123"
    assert cookie_value(header, "missing") is None
    assert cookie_value(None, "digihelse_session") is None
    assert cookie_value("\x00\x01;;==", "digihelse_session") is None
