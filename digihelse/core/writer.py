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


CHECKPOINT_EVERY = 200  # requests between WAL checkpoints (a booking writes ~15 pages)
IDLE_SECONDS = 5.0  # a writer with nothing to do for this long ends its thread


class GroupWriter:
    """The writer thread of one SQLite database (see the module's docstring). It ends
    after IDLE_SECONDS without work; writer_for() makes a new one when needed."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        from digihelse.core import db  # db imports this module lazily, never at import

        self.engine = engine.execution_options(**{db._BEGIN_MODE: "IMMEDIATE"})
        self._lock = db._writer_lock(engine)
        self._queue: queue.SimpleQueue[tuple[Work, Future | None]] = queue.SimpleQueue()
        self._max_batch = max_batch
        self._state = threading.Lock()  # guards closed against a run() racing the idle end
        self.closed = False
        self._thread = threading.Thread(target=self._loop, name="digihelse-writer",
                                        daemon=True)
        self._pages_since = 0
        self._checkpoint = threading.Event()
        self._thread.start()
        threading.Thread(target=self._checkpointer, name="digihelse-checkpoint",
                         daemon=True).start()
        self.batches = 0  # how many transactions it committed (for tests and benchmarks)

    def in_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in the next batch and return its result once committed."""
        return self.submit(work).result()

    def submit(self, work: Callable[[Connection], T]) -> Future:
        """Queue work for the next batch; the future is resolved once it is committed
        (asyncio.wrap_future() awaits it without holding a thread)."""
        if self.in_writer():
            raise RuntimeError("the writer cannot wait for itself")
        if self._lock._is_owned():  # type: ignore[attr-defined]  # CPython's RLock
            # This thread is inside a write transaction of its own (db.transaction): the
            # writer would wait for it, and it for the writer.
            raise RuntimeError("a write transaction of this thread is still open")
        future: Future = Future()
        with self._state:
            closed = self.closed
            if not closed:
                self._queue.put((work, future))
        if closed:  # it ended while idle, just now: its successor takes the work
            return writer_for(self.engine, fresh=self).submit(work)
        return future

    def _loop(self) -> None:
        conn: Connection | None = None
        try:
            while True:
                try:
                    first = self._queue.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self._state:
                        if self._queue.empty():
                            self.closed = True
                            _forget(self)
                            return
                    continue
                batch = [first]
                while len(batch) < self._max_batch:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                try:
                    if conn is None or conn.closed or conn.invalidated:
                        conn = self.engine.connect()
                        # Checkpoints are the checkpointer's (below), not inside a COMMIT
                        # that 60 callers wait for.
                        conn.connection.driver_connection.execute(
                            "PRAGMA wal_autocheckpoint=0")
                    self._run_batch(conn, batch)
                    self._pages_since += len(batch)
                    if self._pages_since >= CHECKPOINT_EVERY:
                        self._pages_since = 0
                        self._checkpoint.set()
                except BaseException as exc:  # no connection: every caller hears why
                    for _work, future in batch:
                        if future is not None and not future.done():
                            future.set_exception(exc)
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):  # back to the pool as it came
                    conn.connection.driver_connection.execute("PRAGMA wal_autocheckpoint=1000")
                conn.close()
            self._checkpoint.set()  # it sees closed and ends

    def _checkpointer(self) -> None:
        """Copies the WAL back into the database (PASSIVE: never blocks the writer) on its
        own connection, while the writer goes on; SQLite restarts the WAL from its start
        once it has been copied, so it does not grow."""
        while not self.closed:
            self._checkpoint.wait()
            self._checkpoint.clear()
            if self.closed:
                return
            try:
                with self.engine.connect() as conn:  # outside any transaction
                    conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # pragma: no cover - the next one tries again
                logger.exception("WAL checkpoint failed")

    def _run_batch(self, conn: Connection,
                   batch: list[tuple[Work, Future | None]]) -> None:
        outcomes: list[tuple[Future | None, Any, BaseException | None]] = []
        try:
            with self._lock, conn.begin():
                # Savepoints on the sqlite3 connection itself: SQLAlchemy's cost more
                # than the work of a lean request.
                raw = conn.connection.driver_connection
                for work, future in batch:
                    raw.execute("SAVEPOINT request")
                    try:
                        result = work(conn)
                    except BaseException as exc:  # the caller's own error, for the caller
                        raw.execute("ROLLBACK TO request")
                        raw.execute("RELEASE request")
                        outcomes.append((future, None, exc))
                    else:
                        raw.execute("RELEASE request")
                        outcomes.append((future, result, None))
        except BaseException as exc:  # the COMMIT (or BEGIN) failed: nothing was written
            for _work, future in batch:
                if future is None:
                    logger.error("queued write lost: %s", exc)
                elif not future.done():
                    future.set_exception(exc)
            if conn.in_transaction():
                conn.rollback()
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


_writers: dict[int, tuple[Engine, GroupWriter]] = {}  # by id(engine)
_guard = threading.Lock()


def writer_for(engine: Engine, *, fresh: GroupWriter | None = None) -> GroupWriter | None:
    """The group-commit writer of this engine's SQLite database (made on first use; the
    app has one engine per database and worker); None for other databases, whose callers
    write in transactions of their own. `fresh`: that writer has ended, make a new one.

    One writer per engine, not per file name: a writer keeps its connection open, and a
    file made anew under the same name (a test's database) must not be written through
    an old connection. Two engines on one file are two writers, serialised by SQLite."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None  # an in-memory database is one connection's own
    found = _writers.get(id(engine))
    if found is not None and found[0] is engine and not found[1].closed:
        return found[1]
    with _guard:
        found = _writers.get(id(engine))
        if found is None or found[0] is not engine or found[1].closed or found[1] is fresh:
            found = _writers[id(engine)] = (engine, GroupWriter(engine))
        return found[1]


def _forget(writer: GroupWriter) -> None:
    with _guard:
        for key, (_engine, found) in list(_writers.items()):
            if found is writer:
                del _writers[key]


def _forget_after_fork() -> None:
    # A forked worker has no writer threads: it makes its own on first use.
    global _guard
    _writers.clear()
    _guard = threading.Lock()


with contextlib.suppress(AttributeError):  # pragma: no cover - every POSIX has it
    import os

    os.register_at_fork(after_in_child=_forget_after_fork)
