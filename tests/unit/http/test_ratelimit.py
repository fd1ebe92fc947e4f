"""The limits count per rule and caller, and open (never 500) when Redis is down."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from digihelse.core.settings import load_settings
from digihelse.http.ratelimit import RateLimits


def _client(**env: str) -> TestClient:
    async def ok(_request):
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/auth/login", ok), Route("/hjem", ok)])
    settings = load_settings({"DIGIHELSE_RATE_LOGIN": "2/minute", **env})
    return TestClient(RateLimits(app, settings=settings))


def test_past_the_limit_429_and_other_paths_untouched():
    client = _client()
    assert [client.get("/auth/login").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/hjem").status_code == 200


def test_with_redis_down_the_limits_open():
    client = _client(REFLEX_REDIS_URL="redis://127.0.0.1:1")
    assert [client.get("/auth/login").status_code for _ in range(3)] == [200, 200, 200]
