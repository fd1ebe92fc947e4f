"""The group-commit writer (core/writer.py): each request is all or nothing, a failing
request undoes only itself, a result is returned only once committed (another connection
sees it), nothing is lost under concurrent callers, and an idle writer that ended is
replaced without losing work."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from digihelse.core import db, writer


@pytest.fixture
def engine(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (k INTEGER PRIMARY KEY, part INTEGER NOT NULL)")
    yield eng
    eng.dispose()


class Boom(Exception):
    pass


def _request(key: int, fail: bool):
    def work(conn):
        # Two rows, then maybe a failure: a failing request must leave neither.
        conn.execute(text("INSERT INTO t (k, part) VALUES (:k, 0)"), {"k": key * 2})
        conn.execute(text("INSERT INTO t (k, part) VALUES (:k, 1)"), {"k": key * 2 + 1})
        if fail:
            raise Boom(key)
        return key
    return work


def _keys(engine) -> set[int]:
    with engine.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT k FROM t")}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(st.booleans(), min_size=1, max_size=40), threads=st.integers(1, 8))
def test_concurrent_requests_are_each_all_or_nothing(engine, requests, threads):
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM t")
    group = writer.writer_for(engine)
    answers: dict[int, object] = {}
    lock = threading.Lock()

    def caller(mine: list[tuple[int, bool]]) -> None:
        for key, fail in mine:
            try:
                answer = group.run(_request(key, fail))
            except Boom as exc:
                answer = exc
            with lock:
                answers[key] = answer

    numbered = list(enumerate(requests))
    workers = [threading.Thread(target=caller, args=(numbered[i::threads],))
               for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    ok = {key for key, fail in numbered if not fail}
    assert set(answers) == {key for key, _ in numbered}  # every caller answered
    assert all(answers[key] == key for key in ok)
    assert all(isinstance(answers[key], Boom) for key, fail in numbered if fail)
    assert _keys(engine) == {k for key in ok for k in (key * 2, key * 2 + 1)}


def test_a_result_is_committed_when_it_is_returned(engine):
    group = writer.writer_for(engine)
    assert group.run(_request(1, False)) == 1
    other = db.make_engine(str(engine.url))  # another connection, as another worker
    try:
        with other.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    finally:
        other.dispose()


def test_a_failed_commit_fails_every_caller_of_the_batch(engine, monkeypatch):
    group = writer.writer_for(engine)

    def broken(conn):
        conn.exec_driver_sql("INSERT INTO t (k, part) VALUES (99, 0)")
        # A deferred foreign-key style failure at COMMIT: break the COMMIT itself.
        conn.connection.driver_connection.execute("COMMIT")  # ends the batch's transaction
        return "done"

    with pytest.raises(Exception):  # noqa: B017 - whatever SQLite says about it
        group.run(broken)
    assert group.run(_request(5, False)) == 5  # the writer goes on


def test_an_idle_writer_ends_and_a_new_one_takes_over(engine, monkeypatch):
    monkeypatch.setattr(writer, "IDLE_SECONDS", 0.05)
    first = writer.writer_for(engine)
    first.run(_request(1, False))
    first._thread.join(timeout=5)
    assert first.closed and not first._thread.is_alive()
    assert first.run(_request(2, False)) == 2  # handed to its successor
    second = writer.writer_for(engine)
    assert second is not first and not second.closed
    assert _keys(engine) == {2, 3, 4, 5}


def test_the_writer_cannot_wait_for_itself(engine):
    group = writer.writer_for(engine)
    with pytest.raises(RuntimeError):
        group.run(lambda conn: group.run(lambda c: None))


def test_other_databases_write_on_their_own(tmp_path):
    memory = db.make_engine("sqlite://")
    assert writer.writer_for(memory) is None


def test_a_thread_inside_its_own_write_transaction_is_told_not_left_waiting(engine):
    group = writer.writer_for(engine)
    with db.transaction(engine), pytest.raises(RuntimeError):
        group.run(_request(7, False))
