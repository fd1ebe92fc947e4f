"""Booking throughput through the service layer (50 concurrent clients, fresh file SQLite)
against SQLite's durable-commit rate. Run: .venv/bin/python bench/booking.py"""

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

# The bench books many slots per client, so the per-pupil limit and notice are lifted.
BENCH_SETTINGS = BookingSettings(max_active_future_bookings=10**9,
                                     min_notice=dt.timedelta(0))


def setup(folder: Path, clients: int) -> tuple[str, list[Actor], list[int], dt.datetime]:
    """A migrated, seeded database with Kari's slots every 5 minutes, 07–22, four weeks."""
    from digihelse_dev.seed import seed

    import digihelse.models  # noqa: F401  (every table)

    url = f"sqlite:///{folder / 'bench.db'}"
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
        slots = [f.slot_id for f in citizen.free_slots(s, school_id, now=now, days=28,
                                                   settings=BENCH_SETTINGS)]
    engine.dispose()
    return url, pupils, slots, now


def bench_bookings(url: str, pupils: list[Actor], slots: list[int], now: dt.datetime,
                   seconds: float) -> tuple[int, float, list[float], int]:
    """Each client books the next unbooked slot until the time is up; returns
    (bookings, elapsed, latencies in seconds, refusals)."""
    next_slot = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    refusals = [0]
    barrier = threading.Barrier(len(pupils) + 1)
    deadline = [0.0]

    def client(i: int, pupil: Actor) -> None:
        engine = db.make_engine(url)  # one connection per client, as separate processes
        mine: list[float] = []
        barrier.wait()
        for n in itertools.count():
            with lock:
                index = next(next_slot)
            if index >= len(slots) or time.perf_counter() > deadline[0]:
                break
            started = time.perf_counter()
            try:
                citizen.book(engine, pupil, slot_id=slots[index], client_key=f"c{i}-{n}", now=now,
                         settings=BENCH_SETTINGS)
            except errors.BookingError:
                refusals[0] += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
        engine.dispose()

    threads = [threading.Thread(target=client, args=(i, p)) for i, p in enumerate(pupils)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) - refusals[0], elapsed, latencies, refusals[0]


def bench_burst(url: str, pupils: list[Actor], slots: list[int],
                now: dt.datetime) -> tuple[float, list[float]]:
    """Every client books one slot at the same instant (the bell rings); returns the time
    until the last one is done and each client's latency."""
    barrier = threading.Barrier(len(pupils))
    engines = [db.make_engine(url) for _ in pupils]
    latencies: list[float] = [0.0] * len(pupils)
    starts: list[float] = [0.0] * len(pupils)

    def client(i: int) -> None:
        barrier.wait()
        starts[i] = time.perf_counter()
        citizen.book(engines[i], pupils[i], slot_id=slots[i], client_key=f"burst-{i}", now=now,
                 settings=BENCH_SETTINGS)
        latencies[i] = time.perf_counter() - starts[i]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(pupils))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
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


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="digihelse-bench-"))
    try:
        t0 = time.perf_counter()
        url, pupils, slots, now = setup(folder, args.clients)
        print(f"setup: {len(slots)} free slots, {args.clients} clients "
              f"({time.perf_counter() - t0:.1f} s) in {folder}")
        burst, burst_latencies = bench_burst(url, pupils, slots, now)
        print(f"burst: {args.clients} bookings at the same instant, all done in "
              f"{burst * 1000:.0f} ms (slowest client {max(burst_latencies) * 1000:.0f} ms)")
        booked, elapsed, latencies, refused = bench_bookings(url, pupils, slots[len(pupils):],
                                                             now, args.seconds)
        rate = booked / elapsed
        print(f"sustained: {booked} bookings in {elapsed:.1f} s = {rate:.0f}/s "
              f"(refused {refused}); latency p50 {percentile(latencies, 50) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 95) * 1000:.1f} ms")
        commits = bench_commits(folder, min(args.seconds, 5.0))
        print(f"floor: {commits:.0f} durable commits/s (WAL, synchronous=FULL, same disk)")
        print(f"ratio bookings/s ÷ commits/s = {rate / commits:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
