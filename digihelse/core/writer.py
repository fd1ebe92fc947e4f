"""One writer per SQLite database in this process, with group commit: many small write
transactions (bookings, access-log rows) share one BEGIN IMMEDIATE ... COMMIT, and so one
fsync, instead of queueing one by one on SQLite's write lock.

What a caller gets is what it would get from a transaction of its own:
- its work runs in a SAVEPOINT of the batch's transaction: when it raises, only its own
  changes are rolled back, the others' stay, and the exception reaches the caller;
- run() returns only after the batch's COMMIT has returned, with synchronous=FULL: a
  result the caller sees is durable (a failed COMMIT fails every caller of the batch);
- every statement runs in the writer's thread on its one connection, in the order the
  requests came; other processes (more workers) and other code in this process still
  write through their own BEGIN IMMEDIATE: SQLite's lock serialises them all, and the
  writer takes the in-process writer lock (db._writer_lock) for each batch, so that
  writers in this process queue on a lock instead of polling SQLite's busy handler.

PostgreSQL needs none of this (it commits concurrent transactions together by itself)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")
Work = Callable[[Connection], Any]
logger = logging.getLogger(__name__)

MAX_BATCH = 64  # requests in one transaction: enough to make one fsync go far


class GroupWriter:
    """The writer thread of one SQLite database (see the module's docstring)."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        from digihelse.core import db  # db imports this module lazily, never at import

        self.engine = engine.execution_options(**{db._BEGIN_MODE: "IMMEDIATE"})
        self._lock = db._writer_lock(engine)
        self._queue: queue.SimpleQueue[tuple[Work, Future | None]] = queue.SimpleQueue()
        self._max_batch = max_batch
        self._thread = threading.Thread(target=self._loop, name="digihelse-writer",
                                        daemon=True)
        self._thread.start()
        self.batches = 0  # how many transactions it committed (for tests and benchmarks)

    def in_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in the next batch and return its result once committed."""
        if self.in_writer():
            raise RuntimeError("the writer cannot wait for itself")
        future: Future = Future()
        self._queue.put((work, future))
        return future.result()

    def submit(self, work: Work) -> None:
        """Queue work without waiting for it (failures are logged)."""
        self._queue.put((work, None))

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._run_batch(batch)
            except Exception:  # pragma: no cover - _run_batch answers every future
                logger.exception("the writer's batch failed")

    def _run_batch(self, batch: list[tuple[Work, Future | None]]) -> None:
        outcomes: list[tuple[Future | None, Any, BaseException | None]] = []
        try:
            with self._lock, self.engine.connect() as conn, conn.begin():
                for work, future in batch:
                    savepoint = conn.begin_nested()
                    try:
                        result = work(conn)
                    except BaseException as exc:  # the caller's own error, for the caller
                        savepoint.rollback()
                        outcomes.append((future, None, exc))
                    else:
                        savepoint.commit()
                        outcomes.append((future, result, None))
        except BaseException as exc:  # the COMMIT (or BEGIN) failed: nothing was written
            for _work, future in batch:
                if future is None:
                    logger.error("queued write lost: %s", exc)
                elif not future.done():
                    future.set_exception(exc)
            return
        self.batches += 1
        for future, result, exc in outcomes:
            if future is None:
                if exc is not None:
                    logger.error("queued write failed: %r", exc)
            elif exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(result)


_writers: dict[str, GroupWriter] = {}
_guard = threading.Lock()


def writer_for(engine: Engine) -> GroupWriter | None:
    """The group-commit writer of this SQLite database (made on first use); None for
    other databases, whose callers write in transactions of their own."""
    if engine.dialect.name != "sqlite" or ":memory:" in str(engine.url):
        return None
    key = str(engine.url)
    with _guard:
        found = _writers.get(key)
        if found is None:
            found = _writers[key] = GroupWriter(engine)
        return found


def _forget_after_fork() -> None:
    # A forked worker has no writer threads: it makes its own on first use.
    global _guard
    _writers.clear()
    _guard = threading.Lock()


with contextlib.suppress(AttributeError):  # pragma: no cover - every POSIX has it
    import os

    os.register_at_fork(after_in_child=_forget_after_fork)
