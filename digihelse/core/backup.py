"""An online, consistent copy of the database, and putting one back.

SQLite: the backup API copies the live database page by page under a read lock, so
the copy is consistent while the app keeps serving. PostgreSQL: pg_dump (custom format)
from one snapshot, pg_restore back. After a restore, the access log's chain is verified
and the bookings counted, so whoever restores sees at once whether it is whole."""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import select

from digihelse.audit.log import verify
from digihelse.core import db


@dataclass(frozen=True)
class Restored:
    bookings: int
    log_rows: int
    log_ok: bool


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def _pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return candidates[-1]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target`."""
    source = _sqlite_path(url)
    if source is not None:
        with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
            live.backup(copy)
        return
    subprocess.run([_pg_tool("pg_dump"), "--format=custom", f"--file={target}", _libpq(url)],
                   check=True)


def restore(url: str, source: Path) -> Restored:
    """Replace the database at `url` with the copy in `source`; then check it."""
    if not source.is_file():
        raise FileNotFoundError(f"no backup at {source}")
    target = _sqlite_path(url)
    if target is not None:
        with sqlite3.connect(source) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
    else:
        subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        f"--dbname={_libpq(url)}", str(source)], check=True)
    return check(url)


def check(url: str) -> Restored:
    from digihelse.booking.models import Booking

    engine = db.make_engine(url)
    try:
        with db.session(engine) as s:
            bookings = s.exec(select(func.count()).select_from(Booking)).one()
            report = verify(s)
    finally:
        engine.dispose()
    return Restored(bookings, report.rows, report.ok)
