"""A throwaway PostgreSQL server for the tests that must also pass on PostgreSQL (the
database when DigiHelse is scaled out): initdb into a temporary folder, a free port on
loopback, fsync off (the data is thrown away), stopped when the test session ends.

DIGIHELSE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user@host:5432/postgres) points the
tests at a server that already runs instead; `make postgres` installs Debian's server."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ADMIN_USER = "digihelse"


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make postgres` "
                           "(or set DIGIHELSE_TEST_POSTGRES_URL)")
    return Path(versions[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One server for the whole test session; each test gets its own database."""

    def __init__(self) -> None:
        self.external = os.environ.get("DIGIHELSE_TEST_POSTGRES_URL")
        self.folder: Path | None = None
        self.port = 0
        self._template: str | None = None

    def start(self) -> None:
        if self.external:
            return
        bin_dir = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="digihelse-pg-"))
        self.port = _free_port()
        # PostgreSQL refuses to run as root; as root, run it as the package's own user.
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_user:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", ADMIN_USER, "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True)
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=300")
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                        "-l", str(self.folder / "server.log"), "-w", "start"],
                       check=True, capture_output=True)
        self._as_user = as_user
        self._bin_dir = bin_dir

    def stop(self) -> None:
        if self.external or self.folder is None:
            return
        subprocess.run([*self._as_user, str(self._bin_dir / "pg_ctl"), "-D",
                        str(self.folder / "data"), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return self.external or f"postgresql+psycopg://{ADMIN_USER}@127.0.0.1:{self.port}/postgres"

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def _url(self, name: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"

    def create_database(self, *, migrated: bool = False) -> str:
        """A new database, empty or already migrated to head; returns its URL. Migrated
        ones are copies of a template migrated once (CREATE DATABASE ... TEMPLATE), which
        takes milliseconds where running the migrations takes a second."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        if not migrated:
            self._admin(f'CREATE DATABASE "{name}"')
            return self._url(name)
        if self._template is None:
            from digihelse.core import db

            template = f"tmpl_{uuid.uuid4().hex[:12]}"
            self._admin(f'CREATE DATABASE "{template}"')
            db.migrate(self._url(template))
            self._template = template
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return self._url(name)

    def drop_database(self, url: str) -> None:
        name = url.rpartition("/")[2]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
