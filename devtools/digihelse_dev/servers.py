"""PostgreSQL and Redis as local processes, from Debian's packages (`make postgres`,
`make redis`): for `make cluster` (a data folder that survives restarts) and for the tests
(a throwaway folder, fsync off). One copy of how to find, start and stop them."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_USER = "digihelse"
KEYSPACE_EVENTS = "K$sgxe"  # reflex.istate.manager.redis.NOTIFY_KEYSPACE_EVENTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make postgres`")
    return Path(versions[-1]).parent


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = next(Path(a).name for a in args if a.endswith(("initdb", "pg_ctl")))
        raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
                           " (as root, PostgreSQL runs as `postgres`, which must be able to "
                           "reach the folder)")


@dataclass
class Postgres:
    """A PostgreSQL server on loopback whose cluster lives in `folder/data` (created by
    initdb on the first start, kept afterwards). PostgreSQL refuses to run as root; as
    root it runs as the package's own user, `postgres`. `durable=False` turns fsync off,
    for data that is thrown away."""

    folder: Path
    port: int = 0
    durable: bool = True
    max_connections: int = 300
    _as_user: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> Postgres:
        bin_dir = postgres_bin_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_user:
            shutil.chown(self.folder, "postgres")
        if not (self.data / "PG_VERSION").exists():
            # Trust on loopback only: the server listens on 127.0.0.1 and a socket in
            # `folder`, nowhere else.
            _run([*self._as_user, str(bin_dir / "initdb"), "-D", str(self.data),
                  "-A", "trust", "-U", PG_USER, "-E", "UTF8",
                  *([] if self.durable else ["--no-sync"])])
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   f"-c max_connections={self.max_connections}")
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run([*self._as_user, str(bin_dir / "pg_ctl"), "-D", str(self.data),
              "-o", options, "-l", str(self.folder / "server.log"), "-w", "start"])
        return self

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self._as_user, str(postgres_bin_dir() / "pg_ctl"), "-D",
                        str(self.data), "-m", mode, "stop"],
                       check=False, capture_output=True)

    def ensure_database(self, name: str) -> str:
        """Create the database unless it exists; returns its URL."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                      {"n": name}).first()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


@dataclass
class Redis:
    """Debian's redis-server on a loopback port. `persistent` keeps an append-only file
    in `folder` (state of open tabs survives a restart); else nothing is written."""

    folder: Path
    port: int = 0
    persistent: bool = False
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> Redis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make redis`")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        persistence = (["--appendonly", "yes", "--save", "300 1"] if self.persistent
                       else ["--appendonly", "no", "--save", ""])
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), *persistence,
             # What Reflex's state locks wait on (it sets them too, but only when a worker
             # starts, so a restarted Redis would be without them until then).
             "--notify-keyspace-events", KEYSPACE_EVENTS],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise TimeoutError("redis-server did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """kill -9, as a crash would (for the fault tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
