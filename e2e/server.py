"""Starts the production server once for a test session, on a free port with a
throwaway database, and waits until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUN_DIR = ROOT / ".tools" / "node_modules" / ".bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def database_path(self) -> Path:
        return self.data_dir / "digihelse.db"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


E2E_AUDIT_KEY = "e2e-audit-key-" + "0" * 32
# Where the server sends e-mail notifications: e2e/test_messages.py listens there with a
# real SMTP server (aiosmtpd) while it needs one. Chosen once per test run.
E2E_SMTP_PORT = free_port()


def server_env(port: int, data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PORT": str(port),
        "DIGIHELSE_DATA_DIR": str(data_dir),
        "DIGIHELSE_ENV": "test",
        "PATH": f"{BUN_DIR}{os.pathsep}{env.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "PYTHONUNBUFFERED": "1",
        # The journeys log in far more often than people do, from one address.
        "DIGIHELSE_RATE_LOGIN": "100000/minute",
        "DIGIHELSE_RATE_FHIR_READ": "100000/minute",
        "DIGIHELSE_RATE_FHIR_WRITE": "100000/minute",
        "DIGIHELSE_RATE_SOCKET_CONNECT": "100000/minute",
        "DIGIHELSE_RATE_BOOKING": "100000/minute",
        # One audit key for the server and the tests that append to its log directly.
        "DIGIHELSE_AUDIT_KEY": E2E_AUDIT_KEY,
        "DIGIHELSE_SMTP_HOST": "127.0.0.1",
        "DIGIHELSE_SMTP_PORT": str(E2E_SMTP_PORT),
        # The outbox is sent every few seconds, so a notification arrives while a test waits.
        "DIGIHELSE_JOB_INTERVAL_SECONDS": "3",
    })
    env.pop("DATABASE_URL", None)
    env.update(extra or {})
    return env


def wait_until_up(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}):\n"
                               f"{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise TimeoutError(f"the server did not answer {url} within {timeout:.0f} s")


def start_server(data_dir: Path, log_dir: Path, timeout: float = 900,
                 extra_env: dict[str, str] | None = None,
                 log_name: str = "server.log", *, respawn: bool = False) -> RunningServer:
    """`reflex run --env prod --single-port`; with `respawn`, through digihelse.serve, whose
    Granian respawns a worker that dies (as `make cluster` runs it)."""
    port = free_port()
    env = server_env(port, data_dir, extra_env)
    log_path = log_dir / log_name
    subprocess.run([sys.executable, "-m", "digihelse.cli", "bootstrap"], cwd=ROOT, env=env,
                   check=True)
    with open(log_path, "w") as log:
        launcher = ([sys.executable, "-m", "digihelse.serve"] if respawn
                    else [str(Path(sys.executable).parent / "reflex")])
        process = subprocess.Popen(
            [*launcher, "run", "--env", "prod",
             "--single-port", "--backend-port", str(port), "--loglevel", "info"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base_url = f"http://localhost:{port}"
    server = RunningServer(base_url, data_dir, process, log_path)
    try:
        wait_until_up(f"{base_url}/healthz", process, timeout, log_path)
        wait_until_up(f"{base_url}/", process, timeout, log_path)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: RunningServer) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, 15)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, 9)
