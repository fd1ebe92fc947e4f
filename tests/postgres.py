"""A throwaway PostgreSQL server for the tests that must also pass on PostgreSQL (the
database when DigiHelse is scaled out): initdb into a temporary folder, a free port on
loopback, fsync off (the data is thrown away), stopped when the test session ends.

DIGIHELSE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user@host:5432/postgres) points the
tests at a server that already runs instead; `make postgres` installs Debian's server."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

from digihelse_dev.servers import PG_USER as ADMIN_USER
from digihelse_dev.servers import Postgres
from sqlalchemy import create_engine, text


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
        self.folder = Path(tempfile.mkdtemp(prefix="digihelse-pg-"))
        self._server = Postgres(self.folder, durable=False).start()
        self.port = self._server.port

    def stop(self) -> None:
        if self.external or self.folder is None:
            return
        self._server.stop("immediate")
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
