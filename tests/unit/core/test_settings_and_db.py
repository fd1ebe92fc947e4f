"""Settings from the environment, the refusals that keep production safe, the database
pragmas, /healthz, and the demo data."""

import dataclasses
import datetime as dt
import shutil
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from digihelse.core import db
from digihelse.core.settings import SettingsError, load_settings
from digihelse.core.timeutil import today_oslo
from digihelse.people.models import ParentChild, Person, Personnel, Place
from digihelse.people.nin import age_on, parse_nin


def test_defaults_are_for_local_use():
    s = load_settings({})
    assert s.port == 8000 and s.public_url == "http://localhost:8000"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("digihelse.db")
    assert s.test_providers
    assert s.citizen_oidc.issuer == "http://localhost:8000/idp" and s.citizen_oidc.embedded
    assert s.personnel_oidc.issuer == "http://localhost:8000/helseid"
    assert s.citizen_oidc.acr == "idporten-loa-substantial"
    assert s.session_idle_seconds == 1800 and s.session_absolute_seconds == 7200
    assert s.session_cookie_name == "digihelse_session"


def test_port_and_database_url_come_from_the_environment():
    s = load_settings({"PORT": "9001", "DATABASE_URL": "postgresql://u@localhost/dh"})
    assert s.public_url == "http://localhost:9001"
    assert s.database_url == "postgresql://u@localhost/dh"


def test_https_public_url_gets_a_host_prefixed_secure_cookie():
    s = load_settings({"DIGIHELSE_PUBLIC_URL": "https://digihelse.example.no",
                       "DIGIHELSE_OIDC_ISSUER": "https://idporten.example.no",
                       "DIGIHELSE_OIDC_CLIENT_SECRET": "x",
                       "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
                       "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem"})
    assert s.cookie_secure and s.session_cookie_name == "__Host-digihelse_session"


def test_production_refuses_the_embedded_test_providers():
    with pytest.raises(SettingsError, match="test provider"):
        load_settings({"DIGIHELSE_ENV": "production"})
    with pytest.raises(SettingsError, match="test provider"):
        load_settings({"DIGIHELSE_ENV": "production",
                       "DIGIHELSE_OIDC_ISSUER": "http://localhost:8000/idp",
                       "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
                       "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem"})


def test_production_with_real_providers_starts_without_test_providers():
    s = load_settings({"DIGIHELSE_ENV": "production",
                       "DIGIHELSE_PUBLIC_URL": "https://digihelse.example.no",
                       "DIGIHELSE_OIDC_ISSUER": "https://idporten.example.no",
                       "DIGIHELSE_OIDC_CLIENT_SECRET": "x",
                       "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
                       "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem",
                       "DIGIHELSE_AUDIT_KEY": "k" * 32})
    assert not s.test_providers
    assert not s.citizen_oidc.embedded and not s.personnel_oidc.embedded


def test_production_needs_the_audit_key():
    with pytest.raises(SettingsError, match="DIGIHELSE_AUDIT_KEY"):
        load_settings({"DIGIHELSE_ENV": "production",
                       "DIGIHELSE_PUBLIC_URL": "https://digihelse.example.no",
                       "DIGIHELSE_OIDC_ISSUER": "https://idporten.example.no",
                       "DIGIHELSE_OIDC_CLIENT_SECRET": "x",
                       "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
                       "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem"})


def test_plain_http_issuer_only_on_loopback():
    with pytest.raises(SettingsError, match="loopback"):
        load_settings({"DIGIHELSE_OIDC_ISSUER": "http://idp.example.no",
                       "DIGIHELSE_OIDC_CLIENT_SECRET": "x"})
    s = load_settings({"DIGIHELSE_OIDC_ISSUER": "http://127.0.0.1:9000/op",
                       "DIGIHELSE_OIDC_CLIENT_SECRET": "x"})
    assert s.citizen_oidc.issuer == "http://127.0.0.1:9000/op"


def test_symmetric_or_none_algorithms_are_refused():
    with pytest.raises(SettingsError, match="asymmetric"):
        load_settings({"DIGIHELSE_OIDC_ALGORITHMS": "RS256,HS256"})


def test_timeouts_cannot_exceed_id_portens_limits():
    with pytest.raises(SettingsError, match="30 minutes"):
        load_settings({"DIGIHELSE_SESSION_IDLE_SECONDS": "3600"})
    with pytest.raises(SettingsError, match="whole number"):
        load_settings({"PORT": "eighty"})


def test_sqlite_pragmas(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(engine):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.write_session(engine) as s:
        s.add(ParentChild(parent_id=9999, child_id=9998))


def test_migrations_are_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    db.migrate(url)
    db.migrate(url)
    assert db.ping(db.make_engine(url))


def test_healthz_answers_200_when_the_database_answers(engine, monkeypatch):
    from digihelse.http.app import build_api

    monkeypatch.setattr(db, "get_engine", lambda: engine)
    response = TestClient(build_api()).get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def _closed_port() -> int:
    """A local TCP port nothing listens on: bound, then let go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sqlite_whose_folder_is_gone(tmp_path: Path) -> Engine:
    """An engine whose database answered once, then its folder was replaced by a plain
    file (a volume gone from under the service; chmod would not stop root)."""
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'digihelse.db'}"
    db.migrate(url)
    engine = db.make_engine(url)
    assert db.ping(engine)
    engine.dispose()  # the next check opens a new connection, as after a pool recycle
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    return engine


@pytest.mark.parametrize("broken", ["sqlite-folder-gone", "postgresql-port-closed"])
def test_healthz_answers_503_when_the_database_does_not(broken, tmp_path, monkeypatch):
    from digihelse.http.app import build_api

    # A real engine and driver, failing for real.
    engine = (_sqlite_whose_folder_is_gone(tmp_path) if broken.startswith("sqlite") else
              db.make_engine(f"postgresql+psycopg://dh@127.0.0.1:{_closed_port()}/dh"))
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    try:
        response = TestClient(build_api()).get("/healthz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert response.headers["cache-control"] == "no-store"


def test_demo_data_has_what_the_journeys_need(engine, seeded):
    today = today_oslo()
    with db.session(engine) as s:
        persons = {p.given_name: p for p in s.exec(select(Person))}
        ages = {name: age_on(p.birth_date, today) for name, p in persons.items()}
        assert {12, 13, 15, 16, 17} <= {ages[n] for n in ("Mia", "Sara", "Emil", "Noah", "Ella")}
        assert (ages["Emma"], ages["Jonas"], ages["Sara"]) == (3, 10, 13)
        assert ages["Maja"] == 17 and ages["Nora"] == 31
        for p in persons.values():
            nin = parse_nin(p.nin)
            assert nin.is_synthetic and nin.birth_date == p.birth_date
        per, lene = persons["Per"], persons["Lene"]
        assert per.address_key == persons["Jonas"].address_key
        assert lene.address_key != persons["Jonas"].address_key
        assert persons["Theo"].address_protection == "kode6"
        kinds = {p.kind for p in s.exec(select(Place))}
        assert {"lower_secondary", "upper_secondary", "youth_clinic"} <= kinds
        roles = sorted(w.role for w in s.exec(select(Personnel)))
        assert roles == ["gp", "midwife", "school_nurse", "school_nurse", "school_nurse"]
        assert all(w.hpr_number for w in s.exec(select(Personnel)))


def test_seeding_twice_changes_nothing_and_a_later_day_keeps_ages(engine):
    from digihelse_dev.seed import seed

    day = dt.date(2026, 11, 22)
    with db.session(engine) as s:
        seed(s, today=day)
        first = {p.given_name: p.nin for p in s.exec(select(Person))}
        seed(s, today=day)
        assert {p.given_name: p.nin for p in s.exec(select(Person))} == first
        later = day + dt.timedelta(days=400)
        seed(s, today=later)
        persons = list(s.exec(select(Person)))
        assert len(persons) == len(first)
        jonas = next(p for p in persons if p.given_name == "Jonas")
        assert age_on(jonas.birth_date, later) == 10


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_models(tmp_path, request, backend):
    """Every table and column in the models has a committed migration, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import digihelse.models  # noqa: F401

    if backend == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'schema.db'}"
    db.migrate(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models without a migration: {diff}"


def test_every_response_carries_security_headers(engine, monkeypatch):
    from digihelse.http.app import build_api

    monkeypatch.setattr(db, "get_engine", lambda: engine)
    response = TestClient(build_api()).get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_booking_limits_come_from_the_environment_and_default_to_todays():
    from digihelse.core.settings import BookingSettings

    # The one default only the environment gives: services built in code are uncapped.
    assert load_settings({}).booking == dataclasses.replace(
        BookingSettings(), rate_per_person="10/minute;50/day")
    assert load_settings({"DIGIHELSE_RATE_BOOKING": "3/minute"}).booking.rate_per_person == (
        "3/minute")
    with pytest.raises(SettingsError, match="DIGIHELSE_RATE_BOOKING must read like"):
        load_settings({"DIGIHELSE_RATE_BOOKING": "often"})
    b = load_settings({"DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES": "30",
                       "DIGIHELSE_BOOKING_CANCEL_NOTICE_MINUTES": "60",
                       "DIGIHELSE_BOOKING_MAX_ACTIVE": "4",
                       "DIGIHELSE_BOOKING_REMINDER_HOURS": "12",
                       "DIGIHELSE_BOOKING_HORIZON_DAYS": "14"}).booking
    assert (b.min_notice, b.cancel_notice, b.reminder_before) == (
        dt.timedelta(minutes=30), dt.timedelta(hours=1), dt.timedelta(hours=12))
    assert (b.max_active_future_bookings, b.horizon_days) == (4, 14)
    with pytest.raises(SettingsError, match="DIGIHELSE_BOOKING_MAX_ACTIVE must be a whole number"):
        load_settings({"DIGIHELSE_BOOKING_MAX_ACTIVE": "two"})


def test_scheduler_and_dev_switches_are_settings():
    assert load_settings({}).scheduler and not load_settings({}).dev
    assert not load_settings({"DIGIHELSE_SCHEDULER": "0"}).scheduler
    assert load_settings({"DIGIHELSE_DEV": "1"}).dev


def test_every_bad_value_is_named_at_once():
    with pytest.raises(SettingsError) as bad:
        load_settings({"PORT": "eighty", "DIGIHELSE_BOOKING_HORIZON_DAYS": "a month"})
    assert "PORT must be a whole number, not 'eighty'" in str(bad.value)
    assert "DIGIHELSE_BOOKING_HORIZON_DAYS must be a whole number" in str(bad.value)
    with pytest.raises(SettingsError) as unsafe:
        load_settings({"DIGIHELSE_SESSION_IDLE_SECONDS": "3600",
                       "DIGIHELSE_OIDC_ALGORITHMS": "HS256"})
    assert "DIGIHELSE_SESSION_IDLE_SECONDS" in str(unsafe.value)
    assert "asymmetric" in str(unsafe.value)
