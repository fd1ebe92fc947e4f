"""`make cluster`: on one machine, everything a scaled-out deployment has. PostgreSQL
(Debian's server binaries, its cluster in data/cluster/postgres), redis-server (its
append-only file in data/cluster/redis), the migrations, the demo data (seeded on the
first start only), and the app with GRANIAN_WORKERS workers (default 2) on Reflex's Redis
state manager, on PORT. Ctrl-C stops all of it; the data stays for the next start.

Set DATABASE_URL or REFLEX_REDIS_URL to use a PostgreSQL or a Redis that runs elsewhere;
then that one is not started here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from digihelse_dev.servers import Postgres, Redis

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "digihelse"


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C, and a plain kill, stop everything; set explicitly, since a shell that
    # starts us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    data = Path(os.environ.get("DIGIHELSE_DATA_DIR") or ROOT / "data") / "cluster"
    env = dict(os.environ)
    env.setdefault("GRANIAN_WORKERS", "2")
    started: list[Postgres | Redis] = []
    app: subprocess.Popen | None = None
    try:
        if not env.get("DATABASE_URL"):
            postgres = Postgres(data / "postgres").start()
            started.append(postgres)
            env["DATABASE_URL"] = postgres.ensure_database(DATABASE)
            print(f"PostgreSQL on 127.0.0.1:{postgres.port}, data in {postgres.data}")
        if not env.get("REFLEX_REDIS_URL"):
            redis = Redis(data / "redis", persistent=True).start()
            started.append(redis)
            env["REFLEX_REDIS_URL"] = redis.url
            print(f"Redis on 127.0.0.1:{redis.port}, data in {redis.folder}")
        python = sys.executable
        _run([python, "-m", "digihelse.cli", "migrate"], env)
        seeded = data / "seeded"
        if not seeded.exists():
            _run([python, "-m", "digihelse.cli", "seed"], env)
            seeded.parent.mkdir(parents=True, exist_ok=True)
            seeded.touch()
        port = env.get("PORT", "8000")
        print(f"DigiHelse with {env['GRANIAN_WORKERS']} workers at http://localhost:{port}")
        app = subprocess.Popen([python, "-m", "digihelse.serve", "run", "--env", "prod",
                                "--single-port", "--backend-port", port], cwd=ROOT, env=env,
                               start_new_session=True)
        return app.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if app is not None and app.poll() is None:
            os.killpg(app.pid, signal.SIGINT)
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(app.pid, signal.SIGKILL)
        for server in reversed(started):
            server.stop()
        print("cluster stopped")


if __name__ == "__main__":
    sys.exit(main())
