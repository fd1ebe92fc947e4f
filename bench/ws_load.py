"""Websocket load: events per second, latency and server CPU per event, for our booking
and card pages and for the floor (the bare Reflex counter app, bench/counter/), on one
in-memory worker and on two Redis workers, with 1, 50 and 200 clients, in one run.

    .venv/bin/python bench/ws_load.py [--seconds 8] [--clients 1,50,200]

Configurations, as `make run` and `make cluster` run them:
- "1 worker, memory": one Granian worker, Reflex's memory state manager, SQLite.
- "2 workers, Redis": two Granian workers, the Redis state manager, PostgreSQL (fsync on),
  from digihelse_dev.servers; the counter app gets the same Redis and two workers.

Each client is a tab speaking Reflex's websocket protocol (e2e/reflex_client.py): it
hydrates the page once, then loops on one event, the page's own load over the socket
(`on_load_internal` with the page's on_load chain, as a client-side navigation back to
the page sends it), and waits for its answer (the chain has finished) before the next.
An event is one such round trip. Our pages' tabs share one login (Ida for /bestill, Nora
Lie for /helsekort). Server CPU is user + system time of the app's processes, plus
PostgreSQL's and Redis's in the second configuration, over the measured seconds, divided
by the events answered. The clients run on the same machine and take CPU of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digihelse_dev.servers import Postgres, Redis  # noqa: E402

from bench.tabs import COUNTER_DIR, start_counter  # noqa: E402
from e2e.reflex_client import CompiledApp, ReflexTab, login_cookie  # noqa: E402
from e2e.server import RunningServer, start_server, stop_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    person: str  # who logs in ("" for nobody)
    counter: bool = False


COUNTER = "counter / (floor)"
TARGETS = [Target("/bestill (Ida)", "/bestill", "Ida"),
           Target("/helsekort (Nora)", "/helsekort", "Nora"),
           Target(COUNTER, "/", "", counter=True)]


@dataclass
class Cell:
    target: str
    config: str
    clients: int
    events: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.events if self.events else 0


# --- CPU of a set of process trees ----------------------------------------------------

def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    return found


def cpu_seconds(roots: list[int]) -> float:
    """User + system seconds of these processes and all their descendants so far."""
    children, total, todo = _children(), 0, list(roots)
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


# --- the load -------------------------------------------------------------------------

async def measure(base_url: str, app: CompiledApp, target: Target, cookie: str,
                  clients: int, seconds: float, roots: list[int], config: str) -> Cell:
    tabs: list[ReflexTab] = []
    opening = asyncio.Semaphore(8)

    async def open_one() -> None:
        async with opening:
            tab = ReflexTab(base_url, app, cookie)
            await tab.open(target.path, timeout=120)
            tabs.append(tab)

    await asyncio.gather(*(open_one() for _ in range(clients)))
    latencies: list[float] = []
    measuring = False
    stop_at = 0.0

    async def loop(tab: ReflexTab) -> None:
        while True:
            started = time.perf_counter()
            await tab.navigate(target.path, timeout=120)
            if measuring and started < stop_at:
                latencies.append(time.perf_counter() - started)
            if time.perf_counter() >= stop_at and measuring:
                return

    try:
        runners = [asyncio.create_task(loop(tab)) for tab in tabs]
        await asyncio.sleep(1.0)  # warm up
        cpu_before, began = cpu_seconds(roots), time.perf_counter()
        stop_at = began + seconds
        measuring = True
        await asyncio.gather(*runners)
        elapsed = time.perf_counter() - began
        cpu = cpu_seconds(roots) - cpu_before
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
    return Cell(target.label, config, clients, len(latencies), elapsed, latencies, cpu)


def run_target_set(base_url: str, web_dir: Path, targets: list[Target], counts: list[int],
                   seconds: float, roots: list[int], config: str) -> list[Cell]:
    app = CompiledApp.read(web_dir)
    cells = []
    for target in targets:
        cookie = login_cookie(base_url, target.person) if target.person else ""
        for clients in counts:
            cell = asyncio.run(measure(base_url, app, target, cookie, clients, seconds,
                                       roots, config))
            print(f"  {target.label:20} {config:18} {clients:4} clients: {cell.rate:7.1f} ev/s "
                  f"p50 {cell.pct(0.5):6.0f} ms p95 {cell.pct(0.95):6.0f} ms "
                  f"{cell.cpu_ms:6.1f} CPU ms/event", flush=True)
            cells.append(cell)
    return cells


# --- the configurations -----------------------------------------------------------------

def _server(work: Path, name: str, extra: dict[str, str], respawn: bool) -> RunningServer:
    data = work / name
    data.mkdir()
    return start_server(data, data, extra_env=extra, respawn=respawn)


def run_all(work: Path, counts: list[int], seconds: float, scaled_too: bool = True
            ) -> list[Cell]:
    ours = [t for t in TARGETS if not t.counter]
    floor = [t for t in TARGETS if t.counter]
    quiet = {"DIGIHELSE_SCHEDULER": "0", "DIGIHELSE_MAX_SOCKETS_PER_ADDRESS": "10000"}
    cells: list[Cell] = []
    memory = "1 worker, memory"
    server = _server(work, "memory", {**quiet, "GRANIAN_WORKERS": "1"}, respawn=False)
    try:
        cells += run_target_set(server.base_url, ROOT / ".web", ours, counts, seconds,
                                [server.process.pid], memory)
    finally:
        stop_server(server)
    counter = start_counter(work, {"GRANIAN_WORKERS": "1"})
    try:
        cells += run_target_set(counter.base_url, COUNTER_DIR / ".web", floor, counts, seconds,
                                [counter.process.pid], memory)
    finally:
        stop_server(counter)

    if not scaled_too:
        return cells
    scaled = "2 workers, Redis"
    # A folder of its own in /tmp: as root, PostgreSQL runs as `postgres`, which cannot
    # enter the run's private temporary folder.
    postgres = Postgres(Path(tempfile.mkdtemp(prefix="digihelse-wsload-pg-"))).start()
    redis = Redis(work / "redis").start()
    try:
        url = postgres.ensure_database("digihelse")
        backing = [_postmaster(postgres), redis.process.pid]
        server = _server(work, "scaled", {**quiet, "GRANIAN_WORKERS": "2", "DATABASE_URL": url,
                                          "REFLEX_REDIS_URL": redis.url}, respawn=True)
        try:
            cells += run_target_set(server.base_url, ROOT / ".web", ours, counts, seconds,
                                    [server.process.pid, *backing], scaled)
        finally:
            stop_server(server)
        counter = start_counter(work, {"GRANIAN_WORKERS": "2", "REFLEX_REDIS_URL": redis.url})
        try:
            cells += run_target_set(counter.base_url, COUNTER_DIR / ".web", floor, counts,
                                    seconds, [counter.process.pid, redis.process.pid], scaled)
        finally:
            stop_server(counter)
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)
    return cells


def _postmaster(postgres: Postgres) -> int:
    return int((postgres.data / "postmaster.pid").read_text().split()[0])


def table(cells: list[Cell]) -> str:
    lines = ["| Page | Configuration | Clients | Events/s | p50 | p95 | CPU ms/event |",
             "|---|---|---|---|---|---|---|"]
    for c in cells:
        lines.append(f"| {c.target} | {c.config} | {c.clients} | {c.rate:.1f} | "
                     f"{c.pct(0.5):.0f} ms | {c.pct(0.95):.0f} ms | {c.cpu_ms:.1f} |")
    return "\n".join(lines)


def targets(cells: list[Cell], counts: list[int]) -> str:
    """Issue #17's targets, each beside its floor from this run: server CPU per event at
    most 3x the counter's (at the largest client count measured under 200, or the only
    one), and p95 at 200 clients at most 300 ms."""
    lines = []
    for config in dict.fromkeys(c.config for c in cells):
        by = {(c.target, c.clients): c for c in cells if c.config == config}
        for target in (t for t in TARGETS if not t.counter):
            for clients in counts:
                ours, floor = by.get((target.label, clients)), by.get((COUNTER, clients))
                if not ours or not floor or not floor.cpu_ms:
                    continue
                ratio = ours.cpu_ms / floor.cpu_ms
                line = (f"{target.label}, {config}, {clients} clients: {ours.cpu_ms:.2f} CPU "
                        f"ms/event = {ratio:.1f}x the counter's {floor.cpu_ms:.2f} (target "
                        f"≤ 3x: {'met' if ratio <= 3 else 'not met'})")
                if clients == 200:
                    line += (f"; p95 {ours.pct(0.95):.0f} ms, counter {floor.pct(0.95):.0f} ms "
                             f"(target ≤ 300 ms: {'met' if ours.pct(0.95) <= 300 else 'not met'})")
                lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds a cell")
    parser.add_argument("--clients", default="1,50,200", help="client counts, comma-separated")
    parser.add_argument("--one-worker", action="store_true",
                        help="only the one-worker configuration (no PostgreSQL, no Redis)")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="digihelse-wsload-") as tmp:
        cells = run_all(Path(tmp), counts, args.seconds, scaled_too=not args.one_worker)
    print(table(cells))
    print(targets(cells, counts))
    by = {(c.target, c.config, c.clients): c for c in cells}
    for target in TARGETS:
        for clients in counts:
            one = by.get((target.label, "1 worker, memory", clients))
            two = by.get((target.label, "2 workers, Redis", clients))
            if one and two and one.rate and one.cpu_ms:
                # One in-memory worker is one process: it never uses more than one core.
                # Redis workers spread over cores, at `ratio` times the CPU per event, so
                # they serve more once the cores outnumber the ratio.
                ratio = two.cpu_ms / one.cpu_ms
                print(f"{target.label}, {clients} clients: two Redis workers give "
                      f"{two.rate / one.rate:.2f}× the events/s here, at {ratio:.2f}× the "
                      f"CPU per event: more than one worker can from {math.floor(ratio) + 1} "
                      "cores")


if __name__ == "__main__":
    main()
