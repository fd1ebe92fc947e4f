"""The outbox: retries with backoff, giving up, dedupe, and a sender that can never break
a booking; plus the background jobs that drive it."""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import select

from digihelse.booking import citizen, jobs, reminders
from digihelse.booking.models import BookingStatus, Slot
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.notify.models import Outbox, OutboxStatus
from digihelse.notify.outbox import (
    DEFAULT_RETRY,
    LogSender,
    RetryPolicy,
    dispatch,
    drop_pending,
    enqueue,
)
from tests.factories import NOW, TUESDAY, World, oslo

SETTINGS = BookingSettings()  # the default booking limits

PID = "08891267437"


class Recorder:
    """A sender that fails the first `failures` calls, then records what it sends."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0
        self.sent: list[tuple[str, str]] = []

    def send(self, recipient_pid: str, body: str) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("gateway down")
        self.sent.append((recipient_pid, body))


def _queue(engine, key: str = "k1", send_at: dt.datetime | None = None) -> None:
    with db.write_session(engine) as s:
        enqueue(s, recipient_pid=PID, body="Hei", kind="test", dedupe_key=key, send_at=send_at,
                now=NOW)


def _row(engine, key: str = "k1") -> Outbox:
    with db.session(engine) as s:
        return s.exec(select(Outbox).where(Outbox.dedupe_key == key)).one()


def test_a_message_is_sent_once_and_marked(engine):
    _queue(engine)
    sender = Recorder()
    report = dispatch(engine, sender, NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert sender.sent == [(PID, "Hei")]
    row = _row(engine)
    assert row.status == OutboxStatus.SENT and row.sent_at == NOW and row.attempts == 1
    assert dispatch(engine, sender, NOW + dt.timedelta(minutes=5)).sent == 0


def test_the_same_dedupe_key_is_queued_once(engine):
    _queue(engine)
    _queue(engine)
    with db.session(engine) as s:
        assert len(s.exec(select(Outbox)).all()) == 1


def test_retry_with_exponential_backoff(engine):
    _queue(engine)
    sender = Recorder(failures=2)
    assert dispatch(engine, sender, NOW).retrying == 1
    row = _row(engine)
    assert row.attempts == 1 and row.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert "gateway down" in row.last_error and row.status == OutboxStatus.PENDING
    # Not due yet: nothing happens.
    assert dispatch(engine, sender, NOW + dt.timedelta(seconds=30)).retrying == 0
    assert sender.calls == 1
    t1 = NOW + dt.timedelta(minutes=1)
    dispatch(engine, sender, t1)
    assert _row(engine).next_attempt_at == t1 + dt.timedelta(minutes=2)
    report = dispatch(engine, sender, t1 + dt.timedelta(minutes=2))
    assert report.sent == 1 and _row(engine).status == OutboxStatus.SENT
    assert _row(engine).attempts == 3


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=dt.timedelta(minutes=1), max_delay=dt.timedelta(minutes=10))
    assert [policy.delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_gives_up_after_max_attempts(engine):
    _queue(engine)
    sender = Recorder(failures=100)
    at = NOW
    for _ in range(DEFAULT_RETRY.max_attempts):
        dispatch(engine, sender, at)
        at += dt.timedelta(hours=12)
    row = _row(engine)
    assert row.status == OutboxStatus.FAILED and row.attempts == DEFAULT_RETRY.max_attempts
    assert dispatch(engine, sender, at + dt.timedelta(days=1)).failed == 0
    assert sender.calls == DEFAULT_RETRY.max_attempts


def test_a_scheduled_message_waits_until_due(engine):
    _queue(engine, send_at=NOW + dt.timedelta(hours=1))
    sender = Recorder()
    assert dispatch(engine, sender, NOW).sent == 0
    assert dispatch(engine, sender, NOW + dt.timedelta(hours=1)).sent == 1


def test_dropped_messages_are_not_sent(engine):
    _queue(engine, send_at=NOW + dt.timedelta(hours=1))
    with db.write_session(engine) as s:
        assert drop_pending(s, ["k1"], now=NOW) == 1
    sender = Recorder()
    dispatch(engine, sender, NOW + dt.timedelta(hours=2))
    assert sender.sent == [] and _row(engine).status == OutboxStatus.DROPPED


def test_batches_are_bounded(engine):
    for i in range(7):
        _queue(engine, key=f"k{i}")
    sender = Recorder()
    assert dispatch(engine, sender, NOW, batch=5).sent == 5
    assert dispatch(engine, sender, NOW, batch=5).sent == 2


def test_log_sender_masks_the_national_id(caplog):
    with caplog.at_level(logging.INFO, logger="digihelse.notify.outbox"):
        LogSender().send(PID, "Hei")
    assert "08*******37: Hei" in caplog.text and PID not in caplog.text


# --- sending never breaks a booking -------------------------------------------------------


def _book(world: World) -> int:
    return citizen.book(world.engine, world.pupil("ida"), slot_id=world.slot_at(TUESDAY, 10),
                    client_key="k", now=NOW, settings=SETTINGS).id


def test_a_failing_sender_never_breaks_a_booking(world):
    booking_id = _book(world)
    sender = Recorder(failures=100)
    report = dispatch(world.engine, sender, NOW)
    assert report.retrying == 1  # the confirmation; the reminder is not due yet
    assert world.booking(booking_id).status == BookingStatus.BOOKED
    # Booking goes on while the gateway is down.
    other = citizen.book(world.engine, world.pupil("mia"), slot_id=world.slot_at(TUESDAY, 13),
                     client_key="m", now=NOW, settings=SETTINGS)
    assert other.status == BookingStatus.BOOKED


def test_a_broken_outbox_never_breaks_a_booking(world, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("outbox table on fire")

    # Broken in the code (the general path's enqueue) and in the database (what the lean
    # path writes to): either way the booking stands.
    monkeypatch.setattr(reminders, "enqueue", broken)
    with world.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER outbox_on_fire BEFORE INSERT ON outbox "
                             "BEGIN SELECT RAISE(ABORT, 'outbox table on fire'); END")
    booking_id = _book(world)
    assert world.booking(booking_id).status == BookingStatus.BOOKED
    assert world.outbox() == []
    with db.write_session(world.engine) as s:  # the general path, in a caller's session
        general = citizen.book(s, world.pupil("mia"), slot_id=world.slot_at(TUESDAY, 11),
                               client_key="m", now=NOW, settings=SETTINGS)
    assert world.booking(general.id).status == BookingStatus.BOOKED
    assert world.outbox() == []


def test_the_reminder_goes_out_a_day_before(world):
    _book(world)
    sender = Recorder()
    dispatch(world.engine, sender, NOW)
    dispatch(world.engine, sender, oslo(dt.date(2025, 11, 24), 10) - dt.timedelta(minutes=1))
    dispatch(world.engine, sender, oslo(dt.date(2025, 11, 24), 10))
    assert [body for _, body in sender.sent] == [
        "Timen din hos helsesykepleier er bestilt: tirsdag 25. november kl. 10.00.",
        "Du har en time hos helsesykepleier i morgen kl. 10.00.",
    ]


# --- the jobs -------------------------------------------------------------------------------


def test_the_scheduler_has_three_idempotent_jobs_and_does_not_start(engine):
    scheduler = jobs.build_scheduler(engine, settings=SETTINGS)
    assert not scheduler.running
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == set(jobs.JOB_IDS)
    for job in found.values():
        assert job.coalesce and job.max_instances == 1
    assert found["generate_slots"].trigger.interval == dt.timedelta(hours=1)
    assert found["dispatch_outbox"].trigger.interval == dt.timedelta(minutes=1)


def test_start_and_stop_once_per_process(engine):
    try:
        first = jobs.start_scheduler(engine, sender=Recorder(), settings=SETTINGS)
        assert jobs.start_scheduler(engine, settings=SETTINGS) is first and first.running
    finally:
        jobs.stop_scheduler(wait=True)
    assert not first.running
    jobs.stop_scheduler()  # stopping twice is harmless


def test_the_job_functions_are_idempotent(world):
    first = jobs.run_generate_slots(world.engine, now=NOW, settings=SETTINGS)
    again = jobs.run_generate_slots(world.engine, now=NOW, settings=SETTINGS)
    assert (first.created, again.created, again.withdrawn) == (0, 0, 0)  # made by make_world
    with db.session(world.engine) as s:
        assert len(s.exec(select(Slot)).all()) == 8 * 13
    _book(world)
    assert jobs.run_queue_reminders(world.engine, now=NOW,
                                    settings=SETTINGS) == 0  # queued at booking
    sender = Recorder()
    assert jobs.run_dispatch(world.engine, sender, now=NOW).sent == 1
    assert jobs.run_dispatch(world.engine, sender, now=NOW).sent == 0
