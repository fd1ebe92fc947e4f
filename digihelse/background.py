"""The background jobs for the running app: started once per deployment as a Reflex
lifespan task. Jobs are idempotent, so a brief overlap during a leader change is harmless."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digihelse.booking.jobs import start_scheduler, stop_scheduler
from digihelse.core import db
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import OSLO, today_oslo
from digihelse.people.age_notices import create_age_notices

log = logging.getLogger(__name__)
LEADER_KEY = "digihelse:scheduler-leader"
LEADER_SECONDS = 30  # the default lease; DIGIHELSE_LEADER_SECONDS sets it


def run_age_notices() -> int:
    """Notices before the 12th and 16th birthdays; once a day is enough."""
    with db.write_session() as s:
        created = create_age_notices(s, today_oslo())
    if created:
        log.info("age notices: %d created", len(created))
    return len(created)


def run_audit_checkpoint() -> None:
    """Sign the access log's head, so a cut-off tail or a rebuilt chain is found later."""
    from digihelse.audit.log import checkpoint

    with db.write_session() as s:
        checkpoint(s)


def sweep_login_flows() -> int:
    """Expired login flow rows of the test providers (requests, codes, sessions, replay
    markers); they are also swept on the way, this catches what nobody touched since."""
    from digihelse_dev.providers.flowstore import sweep_expired

    removed = sweep_expired(time.time())
    if removed:
        log.info("login flows: %d expired rows swept", removed)
    return removed


class RedisLeader:
    """With several workers (Redis state manager), only the holder of a short-lived Redis
    key runs the scheduler. The holder renews the key while it lives; when it dies the key
    expires and the next worker to ask takes it. Take and renew are one Lua script, so a
    worker never renews a key another worker took in between."""

    # KEYS[1] the key, ARGV[1] who asks, ARGV[2] the lease in seconds.
    SCRIPT = """
    local holder = redis.call('GET', KEYS[1])
    if not holder then
      redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
      return 1
    end
    if holder == ARGV[1] then
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return 1
    end
    return 0
    """
    RELEASE = """
    if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
    return 0
    """

    def __init__(self, url: str, seconds: int = LEADER_SECONDS) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.seconds = seconds
        self.me = f"{socket.gethostname()}:{os.getpid()}"

    def acquire_or_renew(self) -> bool:
        return bool(self.client.eval(self.SCRIPT, 1, LEADER_KEY, self.me, self.seconds))

    def release(self) -> None:
        self.client.eval(self.RELEASE, 1, LEADER_KEY, self.me)

    def close(self) -> None:
        self.client.close()


class PostgresLeader:
    """Without Redis, on PostgreSQL: a session-level advisory lock on a connection of its
    own. The lock lives as long as the connection, so a worker that dies (or whose
    connection breaks) loses it at once and the next worker to ask takes it."""

    LOCK_ID = 0x44484A4F  # "DHJO": one number for the jobs, the same on every worker

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection = None

    def acquire_or_renew(self) -> bool:
        import psycopg

        if self.connection is not None:
            try:
                self.connection.execute("SELECT 1")
                return True
            except psycopg.Error:
                self.close()
        conninfo = self.url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        held = self.connection.execute("SELECT pg_try_advisory_lock(%s)",
                                       (self.LOCK_ID,)).fetchone()[0]
        if not held:
            self.close()
        return bool(held)

    def release(self) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None


def leader_for(settings) -> RedisLeader | PostgresLeader | None:
    """Redis when scaled out, an advisory lock on PostgreSQL without Redis, and no
    election for SQLite (one process)."""
    if settings.redis_url:
        return RedisLeader(settings.redis_url, settings.leader_seconds)
    if settings.database_url.startswith("postgresql"):
        return PostgresLeader(settings.database_url)
    return None


async def lead(leader, seconds: int, start, stop) -> None:
    """Ask every third of the lease; run the jobs while this worker holds it. If the
    leader cannot be reached (Redis restarting), the jobs keep running until the lease
    this worker last renewed has run out, then stop: by then another may hold it."""
    running = False
    renewed = 0.0
    while True:
        try:
            holds = await asyncio.to_thread(leader.acquire_or_renew)
        except Exception as exc:
            log.warning("scheduler leader: cannot reach the lock (%s)", type(exc).__name__)
            holds = running and time.monotonic() - renewed < seconds
        else:
            if holds:
                renewed = time.monotonic()
        if holds and not running:
            log.info("scheduler leader: this worker (pid %d) runs the jobs", os.getpid())
            await asyncio.to_thread(start)
        elif not holds and running:
            log.info("scheduler leader: this worker (pid %d) stops the jobs", os.getpid())
            await asyncio.to_thread(stop)
        running = holds
        await asyncio.sleep(max(seconds / 3, 0.5))


def _start() -> None:
    settings = get_settings()
    scheduler = start_scheduler(use_asyncio=False, settings=settings.booking,
                                interval_seconds=settings.job_interval_seconds)
    scheduler.add_job(run_age_notices, CronTrigger(hour=7, timezone=OSLO), id="age_notices",
                      name="notices before 12 and 16", replace_existing=True,
                      coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(run_age_notices, id="age_notices_now", replace_existing=True)
    scheduler.add_job(run_audit_checkpoint, IntervalTrigger(minutes=15),
                      id="audit_checkpoint", name="sign the access log's head",
                      replace_existing=True, coalesce=True, max_instances=1)
    if settings.test_providers:
        # Only the embedded test providers (digihelse_dev, not in the product) keep flows.
        scheduler.add_job(sweep_login_flows, IntervalTrigger(minutes=15),
                          id="login_flow_sweep", name="sweep expired login flow rows",
                          replace_existing=True, coalesce=True, max_instances=1)


@contextlib.asynccontextmanager
async def background_jobs() -> AsyncIterator[None]:
    """Lifespan: run the jobs while the app runs (DIGIHELSE_SCHEDULER=0 turns them off);
    with several workers only on the elected one (leader_for)."""
    settings = get_settings()
    if not settings.scheduler:
        yield
        return
    leader = leader_for(settings)
    watcher: asyncio.Task | None = None
    if leader is None:
        _start()
    else:
        watcher = asyncio.create_task(
            lead(leader, settings.leader_seconds, _start, lambda: stop_scheduler(wait=False)),
            name="digihelse-scheduler-leader")
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
        await asyncio.to_thread(stop_scheduler, True)
        if leader is not None:
            # Hand over at once rather than after the lease.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(leader.release)
            await asyncio.to_thread(leader.close)
