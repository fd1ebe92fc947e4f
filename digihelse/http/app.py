"""The HTTP routes beside the Reflex pages: health, login, and the test providers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from digihelse.core.settings import Settings, get_settings
from digihelse.http.calendar import booking_calendar
from digihelse.http.csp import ContentSecurityPolicy
from digihelse.http.health import healthz
from digihelse.http.loopback import LoopbackHost
from digihelse.http.ratelimit import RateLimits
from digihelse.http.security import SecurityHeaders


def build_api(settings: Settings | None = None) -> Starlette:
    from digihelse.auth.runtime import build_auth_runtime
    from digihelse.http.auth import AuthRoutes
    from digihelse.http.passkey import PasskeyRoutes

    settings = settings or get_settings()
    runtime = build_auth_runtime(settings)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/timer/{booking_id:int}.ics", booking_calendar, methods=["GET"]),
    ]
    routes += AuthRoutes(runtime).routes()
    routes += PasskeyRoutes(runtime).routes()
    from digihelse.http.push import PushRoutes

    routes += PushRoutes(runtime).routes()
    for provider in runtime.providers:
        routes += provider.routes()
    from digihelse.http.fhir.routes import fhir_routes

    routes += fhir_routes(runtime)
    from digihelse.http.maternity_record import maternity_record_routes

    routes += maternity_record_routes(runtime)  # GET /api/maternity-record/{Patient id}
    app = Starlette(routes=routes, middleware=[
        Middleware(LoopbackHost, settings=settings),
        Middleware(RateLimits, settings=settings),
        Middleware(SecurityHeaders, hsts=settings.cookie_secure),
        Middleware(ContentSecurityPolicy)])
    app.state.auth = runtime
    return app
