"""Integration fixtures: the FHIR API over the ASGI app, on a seeded database, and the
racers for the concurrency tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from digihelse.core import db
from tests.factories import make_world
from tests.fhir_client import BASE
from tests.integration.racing import THREADS, racing_pupils


@pytest.fixture(scope="module")
def fhir_api(tmp_path_factory) -> Iterator:
    """The API on a migrated database with the demo data: schedules, free slots, two
    bookings and check-ups on the pregnancy cards. One per module, for speed: tests use
    their own persons and cancel what they book."""
    from sqlmodel import SQLModel

    import digihelse.models  # noqa: F401
    from digihelse.auth import current
    from digihelse.core import settings as settings_module

    data_dir = tmp_path_factory.mktemp("fhir")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DIGIHELSE_DATA_DIR", str(data_dir))
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("PORT", "8000")
        settings_module.get_settings.cache_clear()
        current.session_store.cache_clear()
        db.migrate()
        SQLModel.metadata.create_all(db.get_engine())
        from digihelse_dev.seed import seed, seed_demo_activity

        with db.session() as s:
            seed(s)
            seed_demo_activity(s)
        from digihelse.http.app import build_api

        api = build_api()
        # The server would call its own providers over loopback; here the calls go in directly.
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=api))
        for rp in api.state.auth.relying_parties.values():
            rp.http = http
        yield api
    settings_module.get_settings.cache_clear()
    current.session_store.cache_clear()


@pytest.fixture
def client(fhir_api) -> TestClient:
    return TestClient(fhir_api, base_url=BASE)


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """Build the API for given environment settings, on a fresh seeded database."""
    from digihelse.auth import current
    from digihelse.core import settings as settings_module

    def build(**env: str):
        monkeypatch.setenv("DIGIHELSE_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("PORT", "8000")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings_module.get_settings.cache_clear()
        current.session_store.cache_clear()
        db.migrate()
        from digihelse_dev.seed import seed

        with db.session() as s:
            seed(s)
        from digihelse.http.app import build_api

        api = build_api()
        # The server would call itself over loopback; here the calls go straight in.
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=api))
        for rp in api.state.auth.relying_parties.values():
            rp.http = http
        return TestClient(api, base_url=BASE)

    yield build
    settings_module.get_settings.cache_clear()
    current.session_store.cache_clear()


@pytest.fixture
def race(engine, seeded):
    """Kari's slots, 50 pupils at her school, and an engine per thread."""
    world = make_world(engine, seeded)
    pupils = racing_pupils(engine)
    engines = [db.make_engine(str(engine.url)) for _ in range(THREADS)]
    yield world, pupils, engines
    for e in engines:
        e.dispose()
