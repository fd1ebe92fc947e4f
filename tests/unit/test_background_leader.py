"""The scheduler's leader election: one holder at a time, handed over when the holder
stops renewing (Redis lease) or its connection dies (PostgreSQL advisory lock), and a
leader that cannot reach Redis keeps the jobs only while its last lease lasts."""

from __future__ import annotations

import asyncio
import time

import pytest

from digihelse.background import LEADER_KEY, PostgresLeader, RedisLeader, lead, leader_for
from digihelse.core.settings import load_settings
from tests.redis_server import RedisServer


@pytest.fixture(scope="module")
def redis_url():
    server = RedisServer().start()
    yield server.url
    server.stop()


def _leader(url: str, name: str, seconds: int = 2) -> RedisLeader:
    leader = RedisLeader(url, seconds)
    leader.me = name
    return leader


def test_one_redis_leader_at_a_time_and_the_next_takes_over_when_the_lease_runs_out(
        redis_url):
    a, b = _leader(redis_url, "first"), _leader(redis_url, "second")
    a.client.delete(LEADER_KEY)
    assert a.acquire_or_renew() is True
    assert b.acquire_or_renew() is False
    assert a.acquire_or_renew() is True  # renewing keeps it
    assert b.acquire_or_renew() is False
    # a stops renewing (as if killed): within the lease b takes over, and a does not
    # take it back.
    deadline = time.monotonic() + 5
    while not b.acquire_or_renew():
        assert time.monotonic() < deadline, "the lease never ran out"
        time.sleep(0.2)
    assert a.acquire_or_renew() is False
    b.release()
    assert a.acquire_or_renew() is True  # a released key is free at once


def test_release_never_drops_another_workers_lease(redis_url):
    a, b = _leader(redis_url, "first"), _leader(redis_url, "second")
    a.client.delete(LEADER_KEY)
    assert a.acquire_or_renew()
    b.release()
    assert b.acquire_or_renew() is False


class _Flaky:
    """A leader whose lock answers as scripted: True, False, or raises."""

    def __init__(self, answers):
        self.answers = list(answers)

    def acquire_or_renew(self):
        answer = self.answers.pop(0) if self.answers else False
        if isinstance(answer, Exception):
            raise answer
        return answer


async def _run(leader, seconds: float, rounds: int) -> list[str]:
    events: list[str] = []
    task = asyncio.create_task(lead(leader, seconds, lambda: events.append("start"),
                                    lambda: events.append("stop")))
    await asyncio.sleep(max(seconds / 3, 0.5) * rounds + 0.2)
    task.cancel()
    return events


async def test_the_jobs_start_once_while_held_and_stop_when_lost():
    events = await _run(_Flaky([True, True, False]), 1.5, 3)
    assert events == ["start", "stop"]


async def test_an_unreachable_lock_keeps_the_jobs_only_while_the_last_lease_lasts():
    down = ConnectionError("redis restarting")
    # Lease 1.5 s, asked every 0.5 s: held, then down; the jobs stop once 1.5 s passed.
    events = await _run(_Flaky([True, down, down, down, down, down]), 1.5, 5)
    assert events == ["start", "stop"]
    never_held = await _run(_Flaky([down, down]), 1.5, 2)
    assert never_held == []


@pytest.mark.postgres
def test_the_advisory_lock_has_one_holder_and_passes_on_when_its_connection_dies(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("an advisory lock is PostgreSQL's")
    url = engine.url.render_as_string(hide_password=False)
    a, b = PostgresLeader(url), PostgresLeader(url)
    try:
        assert a.acquire_or_renew() is True
        assert b.acquire_or_renew() is False
        assert a.acquire_or_renew() is True
        a.connection.close()  # the worker died: its session, and the lock, end
        assert b.acquire_or_renew() is True
        assert a.acquire_or_renew() is False
    finally:
        a.close()
        b.close()


def test_the_election_follows_the_configuration(redis_url):
    assert leader_for(load_settings({})) is None  # SQLite: one process, no election
    pg = load_settings({"DATABASE_URL": "postgresql+psycopg://u@localhost/db"})
    assert isinstance(leader_for(pg), PostgresLeader)
    both = load_settings({"DATABASE_URL": "postgresql+psycopg://u@localhost/db",
                          "REFLEX_REDIS_URL": redis_url, "DIGIHELSE_LEADER_SECONDS": "7"})
    chosen = leader_for(both)
    assert isinstance(chosen, RedisLeader) and chosen.seconds == 7
