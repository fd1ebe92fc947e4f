"""Unit-test fixtures: a real, migrated database in a temporary folder: SQLite, and for
tests marked `postgres` PostgreSQL as well (tests/postgres.py starts a throwaway server)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

from digihelse.core import db
from digihelse.core.timeutil import OSLO

# No deadline: a property test must fail on a wrong answer, never on a slow machine (the
# first example pays for imports and a cold cache, and CI shares two cores).
hypothesis_settings.register_profile("digihelse", deadline=None)
hypothesis_settings.load_profile("digihelse")

BACKENDS = ("sqlite", "postgresql")
# UTC+14 and UTC-11: at any moment one of them has a date that is not Oslo's.
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


def pytest_configure(config):
    """Run the tests in a time zone whose date is not Oslo's right now: a test (or code)
    that takes the machine's date (date.today()) where Oslo's is meant (today_oslo())
    then fails on every run, not only on a UTC machine between 23:00 and 24:00."""
    oslo = dt.datetime.now(OSLO).date()
    os.environ["TZ"] = next(zone for zone in FAR_ZONES
                            if dt.datetime.now(ZoneInfo(zone)).date() != oslo)
    time.tzset()
    # Tests log in hundreds of times a minute from one address; the tests of the limits
    # themselves set low ones (tests/integration/test_rate_limits.py).
    for name in ("DIGIHELSE_RATE_LOGIN", "DIGIHELSE_RATE_FHIR_READ",
                 "DIGIHELSE_RATE_FHIR_WRITE", "DIGIHELSE_RATE_SOCKET_CONNECT",
                 "DIGIHELSE_RATE_BOOKING"):
        os.environ.setdefault(name, "100000/minute")


def pytest_generate_tests(metafunc):
    """Tests marked `postgres` run once per database; the rest on SQLite only."""
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("postgres"):
        metafunc.parametrize("engine", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    from tests.postgres import PostgresServer

    server = PostgresServer()
    server.start()
    yield server
    server.stop()


def _migrated_sqlite(path) -> None:
    url = f"sqlite:///{path}"
    db.migrate(url)
    eng = db.make_engine(url)
    # New tables get their migration when their feature lands; until then they are
    # created here (test_migrations_match_models tells which are still missing).
    from sqlmodel import SQLModel

    import digihelse.models  # noqa: F401

    SQLModel.metadata.create_all(eng)
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> dict[str, object]:
    """SQLite files migrated once per run (and one seeded with the demo data): a test's
    database is a copy, which takes a millisecond where migrating takes most of a second."""
    folder = tmp_path_factory.mktemp("templates")
    migrated, seeded = folder / "migrated.db", folder / "seeded.db"
    _migrated_sqlite(migrated)
    shutil.copy(migrated, seeded)
    from digihelse_dev.seed import seed

    eng = db.make_engine(f"sqlite:///{seeded}")
    with db.session(eng) as s:
        seed(s)
    eng.dispose()
    return {"migrated": migrated, "seeded": seeded}


@pytest.fixture
def engine(request, tmp_path):
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(migrated=True)
        _create_missing_tables(url)
    else:
        templates = request.getfixturevalue("sqlite_templates")
        kind = "seeded" if "seeded" in request.fixturenames else "migrated"
        path = tmp_path / "test.db"
        shutil.copy(templates[kind], path)
        url = f"sqlite:///{path}"
    eng = db.make_engine(url)
    yield eng
    eng.dispose()
    if backend == "postgresql":
        server.drop_database(url)


def _create_missing_tables(url: str) -> None:
    from sqlmodel import SQLModel

    import digihelse.models  # noqa: F401

    eng = db.make_engine(url)
    SQLModel.metadata.create_all(eng)
    eng.dispose()


@pytest.fixture
def seeded(engine):
    """The demo persons by key. On SQLite the database is a copy of the seeded template,
    so this idempotent re-run of the seed only finds them."""
    from digihelse_dev.seed import seed

    with db.session(engine) as s:
        persons = seed(s)
    return persons


@pytest.fixture
def world(engine, seeded):
    """The seeded school with Kari's weekly hours (tests.factories.World)."""
    from tests.factories import make_world

    return make_world(engine, seeded)
