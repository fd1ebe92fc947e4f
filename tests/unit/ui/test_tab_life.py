"""Finding 4: a visitor's tab is forgotten within minutes, a signed-in tab no later than
its session; the state manager gives the memory back."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
import uuid
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from digihelse.auth.sessions import SessionStore, hash_session_id
from digihelse.ui.state.session import SessionState
from digihelse.ui.tabs.life import SessionClock, TabLife, session_deadline
from digihelse.ui.tabs.managers import TabLifeMemoryManager, session_hash_of

LIFE = TabLife(anonymous_seconds=300, idle_seconds=1800)


def test_a_visitors_tab_lives_the_anonymous_minutes():
    assert LIFE.ttl(signed_in=False, session_deadline=None, now=1000.0) == 300


def test_a_signed_in_tab_lives_what_is_left_of_its_session():
    now = 1_000_000.0
    assert LIFE.ttl(signed_in=True, session_deadline=now + 600, now=now) == 600
    # never beyond one idle period, whatever the clock says
    assert LIFE.ttl(signed_in=True, session_deadline=now + 7200, now=now) == 1800


def test_a_tab_whose_session_ended_is_given_back_at_once():
    assert LIFE.ttl(signed_in=True, session_deadline=None, now=5.0) == 0
    assert LIFE.ttl(signed_in=True, session_deadline=4.0, now=5.0) == 0


@given(anonymous=st.integers(1, 3600), idle=st.integers(1, 1800),
       left=st.floats(-1e5, 1e5, allow_nan=False), now=st.floats(0, 2e9, allow_nan=False))
def test_a_signed_in_tab_never_outlives_its_session(anonymous, idle, left, now):
    life = TabLife(anonymous_seconds=anonymous, idle_seconds=idle)
    ttl = life.ttl(signed_in=True, session_deadline=now + left, now=now)
    assert 0 <= ttl <= idle
    assert now + ttl <= max(now, now + left) + 1e-6


def test_the_session_deadline_is_the_idle_one_capped_by_the_absolute_one(engine):
    clock = [dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)]
    store = SessionStore(engine, idle_seconds=1800, absolute_seconds=7200,
                         now=lambda: clock[0])
    cookie = store.create(provider="idporten", pid="01018012345", role="citizen",
                          issuer="http://localhost/idp", sid=None, acr=None)
    id_hash = hash_session_id(cookie)

    def deadline():
        return session_deadline(id_hash, idle_seconds=1800, absolute_seconds=7200,
                                engine=engine)

    assert deadline() == clock[0].timestamp() + 1800
    created = clock[0]
    clock[0] += dt.timedelta(minutes=20)
    assert store.resolve(cookie)  # used again: the idle deadline moves
    assert deadline() == clock[0].timestamp() + 1800
    for _ in range(4):
        clock[0] += dt.timedelta(minutes=20)
        assert store.resolve(cookie)
    assert deadline() == created.timestamp() + 7200  # ... until the absolute one caps it
    store.end(cookie)
    assert deadline() is None
    assert session_deadline("0" * 64, idle_seconds=1800, absolute_seconds=7200,
                            engine=engine) is None


def test_the_session_clock_rereads_a_stale_deadline():
    reads, now = [], [100.0]
    clock = SessionClock(lambda h: reads.append(h) or now[0] + 50, max_age=5, clock=lambda: now[0])
    assert clock.cached("h") == (False, None)
    clock.refresh("h")
    assert clock.cached("h") == (True, 150.0)
    now[0] += 6
    assert clock.cached("h") == (False, 150.0)  # stale, but still an early-enough bound
    assert reads == ["h"]


def _manager(anonymous: float, deadlines: dict[str, float | None]) -> TabLifeMemoryManager:
    return TabLifeMemoryManager(
        token_expiration=1800,
        life=TabLife(anonymous_seconds=anonymous, idle_seconds=1800),
        clock=SessionClock(lambda h: deadlines.get(h), max_age=60))


async def _open_tab(manager, session_hash: str = "") -> BaseStateToken:
    """One event on a new tab, as hydrate would do: the whole tree is created."""
    token = BaseStateToken(ident=str(uuid.uuid4()), cls=State)
    async with manager.modify_state(token) as root:
        session = await root.get_state(SessionState)
        session._session_hash = session_hash
    return token


async def _until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_two_hundred_visitor_tabs_are_given_back_after_the_anonymous_life():
    manager = _manager(anonymous=0.5, deadlines={})
    tokens = [await _open_tab(manager) for _ in range(200)]
    roots = [weakref.ref(manager.states[t.cache_key]) for t in tokens]
    assert len(manager.states) == 200
    await _until(lambda: not manager.states)
    assert not manager._states_locks and not manager._token_expires_at
    gc.collect()
    assert all(ref() is None for ref in roots)  # nothing else holds the trees
    await manager.close()


async def test_a_signed_in_tab_stays_while_visitors_go_and_leaves_with_its_session():
    session_end = time.time() + 1.5
    manager = _manager(anonymous=0.3, deadlines={"live": session_end})
    signed_in = await _open_tab(manager, "live")  # tracked first: the expiry task sleeps long
    visitors = [await _open_tab(manager) for _ in range(5)]
    await _until(lambda: all(v.cache_key not in manager.states for v in visitors))
    assert signed_in.cache_key in manager.states
    assert session_hash_of(manager.states[signed_in.cache_key]) == "live"
    await _until(lambda: signed_in.cache_key not in manager.states)
    assert time.time() >= session_end - 0.1
    await manager.close()


async def test_a_tab_of_an_ended_session_goes_at_once():
    manager = _manager(anonymous=60, deadlines={"ended": None})
    token = await _open_tab(manager, "ended")
    await _until(lambda: token.cache_key not in manager.states, timeout=5)
    await manager.close()


async def test_a_tab_used_again_is_kept_from_its_last_event():
    manager = _manager(anonymous=0.6, deadlines={})
    token = await _open_tab(manager)
    for _ in range(4):
        await asyncio.sleep(0.3)
        async with manager.modify_state(token):
            pass
        assert token.cache_key in manager.states
    await _until(lambda: token.cache_key not in manager.states)
    await manager.close()


@pytest.mark.parametrize("loaded", [True, False])
def test_the_session_hash_is_read_only_from_a_loaded_session_state(loaded):
    root = State(_reflex_internal_init=True)
    if not loaded:
        root.substates.pop(SessionState.get_name())
    assert session_hash_of(root) == ("" if loaded else None)
