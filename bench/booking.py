"""Booking throughput through the service layer (1 and 50 concurrent clients sharing one
engine, as one worker's do) against the database's durable-commit rate measured in the
same run: SQLite in a fresh file (WAL, synchronous=FULL), or with --postgres a throwaway
PostgreSQL server with fsync on (single-row commits on one connection).

    .venv/bin/python bench/booking.py [--seconds 10] [--clients 50] [--postgres]

Targets (issue #17): at 50 clients ≥ 1/3 of the floor, p95 ≤ 20 ms, and no slower than
one client."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import SQLModel, select

from digihelse.access.actors import Actor
from digihelse.booking import citizen, errors, opening_hours
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO, utcnow
from digihelse.people.models import Enrollment, Person, Place
from digihelse.people.nin import synthetic_nin

# The bench books many slots per client, so the per-pupil limit and notice are lifted, and
# times are published far ahead, so that the fastest run does not run out of them.
BENCH_SETTINGS = BookingSettings(max_active_future_bookings=10**9,
                                 min_notice=dt.timedelta(0), horizon_days=140)


def setup(folder: Path, clients: int, url: str | None = None
          ) -> tuple[str, list[Actor], list[int], dt.datetime]:
    """A migrated, seeded database with Kari's slots every 5 minutes, 07–22, 20 weeks."""
    from digihelse_dev.seed import seed

    import digihelse.models  # noqa: F401  (every table)

    url = url or f"sqlite:///{folder / 'bench.db'}"
    db.migrate(url)
    engine = db.make_engine(url)
    SQLModel.metadata.create_all(engine)  # tables whose migration has not landed yet
    with db.session(engine) as s:
        persons = seed(s)
    kari = Actor(pid=persons["kari"].nin, role="school_nurse", name="Kari Lund")
    now = dt.datetime.combine(utcnow().astimezone(OSLO).date(), dt.time(), tzinfo=OSLO)
    now = now.astimezone(dt.UTC)
    pupils = []
    with db.write_session(engine) as s:
        school = s.exec(select(Place).where(Place.name == "Fjordvik ungdomsskole")).one()
        for i in range(clients):
            birth = dt.date(2011, 1, 1) + dt.timedelta(days=i * 3)
            person = Person(nin=synthetic_nin(birth, seed=i), given_name=f"Elev{i}",
                            family_name="Bench", birth_date=birth)
            s.add(person)
            s.flush()
            s.add(Enrollment(person_id=person.id, place_id=school.id))
            pupils.append(Actor(pid=person.nin, role="citizen", name=f"Elev{i} Bench"))
        school_id = school.id
    for weekday in range(7):
        opening_hours.save_schedule_item(engine, kari, opening_hours.WeeklyHours(
            place_id=school_id, weekday=weekday, start=dt.time(7), end=dt.time(22),
            slot_minutes=5, valid_from=now.astimezone(OSLO).date()), now=now,
            settings=BENCH_SETTINGS)
    with db.session(engine) as s:
        slots = [f.slot_id for f in citizen.free_slots(
            s, school_id, now=now, days=BENCH_SETTINGS.horizon_days, settings=BENCH_SETTINGS)]
    engine.dispose()
    return url, pupils, slots, now


def bench_bookings(url: str, pupils: list[Actor], slots: list[int], now: dt.datetime,
                   seconds: float, tag: str = "c") -> tuple[int, float, list[float], int]:
    """Each client books the next unbooked slot until the time is up; returns
    (bookings, elapsed, latencies in seconds, refusals)."""
    next_slot = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    refusals = [0]
    barrier = threading.Barrier(len(pupils) + 1)
    deadline = [0.0]

    engine = db.make_engine(url)  # one engine for all, as one worker has

    def client(i: int, pupil: Actor) -> None:
        mine: list[float] = []
        barrier.wait()
        for n in itertools.count():
            with lock:
                index = next(next_slot)
            if index >= len(slots) or time.perf_counter() > deadline[0]:
                break
            started = time.perf_counter()
            try:
                citizen.book(engine, pupil, slot_id=slots[index], client_key=f"{tag}{i}-{n}",
                             now=now, settings=BENCH_SETTINGS)
            except errors.BookingError:
                refusals[0] += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i, p)) for i, p in enumerate(pupils)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(latencies) - refusals[0], elapsed, latencies, refusals[0]


def bench_burst(url: str, pupils: list[Actor], slots: list[int],
                now: dt.datetime) -> tuple[float, list[float]]:
    """Every client books one slot at the same instant (the bell rings); returns the time
    until the last one is done and each client's latency."""
    barrier = threading.Barrier(len(pupils))
    engine = db.make_engine(url)
    latencies: list[float] = [0.0] * len(pupils)
    starts: list[float] = [0.0] * len(pupils)

    def client(i: int) -> None:
        barrier.wait()
        starts[i] = time.perf_counter()
        citizen.book(engine, pupils[i], slot_id=slots[i], client_key=f"burst-{i}", now=now,
                 settings=BENCH_SETTINGS)
        latencies[i] = time.perf_counter() - starts[i]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(pupils))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    done = max(s + lat for s, lat in zip(starts, latencies, strict=True))
    return done - min(starts), latencies


def bench_commits(folder: Path, seconds: float) -> float:
    """Single-row INSERT + COMMIT in a tight loop, WAL and synchronous=FULL: the most
    durable transactions per second this disk gives SQLite."""
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", ("x" * 100,))
        conn.execute("COMMIT")
        count += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


def bench_commits_pg(url: str, seconds: float) -> float:
    """Single-row INSERT + COMMIT in a tight loop on one connection (fsync on)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("CREATE TABLE floor_t (id serial PRIMARY KEY, body text NOT NULL)")
        conn.commit()
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            conn.execute("INSERT INTO floor_t (body) VALUES (%s)", ("x" * 100,))
            conn.commit()
            count += 1
        return count / (time.perf_counter() - started)


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", action="store_true",
                        help="on a throwaway PostgreSQL server (fsync on) instead of SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="digihelse-bench-"))
    server = None
    try:
        t0 = time.perf_counter()
        url = None
        if args.postgres:
            from digihelse_dev.servers import Postgres

            # A folder of its own: as root, PostgreSQL runs as `postgres`, which cannot
            # enter this run's private temporary folder.
            server = Postgres(Path(tempfile.mkdtemp(prefix="digihelse-bench-pg-"))).start()
            url = server.ensure_database("bench")
        url, pupils, slots, now = setup(folder, args.clients, url)
        print(f"setup: {len(slots)} free slots, {args.clients} clients "
              f"({time.perf_counter() - t0:.1f} s) in {folder}")
        burst, burst_latencies = bench_burst(url, pupils, slots, now)
        print(f"burst: {args.clients} bookings at the same instant, all done in "
              f"{burst * 1000:.0f} ms (slowest client {max(burst_latencies) * 1000:.0f} ms)")
        free = slots[len(pupils):]
        one, one_elapsed, one_latencies, _ = bench_bookings(url, pupils[:1], free, now,
                                                            args.seconds / 2, tag="one")
        one_rate = one / one_elapsed
        print(f"1 client: {one} bookings in {one_elapsed:.1f} s = {one_rate:.0f}/s; latency "
              f"p50 {percentile(one_latencies, 50) * 1000:.1f} ms, "
              f"p95 {percentile(one_latencies, 95) * 1000:.1f} ms")
        booked, elapsed, latencies, refused = bench_bookings(url, pupils, free[one:], now,
                                                             args.seconds)
        rate = booked / elapsed
        p95 = percentile(latencies, 95) * 1000
        print(f"{args.clients} clients: {booked} bookings in {elapsed:.1f} s = {rate:.0f}/s "
              f"(refused {refused}); latency p50 {percentile(latencies, 50) * 1000:.1f} ms, "
              f"p95 {p95:.1f} ms")
        if server is not None:
            commits = bench_commits_pg(url, min(args.seconds, 5.0))
            print(f"floor: {commits:.0f} durable commits/s (PostgreSQL, fsync on, one "
                  "connection, single-row commits)")
        else:
            commits = bench_commits(folder, min(args.seconds, 5.0))
            print(f"floor: {commits:.0f} durable commits/s (WAL, synchronous=FULL, same disk)")
        ratio = rate / commits
        print(f"ratio bookings/s ÷ commits/s = {ratio:.2f} (target ≥ 0.33: "
              f"{'met' if ratio >= 1 / 3 else 'not met'}); p95 {p95:.1f} ms (target ≤ 20 ms: "
              f"{'met' if p95 <= 20 else 'not met'}); {args.clients} clients ÷ 1 client = "
              f"{rate / one_rate:.2f} (target ≥ 1: {'met' if rate >= one_rate else 'not met'})")
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.folder, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
