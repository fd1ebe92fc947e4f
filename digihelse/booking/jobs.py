"""Background jobs (APScheduler 3): generate slots ahead, queue reminders, pass earlier-time
offers on, send the outbox.
Each job is idempotent; nothing starts at import (start_scheduler / stop_scheduler)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from digihelse.booking.offers import run_offers
from digihelse.booking.reminders import queue_reminders
from digihelse.booking.schedule import GenerationResult, generate_slots
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO, to_oslo, utcnow
from digihelse.notify.outbox import (
    DEFAULT_RETRY,
    DispatchReport,
    LogSender,
    Sender,
    dispatch,
    transaction,
)

log = logging.getLogger(__name__)

# A late run is merged into one (coalesce) and never overlaps itself (max_instances);
# a run more than a minute late is skipped, the next one does the same work anyway.
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
JOB_IDS = ("generate_slots", "queue_reminders", "dispatch_outbox", "earlier_offers")


def run_generate_slots(engine: Engine | None = None, *, now: dt.datetime | None = None,
                       settings: BookingSettings) -> GenerationResult:
    """Slots for the next horizon_days; booked slots the schedule dropped are reported."""
    now = now or utcnow()
    with transaction(engine or db.get_engine()) as s:
        result = generate_slots(s, today=to_oslo(now).date(), days_ahead=settings.horizon_days,
                                now=now)
    if result.created or result.withdrawn:
        log.info("slots: %d created, %d withdrawn", result.created, result.withdrawn)
    for conflict in result.conflicts:
        log.warning("booked slot %s is no longer in the schedule (booking %s); kept",
                    conflict.slot_id, conflict.booking_id)
    return result


def run_queue_reminders(engine: Engine | None = None, *, now: dt.datetime | None = None,
                        settings: BookingSettings) -> int:
    return queue_reminders(engine or db.get_engine(), now=now or utcnow(), settings=settings)


def run_earlier_offers(engine: Engine | None = None, *, now: dt.datetime | None = None,
                       settings: BookingSettings) -> int:
    """Earlier-time offers: expired ones pass on, freed and new times are offered."""
    return run_offers(engine or db.get_engine(), now=now or utcnow(), settings=settings)


def run_dispatch(engine: Engine | None = None, sender: Sender | None = None, *,
                 now: dt.datetime | None = None, batch: int = 50) -> DispatchReport:
    """Send what is due. The SMS sender given (the log by default) and, for e-mail and Web
    Push, the senders the settings configure (notify/channels.py)."""
    from digihelse.core.settings import get_settings
    from digihelse.notify.channels import senders_from_settings

    engine = engine or db.get_engine()
    senders = sender if hasattr(sender, "for_channel") else senders_from_settings(
        engine, get_settings(), sms=sender or LogSender())
    report = dispatch(engine, senders, now or utcnow(), batch, policy=DEFAULT_RETRY)
    if report.failed:
        log.error("%d messages could not be sent and were given up", report.failed)
    return report


def build_scheduler(
    engine: Engine | None = None,
    *,
    sender: Sender | None = None,
    settings: BookingSettings,
    use_asyncio: bool = False,
    interval_seconds: int = 60,
) -> BaseScheduler:
    """A scheduler with the four jobs, not started. With use_asyncio it is an
    AsyncIOScheduler (start it inside a running event loop; the sync jobs run in the
    loop's thread pool), else a BackgroundScheduler with its own thread. Reminders and
    the outbox run every `interval_seconds`."""
    cls = AsyncIOScheduler if use_asyncio else BackgroundScheduler
    scheduler = cls(timezone=OSLO, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(run_generate_slots, IntervalTrigger(hours=1, timezone=OSLO),
                      id="generate_slots", name="generate slots ahead",
                      kwargs={"engine": engine, "settings": settings},
                      next_run_time=dt.datetime.now(OSLO),  # once at start, then hourly
                      replace_existing=True, **JOB_DEFAULTS)
    every = IntervalTrigger(seconds=interval_seconds, timezone=OSLO)
    scheduler.add_job(run_queue_reminders, every,
                      id="queue_reminders", name="queue 24 h reminders",
                      kwargs={"engine": engine, "settings": settings},
                      replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(run_earlier_offers, every,
                      id="earlier_offers", name="earlier-time offers and holds",
                      kwargs={"engine": engine, "settings": settings},
                      replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(run_dispatch, every,
                      id="dispatch_outbox", name="dispatch outbox",
                      kwargs={"engine": engine, "sender": sender},
                      replace_existing=True, **JOB_DEFAULTS)
    return scheduler


_lock = threading.Lock()
_running: BaseScheduler | None = None


def start_scheduler(
    engine: Engine | None = None,
    *,
    sender: Sender | None = None,
    settings: BookingSettings,
    use_asyncio: bool = False,
    interval_seconds: int = 60,
) -> BaseScheduler:
    """Start the jobs once per process; a second call returns the running scheduler."""
    global _running
    with _lock:
        if _running is not None and _running.running:
            return _running
        scheduler = build_scheduler(engine, sender=sender, settings=settings,
                                    use_asyncio=use_asyncio, interval_seconds=interval_seconds)
        scheduler.start()
        _running = scheduler
        return scheduler


def stop_scheduler(wait: bool = True) -> None:
    """Stop the process's scheduler, if any (waits for running jobs when wait)."""
    global _running
    with _lock:
        if _running is not None and _running.running:
            _running.shutdown(wait=wait)
        _running = None
