"""The access log: append-only in the database, hash-chained, and verifiable."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from digihelse.audit.log import Entry, append, verify
from digihelse.core import db

pytestmark = pytest.mark.postgres


def _fill(engine, n=5):
    for i in range(n):
        with db.write_session(engine) as s:
            append(s, Entry(action="read", object_type="appointment", object_id=str(i),
                            actor_pid="08891267437", actor_role="citizen",
                            subject_pid="08891267437"))


def test_an_untouched_chain_verifies(engine):
    _fill(engine)
    with db.session(engine) as s:
        report = verify(s)
    assert report.ok and report.rows == 5


@pytest.mark.parametrize("statement", [
    "UPDATE access_log SET outcome = 'denied' WHERE id = 2",
    "DELETE FROM access_log WHERE id = 3",
])
def test_the_database_refuses_update_and_delete(engine, statement):
    _fill(engine)
    with pytest.raises(DatabaseError, match="append-only"), db.write_session(engine) as s:
        s.exec(text(statement))


def test_no_insert_replaces_a_row_or_breaks_the_chain(engine):
    """INSERT OR REPLACE with an existing id (SQLite) and an insert that does not link to
    the last row are refused, as UPDATE and DELETE are."""
    from digihelse.audit.models import AccessLog

    _fill(engine)
    statement = ("INSERT OR REPLACE INTO access_log SELECT * FROM access_log WHERE id = 2"
                 if engine.dialect.name == "sqlite" else
                 "INSERT INTO access_log SELECT * FROM access_log WHERE id = 2")
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with pytest.raises(DatabaseError, match="append-only"), db.write_session(engine) as s:
        s.add(AccessLog(actor_role="citizen", object_type="appointment", action="read",
                        channel="web", outcome="ok", prev_hash="1" * 64, row_hash="2" * 64))
        s.flush()
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE access_log")
    with db.session(engine) as s:
        assert verify(s).ok and verify(s).rows == 5


def _tamper(engine, statement):
    # An attacker with file access could drop the trigger; the chain still tells.
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER access_log_append_only ON access_log")
        else:
            conn.exec_driver_sql("DROP TRIGGER access_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER access_log_no_delete")
        conn.exec_driver_sql(statement)


@pytest.mark.parametrize("statement,bad_id", [
    ("UPDATE access_log SET subject_pid = '01010750160' WHERE id = 2", 2),
    ("DELETE FROM access_log WHERE id = 3", 4),
    ("UPDATE access_log SET row_hash = substr(row_hash, 2) || '0' WHERE id = 4", 4),
])
def test_tampering_is_found_by_verify(engine, statement, bad_id):
    _fill(engine)
    _tamper(engine, statement)
    with db.session(engine) as s:
        report = verify(s)
    assert not report.ok and report.first_bad_id == bad_id


def test_concurrent_writers_keep_one_unbroken_chain(engine):
    """Twenty transactions append at once, each on its own connection: the chain must not
    fork (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    writers = 20
    engines = [db.make_engine(str(engine.url)) for _ in range(writers)]
    barrier = threading.Barrier(writers)

    def write(own):
        barrier.wait()
        _fill(own, n=3)

    try:
        with ThreadPoolExecutor(max_workers=writers) as pool:
            list(pool.map(write, engines))
    finally:
        for own in engines:
            own.dispose()
    with db.session(engine) as s:
        report = verify(s)
    assert report.ok and report.rows == writers * 3


def _drop_triggers(engine):
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER access_log_append_only ON access_log")
            conn.exec_driver_sql("DROP TRIGGER access_log_insert_appends ON access_log")
        else:
            for name in ("no_update", "no_delete", "insert_appends"):
                conn.exec_driver_sql(f"DROP TRIGGER access_log_{name}")


def test_a_chain_rebuilt_without_the_key_is_found(engine):
    """Rows rewritten and re-linked by someone with the database but not the key: plain
    SHA-256 links, or HMACs with a key of his own, do not verify."""
    from sqlmodel import select

    from digihelse.audit.log import GENESIS
    from digihelse.audit.models import AccessLog

    _fill(engine)
    with db.write_session(engine) as s:
        from digihelse.audit.log import checkpoint

        checkpoint(s)
    _drop_triggers(engine)
    with db.write_session(engine) as s:
        prev = GENESIS
        for row in s.exec(select(AccessLog).order_by(AccessLog.id)).all():
            row.subject_pid, row.prev_hash = "01010750160", prev
            row.row_hash = row_hash_with(prev, row, b"his own key")
            prev = row.row_hash
    with db.session(engine) as s:
        report = verify(s)
    assert not report.ok and report.first_bad_id == 1


def row_hash_with(prev, row, key):
    from digihelse.audit.log import row_hash

    return row_hash(prev, row, key)


def test_a_cut_off_tail_is_found_by_the_checkpoint(engine):
    from digihelse.audit.log import checkpoint

    _fill(engine)
    with db.write_session(engine) as s:
        point = checkpoint(s)
    assert point is not None and point.rows == 5
    _drop_triggers(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM access_log WHERE id >= 4")
    with db.session(engine) as s:
        report = verify(s)
    assert not report.ok and "since the latest checkpoint" in report.problem


def test_a_forged_checkpoint_is_found(engine):
    from digihelse.audit.log import checkpoint

    _fill(engine)
    with db.write_session(engine) as s:
        checkpoint(s)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER audit_checkpoint_append_only ON audit_checkpoint")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_checkpoint_no_update")
        conn.exec_driver_sql("UPDATE audit_checkpoint SET rows = 3")
    with db.session(engine) as s:
        report = verify(s)
    assert not report.ok and report.problem == "the latest checkpoint is not ours"
