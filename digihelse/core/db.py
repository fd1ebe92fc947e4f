"""Database engine and sessions. SQLite gets WAL, synchronous=FULL and foreign keys;
write transactions can begin IMMEDIATE. Migrations run on request, never at import."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from digihelse.core.settings import ROOT, get_settings

_BEGIN_MODE = "digihelse_begin"

# Calls that write (or log an access) take a Session or an Engine. With an Engine the call
# is one write transaction of its own (transaction() below), committed on success; with a
# Session the call joins the caller's transaction and the caller commits.
SessionOrEngine = Session | Engine


def _sqlite_file(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix):])
    return None


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite connections get the durability pragmas."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None hands BEGIN to us, so writes can say BEGIN IMMEDIATE and
    # take the write lock up front instead of failing with SQLITE_BUSY on upgrade.
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        mode = conn.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


_ENGINES: list[Engine] = []  # every engine _engine_for made, for the fork hook


@functools.lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    _ENGINES.append(engine)
    return engine


def get_engine() -> Engine:
    return _engine_for(get_settings().database_url)


def _forget_inherited_connections() -> None:
    """In a forked worker (Granian forks its workers from a supervisor that imported the
    app), the pooled connections are the parent's: a child that used them would interleave
    its statements on the parent's socket. Drop them from the child's pools without
    closing them (SQLAlchemy's recipe for multiprocessing)."""
    for engine in _ENGINES:
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


@contextlib.contextmanager
def session(engine: Engine | None = None) -> Iterator[Session]:
    """A read or read-mostly session; commit explicitly."""
    with Session(engine or get_engine(), expire_on_commit=False) as s:
        yield s


def immediate(engine: Engine) -> Engine:
    """The engine whose SQLite transactions begin IMMEDIATE (others as they are)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
    return engine


@contextlib.contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction takes the write lock at once (BEGIN IMMEDIATE on
    SQLite) and commits on success, rolls back on error."""
    engine = engine or get_engine()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
    bind = engine
    with Session(bind, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return cfg


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    url = url or get_settings().database_url
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def ping(engine: Engine | None = None) -> bool:
    """True when the database answers a trivial query."""
    try:
        with (engine or get_engine()).connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except Exception:
        return False


_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _writer_lock(engine: Engine) -> contextlib.AbstractContextManager[object]:
    """SQLite has one writer at a time, and its busy handler makes the others poll with
    sleeps of up to 100 ms, unfairly: in a burst of 50 bookings some wait seconds. Writers
    in this process queue on a lock instead (other processes still meet busy_timeout)."""
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _locks_guard:
        return _locks.setdefault(str(engine.url), threading.RLock())


@contextlib.contextmanager
def transaction(
    s_or_engine: SessionOrEngine, *, commit_session: bool = False
) -> Iterator[Session]:
    """An Engine gets its own write transaction (BEGIN IMMEDIATE on SQLite), committed on
    success. A Session is used as it is: its owner commits, unless commit_session."""
    if isinstance(s_or_engine, Engine):
        with _writer_lock(s_or_engine), write_session(s_or_engine) as s:
            yield s
        return
    try:
        yield s_or_engine
        if commit_session:
            s_or_engine.commit()
    except BaseException:
        if commit_session:
            s_or_engine.rollback()
        raise
