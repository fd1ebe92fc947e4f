"""The scaled-out lane (issue #15): a throwaway PostgreSQL, a throwaway redis-server and
the production server with two Granian workers on the Redis state manager, started here,
as `make cluster` runs them (digihelse.serve: a worker that dies is respawned).

- a pupil books over the API; the nurse's open day view shows it without a reload, on
  whichever worker holds its socket (two open pages, on two different workers);
- 50 concurrent POST Appointment for one slot, from four pupils' sessions and spread over
  both workers by new connections, give exactly one booking;
- the scheduler's leader is killed (kill -9); another worker takes over within the bound
  and sends the reminders that fall due, each once;
- 50 clients book through the API while one worker is killed (kill -9): every 2xx has its
  booking exactly once, no slot has two active bookings, and a retry with the same
  identifier after a dropped connection books nothing twice;
- Redis is restarted mid-run: bookings go on, nothing booked is lost, a tab reconnects.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import pickle
import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis
from playwright.sync_api import Browser, expect
from sqlalchemy import text
from sqlalchemy.engine import Engine

from digihelse.core import db
from e2e.conftest import ARTIFACTS, PHONE
from e2e.helpers import login_personnel, wait_for_app
from e2e.reflex_ws import Tab, cookie_header, latest_var, login
from e2e.server import RunningServer, start_server, stop_server
from tests.postgres import PostgresServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.cluster

API = "/fhir/R4"
FHIR_JSON = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
SESSION_COOKIE = "digihelse_session"
LEADER_KEY = "digihelse:scheduler-leader"
LEADER_SECONDS = 3
JOB_SECONDS = 1
PUPILS = ("Mia", "Ida", "Emil", "Sara")  # Fjordvik ungdomsskole: Kari is their nurse
SCHOOL = "Fjordvik ungdomsskole"
OTHER_SCHOOL = "Fjordvik videregående skole"  # Mona is the nurse of Noah and Ella
RACERS = 50
CLIENTS = 50


@dataclass
class Cluster:
    server: RunningServer
    redis: RedisServer
    engine: Engine

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def workers(self) -> list[int]:
        """The pids of the Granian workers: the supervisor's children."""
        pid = self.server.process.pid
        children = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                children += [int(c) for c in f.read().split()]
        return sorted(set(children))

    def wait_for_workers(self, count: int = 2, timeout: float = 60) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.workers()
            if len(pids) == count and _all_serve(self.base_url):
                return pids
            time.sleep(0.3)
        raise TimeoutError(f"{count} workers not serving; have {self.workers()}")

    def open_connections(self, pid: int) -> int:
        """Client connections to the app's port that this worker holds open now."""
        port = int(self.base_url.rsplit(":", 1)[1])
        established = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                        established.add(fields[9])  # the socket's inode
        count = 0
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            count += target.startswith("socket:[") and target[8:-1] in established
        return count

    def store(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url)

    def sql(self, statement: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(statement), params))


def _all_serve(base_url: str) -> bool:
    try:
        return all(httpx.get(f"{base_url}/healthz", timeout=5,
                             headers={"Connection": "close"}).status_code == 200
                   for _ in range(4))
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    ARTIFACTS.mkdir(exist_ok=True)
    postgres = PostgresServer()
    postgres.start()
    redis_server = RedisServer().start()
    url = postgres.create_database()
    engine = db.make_engine(url)
    try:
        server = start_server(
            tmp_path_factory.mktemp("cluster-data"), ARTIFACTS, respawn=True,
            log_name="cluster-server.log",
            # Its own frontend build (the build names the port; the session's server
            # serves .web/ meanwhile).
            extra_env={"REFLEX_WEB_WORKDIR": ".web-cluster", "DATABASE_URL": url,
                       "REFLEX_REDIS_URL": redis_server.url, "GRANIAN_WORKERS": "2",
                       "DIGIHELSE_LEADER_SECONDS": str(LEADER_SECONDS),
                       "DIGIHELSE_JOB_INTERVAL_SECONDS": str(JOB_SECONDS),
                       "DIGIHELSE_BOOKING_MAX_ACTIVE": "500",
                       "DIGIHELSE_MAX_SOCKETS_PER_ADDRESS": "200"})
        try:
            running = Cluster(server, redis_server, engine)
            running.wait_for_workers()
            yield running
        finally:
            stop_server(server)
    finally:
        engine.dispose()
        redis_server.stop()
        postgres.stop()


def _free_slots(cluster: Cluster, count: int, *, nurse: str | None = None,
                school: str = SCHOOL) -> list[tuple]:
    """(slot id, start) of free school-nurse slots at the pupils' school, from 3 hours on
    (past the minimum notice)."""
    query = """
        SELECT slot.id, slot.start_at FROM slot
        JOIN place ON place.id = slot.place_id
        JOIN personnel ON personnel.id = slot.personnel_id
        JOIN person ON person.id = personnel.person_id
        WHERE place.name = :school AND slot.status = 'open' AND slot.start_at > :after
          AND (CAST(:nurse AS TEXT) IS NULL OR person.given_name = :nurse)
          AND NOT EXISTS (SELECT 1 FROM booking WHERE booking.slot_id = slot.id
                          AND booking.status <> 'cancelled')
        ORDER BY slot.start_at LIMIT :count"""
    after = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    return cluster.sql(query, school=school, after=after, nurse=nurse, count=count)


def _patient_id(cluster: Cluster, given: str) -> int:
    return cluster.sql("SELECT id FROM person WHERE given_name = :g", g=given)[0][0]


def _session(base_url: str, given: str) -> str:
    client = login(base_url, given)
    try:
        return client.cookies[SESSION_COOKIE]
    finally:
        client.close()


def _appointment(slot_id: int, patient: int, identifier: str) -> dict:
    return {"resourceType": "Appointment", "status": "booked",
            "identifier": [{"system": "urn:uuid:cluster", "value": identifier}],
            "slot": [{"reference": f"Slot/{slot_id}"}],
            "participant": [{"actor": {"reference": f"Patient/{patient}"},
                             "status": "accepted"}]}


def _in_thread(coroutine):
    """Run an asyncio coroutine in a thread of its own (sync Playwright holds this one's
    event loop)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _socket_owner(store: redis.Redis, token: str) -> str | None:
    """Which worker (Reflex's per-process instance id) holds the tab's socket."""
    for key in store.scan_iter(match=f"*socket_record*{token}", count=1000):
        raw = store.get(key)
        if raw:
            return pickle.loads(raw).instance_id  # noqa: S301 - our own test Redis
    return None


# -- live updates across workers --------------------------------------------------------


def test_a_booking_on_one_worker_appears_live_on_the_nurses_day_view_on_the_other(
        cluster: Cluster, browser: Browser) -> None:
    (slot_id, start), = _free_slots(cluster, 1, nurse="Kari")
    from digihelse.core.timeutil import to_oslo

    day = to_oslo(start).date().isoformat()
    ida = cluster.sql("SELECT given_name || ' ' || family_name FROM person "
                      "WHERE given_name = 'Ida'")[0][0]
    context = browser.new_context(base_url=cluster.base_url, **PHONE)
    context.set_default_timeout(20_000)
    store = cluster.store()
    try:
        pages, owners = [], set()
        # Open the day in new pages (each a socket of its own) until two sockets sit on
        # two different workers: whichever worker takes the booking, one is on the other.
        for n in range(12):
            page = context.new_page()
            if n == 0:
                login_personnel(page, "Kari")
            page.goto(f"/personell?dag={day}")
            wait_for_app(page)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            token = page.evaluate("sessionStorage.getItem('token')")
            deadline = time.monotonic() + 10
            while (owner := _socket_owner(store, token)) is None:
                assert time.monotonic() < deadline, "the tab's socket has no record in Redis"
                time.sleep(0.1)
            pages.append(page)
            owners.add(owner)
            if len(owners) == 2:
                break
        assert len(owners) == 2, "every page's socket landed on the same worker"
        for page in pages:
            expect(page.get_by_text(ida)).to_have_count(0)

        with httpx.Client(base_url=cluster.base_url, timeout=60,
                          cookies={SESSION_COOKIE: _session(cluster.base_url, "Ida")}) as http:
            booked = http.post(f"{API}/Appointment", headers=FHIR_JSON,
                               json=_appointment(slot_id, _patient_id(cluster, "Ida"),
                                                 f"live-{uuid.uuid4().hex[:8]}"))
        assert booked.status_code == 201, booked.text
        for page in pages:  # no reload: the booking arrives on the open page
            expect(page.get_by_text(ida)).to_be_visible(timeout=10_000)
    finally:
        context.close()


# -- the booking race, spread over both workers -----------------------------------------


async def _race(base_url: str, cookies: list[str], bodies: list[dict]) -> list[httpx.Response]:
    async def one(n: int) -> httpx.Response:
        # A client of its own per request, Connection: close: each lands on whichever
        # worker the kernel gives the new connection.
        async with httpx.AsyncClient(base_url=base_url, timeout=120, headers={
                **FHIR_JSON, "Connection": "close"},
                cookies={SESSION_COOKIE: cookies[n % len(cookies)]}) as client:
            return await client.post(f"{API}/Appointment", json=bodies[n])

    return await asyncio.gather(*(one(n) for n in range(len(bodies))))


def test_fifty_requests_from_four_pupils_for_one_slot_book_it_once(cluster: Cluster) -> None:
    (slot_id, _start), = _free_slots(cluster, 1)
    cookies = [_session(cluster.base_url, given) for given in PUPILS]
    patients = [_patient_id(cluster, given) for given in PUPILS]
    run = uuid.uuid4().hex[:8]
    bodies = [_appointment(slot_id, patients[n % len(PUPILS)], f"race-{run}-{n}")
              for n in range(RACERS)]
    responses = _in_thread(_race(cluster.base_url, cookies, bodies))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: RACERS - 1}, statuses
    active = cluster.sql("SELECT count(*) FROM booking WHERE slot_id = :s "
                         "AND status <> 'cancelled'", s=slot_id)[0][0]
    assert active == 1


# -- the scheduler's leader dies --------------------------------------------------------


def _leader_pid(store: redis.Redis) -> int | None:
    holder = store.get(LEADER_KEY)
    return int(holder.decode().rsplit(":", 1)[1]) if holder else None


def _queue_reminders(cluster: Cluster, label: str, count: int, due: dt.datetime) -> list[str]:
    """Reminders in the outbox, due at `due`, as the booking service queues them."""
    from digihelse.notify.outbox import enqueue

    keys = []
    with db.session(cluster.engine) as s:
        for n in range(count):
            key = f"cluster-test:{label}:{n}"
            enqueue(s, recipient_pid="01010112345", kind="reminder", dedupe_key=key,
                    body=f"Påminnelse {label} {n}", send_at=due, now=due)
            keys.append(key)
        s.commit()
    return keys


def _outbox(cluster: Cluster, keys: list[str]) -> dict[str, tuple[str, int]]:
    rows = cluster.sql("SELECT dedupe_key, status, attempts FROM outbox "
                       "WHERE dedupe_key = ANY(:keys)", keys=keys)
    return {key: (status, attempts) for key, status, attempts in rows}


def _wait_sent(cluster: Cluster, keys: list[str], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(status == "sent" for status, _ in _outbox(cluster, keys).values()):
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not all sent within {timeout} s: {_outbox(cluster, keys)}")


def test_the_leader_is_killed_and_another_worker_sends_the_due_reminders_once(
        cluster: Cluster) -> None:
    store = cluster.store()
    workers = cluster.wait_for_workers()
    deadline = time.monotonic() + 4 * LEADER_SECONDS
    while (leader := _leader_pid(store)) not in workers:
        assert time.monotonic() < deadline, f"no worker leads: {store.get(LEADER_KEY)}"
        time.sleep(0.2)
    now = dt.datetime.now(dt.UTC)
    before = _queue_reminders(cluster, f"before-{uuid.uuid4().hex[:6]}", 3, now)
    _wait_sent(cluster, before, 10 * JOB_SECONDS)

    os.kill(leader, signal.SIGKILL)
    killed_at = time.monotonic()
    during = _queue_reminders(cluster, f"during-{uuid.uuid4().hex[:6]}", 3,
                              dt.datetime.now(dt.UTC))
    later = _queue_reminders(cluster, f"later-{uuid.uuid4().hex[:6]}", 3,
                             dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LEADER_SECONDS))
    # The bound: the dead leader's lease runs out (LEADER_SECONDS), a worker asks within a
    # third of it, and its first run comes a job interval later; plus some slack for a
    # machine busy with the other worker's respawn.
    bound = LEADER_SECONDS * 4 / 3 + JOB_SECONDS + 5
    took = _wait_sent(cluster, during + later, bound + LEADER_SECONDS)
    new_leader = _leader_pid(store)
    print(f"leader {leader} killed; {new_leader} took over and sent the due reminders "
          f"{took:.1f} s later (bound {bound:.1f} s)")
    assert new_leader not in (None, leader)
    assert time.monotonic() - killed_at <= bound + LEADER_SECONDS
    outbox = _outbox(cluster, before + during + later)
    assert {state for state, _ in outbox.values()} == {"sent"}
    # None twice: a message is sent only after a dispatcher claims it (attempts + 1, under
    # FOR UPDATE SKIP LOCKED and a lease); one claim each means one send each.
    assert all(attempts == 1 for _, attempts in outbox.values()), outbox
    cluster.wait_for_workers()


# -- clients book while a worker is killed ----------------------------------------------


@dataclass
class Attempt:
    identifier: str
    slot_id: int
    status: int = 0
    booking_id: int | None = None
    retries: int = 0


async def _client(base_url: str, cookie: str, patient: int, slots: list[int],
                  attempts: list[Attempt], rounds: int, rng: random.Random) -> None:
    """One client: `rounds` bookings of random slots from the shared pool, one after the
    other. A dropped connection is retried with the same identifier until the server
    answers, as a client that never learnt the outcome does."""
    for _ in range(rounds):
        attempt = Attempt(f"load-{uuid.uuid4().hex}", rng.choice(slots))
        attempts.append(attempt)
        while True:
            try:
                async with httpx.AsyncClient(base_url=base_url, timeout=60, headers={
                        **FHIR_JSON, "Connection": "close"},
                        cookies={SESSION_COOKIE: cookie}) as client:
                    response = await client.post(f"{API}/Appointment", json=_appointment(
                        attempt.slot_id, patient, attempt.identifier))
            except httpx.TransportError:
                attempt.retries += 1
                await asyncio.sleep(0.2)
                continue
            if response.status_code >= 500:  # the worker died under the request
                attempt.retries += 1
                await asyncio.sleep(0.2)
                continue
            attempt.status = response.status_code
            if response.status_code in (200, 201):
                attempt.booking_id = int(response.json()["id"])
            break


async def _load(cluster: Cluster, cookies: list[str], patients: list[int], slots: list[int],
                kill_after: float) -> tuple[list[Attempt], int]:
    attempts: list[Attempt] = []
    rng = random.Random(15)
    clients = [asyncio.create_task(_client(
        cluster.base_url, cookies[n % len(cookies)], patients[n % len(patients)], slots,
        attempts, 3, random.Random(rng.random()))) for n in range(CLIENTS)]
    await asyncio.sleep(kill_after)
    # Kill a worker while it holds client connections, so requests die with it.
    deadline = time.monotonic() + 10
    while True:
        busy = [pid for pid in cluster.workers() if cluster.open_connections(pid)]
        if busy or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    victim = (busy or cluster.workers())[0]
    os.kill(victim, signal.SIGKILL)
    await asyncio.gather(*clients)
    return attempts, victim


def test_fifty_clients_book_through_a_kill_9_of_one_worker_and_nothing_is_lost_or_doubled(
        cluster: Cluster) -> None:
    cluster.wait_for_workers()
    # Fewer slots than tries: clients also meet each other on a slot (409).
    slots = [slot_id for slot_id, _ in _free_slots(cluster, 100)]
    assert len(slots) >= 30, "too few free slots for the run"
    cookies = [_session(cluster.base_url, given) for given in PUPILS]
    patients = [_patient_id(cluster, given) for given in PUPILS]
    started = time.monotonic()
    attempts, victim = _in_thread(_load(cluster, cookies, patients, slots, kill_after=1.0))
    statuses = Counter(a.status for a in attempts)
    print(f"{len(attempts)} bookings of {len(slots)} slots tried by {CLIENTS} clients in "
          f"{time.monotonic() - started:.1f} s, worker {victim} killed after 1 s: "
          f"{dict(statuses)}; {sum(a.retries for a in attempts)} retried after a drop")
    assert set(statuses) <= {200, 201, 409}, statuses
    won = [a for a in attempts if a.booking_id is not None]
    assert won, "nothing was booked"
    # Every 2xx has its booking, exactly once, on its slot.
    ids = [a.booking_id for a in won]
    assert len(ids) == len(set(ids)), "two answers name the same booking"
    rows = {booking_id: (slot_id, status) for booking_id, slot_id, status in cluster.sql(
        "SELECT id, slot_id, status FROM booking WHERE id = ANY(:ids)", ids=ids)}
    for a in won:
        assert rows.get(a.booking_id) == (a.slot_id, "booked"), (a, rows.get(a.booking_id))
    # No slot has two active bookings, and the pool holds no booking nobody was told of.
    active = cluster.sql("SELECT slot_id, count(*) FROM booking WHERE slot_id = ANY(:s) "
                         "AND status <> 'cancelled' GROUP BY slot_id", s=slots)
    assert all(count == 1 for _, count in active)
    assert sorted(slot for slot, _ in active) == sorted(a.slot_id for a in won)
    assert victim not in cluster.wait_for_workers()  # respawned, both serve again


# -- Redis restarts ---------------------------------------------------------------------


def _nurse_day_tab(cluster: Cluster, nurse: httpx.Client, day: str) -> Tab:
    """A nurse's tab on the day view, once it shows the day's rows."""
    deadline = time.monotonic() + 30
    while True:
        tab = Tab(cluster.base_url, cookie=cookie_header(nurse))
        tab.connect("/personell", query={"dag": day})
        if latest_var(tab, "nurse_day_state", "rows"):
            return tab
        tab.close()
        assert time.monotonic() < deadline, "the nurse's tab never hydrated"
        time.sleep(1)


def _reaches(tab: Tab, pupil: str, timeout: float = 15) -> None:
    """The booking by `pupil` arrives on the open tab, the way the browser would take it:
    each live_refresh the server asks for is sent back."""
    deadline = time.monotonic() + timeout
    answered = 0
    while not any(row["pupil"].startswith(pupil)
                  for row in latest_var(tab, "nurse_day_state", "rows") or []):
        assert time.monotonic() < deadline, "the booking never reached the tab"
        asks = [e for e in tab.frontend_events() if e["name"].endswith("live_refresh")]
        for ask in asks[answered:]:
            tab.send(ask["name"])
        answered = len(asks)
        time.sleep(0.2)


def test_a_redis_restart_loses_no_booking_and_tabs_reconnect(cluster: Cluster) -> None:
    cluster.wait_for_workers()
    # Away from the school the other tests booked full.
    slots = [slot_id for slot_id, _ in _free_slots(cluster, 6, nurse="Mona",
                                                     school=OTHER_SCHOOL)]
    cookie = _session(cluster.base_url, "Noah")
    noah = _patient_id(cluster, "Noah")
    booked: list[int] = []
    from digihelse.core.timeutil import to_oslo

    day = to_oslo(cluster.sql("SELECT start_at FROM slot WHERE id = :s",
                              s=slots[3])[0][0]).date().isoformat()

    def book(slot_id: int) -> int:
        with httpx.Client(base_url=cluster.base_url, timeout=60,
                          cookies={SESSION_COOKIE: cookie}) as http:
            response = http.post(f"{API}/Appointment", headers=FHIR_JSON, json=_appointment(
                slot_id, noah, f"redis-{uuid.uuid4().hex[:8]}"))
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    nurse = login(cluster.base_url, "Mona", personnel=True)
    try:
        # A tab that stays open through the restart: its state in Redis is lost with it.
        open_through = _nurse_day_tab(cluster, nurse, day)
        booked.append(book(slots[0]))
        cluster.redis.kill()  # kill -9: the tabs' state goes with it (no persistence here)
        booked.append(book(slots[1]))  # the API needs no Redis
        cluster.redis.start()  # the same port, empty
        booked.append(book(slots[2]))
        rows = cluster.sql("SELECT id FROM booking WHERE id = ANY(:ids) AND status = 'booked'",
                           ids=booked)
        assert sorted(r[0] for r in rows) == sorted(booked)

        # A tab connecting afresh sees the day, and so does the one that stayed open (its
        # next event loads the page again); a booking reaches both live.
        fresh = _nurse_day_tab(cluster, nurse, day)
        try:
            book(slots[3])
            _reaches(fresh, "Noah")
            _reaches(open_through, "Noah")
        finally:
            fresh.close()
            open_through.close()
    finally:
        nurse.close()
