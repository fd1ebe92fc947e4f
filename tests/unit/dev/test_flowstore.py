"""The test providers' flow state in the database (digihelse_dev/providers/flowstore.py):
what is single use stays single use when several workers race for it, on SQLite and PostgreSQL,
and keys and secrets made at the same moment by two workers end as one."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from digihelse_dev.providers.flowstore import (
    EndedSession,
    FlowStore,
    stored_key,
    stored_secret,
    sweep_expired,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from digihelse.auth.attempts import consume_attempt, mark_code_used, sha256_hex, store_attempt
from digihelse.auth.keys import generate_rsa_key
from digihelse.auth.models import (
    LoginAttempt,
    ProviderCode,
    ProviderMarker,
    ProviderRequest,
    SigningKey,
)
from digihelse.core import db

ISSUER = "http://localhost:8000/idp"
NOW = 1_700_000_000.0
RACERS = 8

pytestmark = pytest.mark.postgres


def race(calls: int, action: Callable[[int], object], engine=None) -> list[object]:
    """Run `action` in `calls` threads released at one moment, as workers would; with
    `engine`, each thread holds an open connection first, so none starts late."""
    barrier = threading.Barrier(calls)
    warm = threading.Barrier(calls)

    def run(i: int) -> object:
        if engine is not None:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
                warm.wait()  # all connections exist at once, so the pool keeps them
        barrier.wait()
        return action(i)

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(run, range(calls)))


def _code(store: FlowStore, code: str = "the-code", client_id: str = "digihelse") -> None:
    store.put_code(code, client_id, {"nonce": "n"}, NOW + 60, NOW)


def test_a_code_raced_by_many_workers_is_redeemed_exactly_once(engine):
    store = FlowStore(ISSUER, engine)
    _code(store)
    outcomes = race(RACERS, lambda _: store.spend_code("the-code", "digihelse", NOW).status,
                    engine)
    assert Counter(outcomes) == {"ok": 1, "reused": RACERS - 1}


def test_a_reused_code_revokes_the_access_token_it_gave(engine):
    store = FlowStore(ISSUER, engine)
    _code(store)
    assert store.spend_code("the-code", "digihelse", NOW).status == "ok"
    store.note_access_token("the-code", "access-jti", NOW + 300)
    assert not store.is_marked("revoked", "access-jti", NOW)
    assert store.spend_code("the-code", "digihelse", NOW).status == "reused"
    assert store.is_marked("revoked", "access-jti", NOW)
    # A third try changes nothing and fails the same way.
    assert store.spend_code("the-code", "digihelse", NOW).status == "reused"


def test_a_code_is_not_spent_by_another_client_nor_after_it_expired(engine):
    store = FlowStore(ISSUER, engine)
    _code(store)
    assert store.spend_code("the-code", "other", NOW).status == "other_client"
    assert store.spend_code("the-code", "digihelse", NOW + 60).status == "unknown"
    assert store.spend_code("the-code", "digihelse", NOW).status == "ok"


def test_a_pushed_request_uri_raced_by_many_workers_opens_one_login(engine):
    store = FlowStore(ISSUER, engine)
    store.put_request("urn:x", "pushed", {"client_id": "digihelse"}, NOW + 60, NOW)
    taken = race(RACERS, lambda _: store.take_request("urn:x", "pushed", NOW), engine)
    assert taken.count({"client_id": "digihelse"}) == 1 and taken.count(None) == RACERS - 1


def test_a_login_form_raced_by_many_workers_is_submitted_once(engine):
    store = FlowStore(ISSUER, engine)
    store.put_request("form-id", "login", {"state": "s"}, NOW + 60, NOW)
    # Showing the page again (a wrong pid) does not use the request up.
    assert store.get_request("form-id", "login", NOW) == {"state": "s"}
    taken = race(RACERS, lambda _: store.take_request("form-id", "login", NOW), engine)
    assert sum(t is not None for t in taken) == 1
    assert store.get_request("form-id", "login", NOW) is None


def test_a_request_of_one_kind_or_provider_is_not_taken_as_another(engine):
    store = FlowStore(ISSUER, engine)
    other = FlowStore("http://localhost:8000/helseid", engine)
    store.put_request("key", "pushed", {"a": 1}, NOW + 60, NOW)
    assert store.take_request("key", "login", NOW) is None
    assert other.take_request("key", "pushed", NOW) is None
    assert store.take_request("key", "pushed", NOW + 60) is None  # expired: gone, refused
    assert store.take_request("key", "pushed", NOW) is None


def test_a_client_assertion_jti_raced_by_many_workers_is_accepted_once(engine):
    store = FlowStore(ISSUER, engine)
    marked = race(RACERS, lambda _: store.mark_once("jti", "digihelse\x00j1", NOW + 60, NOW),
                  engine)
    assert marked.count(True) == 1
    # Once it has expired the marker is swept; the assertion itself is refused by then.
    assert store.mark_once("jti", "digihelse\x00j1", NOW + 120, NOW + 61)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(st.tuples(st.sampled_from(["digihelse", "other"]),
                                   st.integers(min_value=0, max_value=90)),
                         min_size=1, max_size=6))
def test_whatever_the_attempts_a_code_gives_tokens_at_most_once(engine, attempts):
    """Codes live 60 s; any sequence of redemptions by its client and another, at any
    time, gives "ok" at most once, and never after its own client has tried."""
    store = FlowStore(ISSUER, engine)
    code = f"code-{time.monotonic_ns()}"
    _code(store, code)
    tried = False
    oks = 0
    for client_id, offset in sorted(attempts, key=lambda a: a[1]):
        status = store.spend_code(code, client_id, NOW + offset).status
        if status == "ok":
            oks += 1
            assert not tried and client_id == "digihelse" and offset < 60
        if client_id == "digihelse":
            tried = True
    assert oks <= 1


def test_two_workers_making_a_key_at_once_end_with_one(engine):
    owner = "client:citizen:digihelse"

    def make() -> tuple[str, str]:
        key = generate_rsa_key()
        return key.kid, key.private_pem

    keys = race(4, lambda _: stored_key(engine, owner, make))
    assert len(set(keys)) == 1
    with db.session(engine) as s:
        rows = s.exec(select(func.count()).select_from(SigningKey)
                      .where(SigningKey.owner == owner)).one()
    assert rows == 1


def test_two_workers_making_a_secret_at_once_share_it(engine):
    made = iter(range(100))
    values = race(RACERS, lambda _: stored_secret(engine, "salt", lambda: f"v{next(made)}"))
    assert len(set(values)) == 1


def test_provider_keys_are_made_once_and_rotation_is_seen_by_every_worker(engine):
    def make() -> tuple[str, str]:
        key = generate_rsa_key()
        return key.kid, key.private_pem

    first, second = FlowStore(ISSUER, engine), FlowStore(ISSUER, engine)
    started = race(2, lambda i: (first, second)[i].signing_keys(make))
    assert started[0] == started[1] and len(started[0]) == 2
    first.rotate_keys(make)
    after = second.signing_keys(make)
    assert len(after) == 3 and after[1:] == started[0]  # the newest generation first
    for _ in range(3):
        first.rotate_keys(make)
    assert len(second.signing_keys(make)) == 4  # active, next and two retired are kept


def test_the_sweep_removes_expired_rows_only(engine):
    store = FlowStore(ISSUER, engine)
    store.put_request("old", "login", {}, NOW + 10, NOW)
    store.put_request("new", "login", {}, NOW + 100, NOW)
    _code(store, "c")  # expires at NOW + 60
    store.mark_once("jti", "j", NOW + 10, NOW)
    assert sweep_expired(NOW + 30, engine) == 2
    with db.session(engine) as s:
        assert [r.key_hash for r in s.exec(select(ProviderRequest))] != []
        assert len(s.exec(select(ProviderRequest)).all()) == 1
        assert len(s.exec(select(ProviderCode)).all()) == 1
        assert s.exec(select(ProviderMarker)).all() == []


def test_the_background_job_sweeps_what_nobody_touched(engine, monkeypatch):
    from digihelse import background

    monkeypatch.setattr(db, "get_engine", lambda: engine)
    store = FlowStore(ISSUER, engine)
    now = time.time()
    store.put_request("left-open", "login", {}, now - 1, now - 100)
    store.put_request("still-open", "login", {}, now + 600, now - 100)
    assert background.sweep_login_flows() == 1
    assert store.get_request("still-open", "login", now) == {}


def test_a_provider_session_follows_its_browser_and_ends_once(engine):
    store = FlowStore(ISSUER, engine)
    sid, cookie = store.session_for(None, "11111111111", "digihelse", NOW, 3600)
    again = store.session_for(cookie, "11111111111", "other-client", NOW + 10, 3600)
    assert again == (sid, cookie)
    # Another person in the same browser gets a new session; the old one is gone.
    new_sid, new_cookie = store.session_for(cookie, "22222222222", "digihelse", NOW + 20,
                                            3600)
    assert new_sid != sid and new_cookie != cookie
    assert store.end_session(None, sid, NOW + 30).clients is None
    ended = race(RACERS, lambda _: store.end_session(new_cookie, None, NOW + 30), engine)
    assert [e.clients for e in ended].count(["digihelse"]) == 1
    assert store.end_session(new_cookie, None, NOW + 30) == EndedSession(None, None)


# -- our own side: the relying party's attempts and redeemed codes --------------------


def test_our_login_attempt_raced_by_many_workers_is_finished_once(engine):
    now = time.time()
    store_attempt(engine, LoginAttempt(state_hash=sha256_hex("state"), provider="citizen",
                                       nonce="n", code_verifier="v",
                                       expires_at=dt.datetime.fromtimestamp(now + 600, dt.UTC)),
                  now)
    taken = race(RACERS, lambda _: consume_attempt(engine, sha256_hex("state")), engine)
    assert sum(t is not None for t in taken) == 1


def test_a_code_raced_to_our_callback_by_many_workers_is_redeemed_once(engine):
    marked = race(RACERS, lambda _: mark_code_used(engine, sha256_hex("code"), time.time()),
                  engine)
    assert marked.count(True) == 1
