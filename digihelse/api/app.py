"""The HTTP routes beside the Reflex pages: health, login, the test providers, FHIR."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from digihelse.api.health import healthz


def build_api() -> Starlette:
    routes = [Route("/healthz", healthz, methods=["GET"])]
    return Starlette(routes=routes)
