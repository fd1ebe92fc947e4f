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
LEADER_SECONDS = 90


def run_age_notices() -> int:
    """Notices before the 12th and 16th birthdays; once a day is enough."""
    with db.write_session() as s:
        created = create_age_notices(s, today_oslo())
    if created:
        log.info("age notices: %d created", len(created))
    return len(created)


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
    key runs the scheduler; the key is renewed while the worker lives (SET NX EX)."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.me = f"{socket.gethostname()}:{os.getpid()}"

    def acquire_or_renew(self) -> bool:
        if self.client.set(LEADER_KEY, self.me, nx=True, ex=LEADER_SECONDS):
            return True
        if (self.client.get(LEADER_KEY) or b"").decode() == self.me:
            self.client.expire(LEADER_KEY, LEADER_SECONDS)
            return True
        return False


def _start() -> None:
    settings = get_settings()
    scheduler = start_scheduler(use_asyncio=False, settings=settings.booking)
    scheduler.add_job(run_age_notices, CronTrigger(hour=7, timezone=OSLO), id="age_notices",
                      name="notices before 12 and 16", replace_existing=True,
                      coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(run_age_notices, id="age_notices_now", replace_existing=True)
    if settings.test_providers:
        # Only the embedded test providers (digihelse_dev, not in the product) keep flows.
        scheduler.add_job(sweep_login_flows, IntervalTrigger(minutes=15),
                          id="login_flow_sweep", name="sweep expired login flow rows",
                          replace_existing=True, coalesce=True, max_instances=1)


@contextlib.asynccontextmanager
async def background_jobs() -> AsyncIterator[None]:
    """Lifespan: run the jobs while the app runs (DIGIHELSE_SCHEDULER=0 turns them off)."""
    if not get_settings().scheduler:
        yield
        return
    redis_url = get_settings().redis_url
    watcher: asyncio.Task | None = None
    if redis_url is None:
        _start()
    else:
        leader = RedisLeader(redis_url)

        async def lead() -> None:
            running = False
            while True:
                holds = await asyncio.to_thread(leader.acquire_or_renew)
                if holds and not running:
                    _start()
                elif not holds and running:
                    stop_scheduler(wait=False)
                running = holds
                await asyncio.sleep(LEADER_SECONDS / 3)

        watcher = asyncio.create_task(lead())
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
        await asyncio.to_thread(stop_scheduler, True)
