"""The FHIR R4 routes: one dispatcher under /fhir/R4/ that authenticates the caller, finds
the handler for the resource type and interaction in one table, runs it off the event loop,
and turns every refusal into an OperationOutcome.

    GET    /fhir/R4/metadata              CapabilityStatement (no login needed)
    GET    /fhir/R4/$bulk-publish         SMART Scheduling Links manifest (no login), and
    GET    /fhir/R4/bulk/<kind>.ndjson    its Location, Schedule and Slot files
    (Communication: secure messages, http/fhir/communication.py)
    GET    /fhir/R4/{type}?params         search-type: a paged searchset Bundle
    POST   /fhir/R4/{type}                create
    GET    /fhir/R4/{type}/{id}           read
    PUT    /fhir/R4/{type}/{id}           update
    PATCH  /fhir/R4/{type}/{id}           patch (JSON Patch)
    POST   /fhir/R4/{type}/${operation}   a type-level operation (Appointment $find, $hold,
                                          $book: IHE ITI Scheduling); $find also with GET"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from importlib import metadata as importlib_metadata

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from digihelse.access.actors import AccessDenied
from digihelse.auth.runtime import AuthRuntime
from digihelse.booking.errors import BookingError
from digihelse.core.db import get_engine
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import utcnow
from digihelse.healthcard.service import CardError
from digihelse.http.fhir import (
    appointment,
    bulk_publish,
    communication,
    directory,
    patient,
    pregnancy,
    scheduling,
)
from digihelse.http.fhir.auth import authenticate
from digihelse.http.fhir.capability import capability_statement
from digihelse.http.fhir.context import Ctx, ResourceSpec
from digihelse.http.fhir.outcome import FhirError, error_response, fhir_response, not_found
from digihelse.http.fhir.search import Query

log = logging.getLogger(__name__)

PREFIX = "/fhir/R4"
MAX_BODY = 64 * 1024
SPECS: tuple[ResourceSpec, ...] = (
    patient.SPEC, *directory.SPECS,
    replace(appointment.SPEC, operations=scheduling.OPERATIONS,
            operation_definitions=scheduling.DEFINITIONS),
    *pregnancy.SPECS, communication.SPEC)
_BY_TYPE = {spec.type: spec for spec in SPECS}
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")

# (method, with an id) -> FHIR interaction
_INTERACTIONS = {
    ("GET", False): "search-type",
    ("POST", False): "create",
    ("GET", True): "read",
    ("PUT", True): "update",
    ("PATCH", True): "patch",
}


def _software_version() -> str:
    try:
        return importlib_metadata.version("digihelse")
    except importlib_metadata.PackageNotFoundError:
        return "0"


def _allow(spec: ResourceSpec, with_id: bool) -> str:
    methods = [method for (method, has_id), name in _INTERACTIONS.items()
               if has_id == with_id and name in spec.interactions]
    return ", ".join(methods)


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 past MAX_BODY however it is sent."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise FhirError(413, "The body is too large.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise FhirError(413, "The body is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


# What a write may be told as 403: about what the caller may do here, never about the
# person (her age, her card, her address). Every other refusal is the 404 of an unknown id.
_SAYABLE = frozenset({"action_not_allowed", "view_only", "role_not_permitted",
                      "not_your_place", "login_level", "personnel_cannot_book",
                      "personnel_only"})


def refusal(method: str, exc: AccessDenied) -> FhirError:
    """A refusal that reveals nothing: reads and searches get the unknown id's 404, writes
    a plain 403 only for reasons about the caller. The reason itself goes to the log."""
    log.info("FHIR %s refused: %s", method, exc.code)
    if method != "GET" and exc.code in _SAYABLE:
        return FhirError(403, "You may not do this.", code="forbidden")
    return not_found()


class FhirApi:
    """The dispatcher; `runtime` gives the providers whose bearer tokens are accepted."""

    def __init__(self, runtime: AuthRuntime) -> None:
        self.runtime = runtime
        self.base = f"{runtime.settings.public_url}{PREFIX}"

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return [Route(f"{PREFIX}/metadata", self.metadata, methods=["GET"]),
                Route(f"{PREFIX}/$bulk-publish", self.bulk_manifest, methods=["GET"]),
                Route(PREFIX + "/bulk/{kind}.ndjson", self.bulk_file, methods=["GET"]),
                Route(PREFIX, self.dispatch, methods=methods),
                Route(PREFIX + "/{path:path}", self.dispatch, methods=methods)]

    async def metadata(self, _request: Request) -> Response:
        statement = capability_statement(self.base, SPECS, _software_version())
        return fhir_response(statement)

    async def bulk_manifest(self, _request: Request) -> Response:
        """SMART Scheduling Links: public, like metadata (no personal data)."""
        return JSONResponse(bulk_publish.manifest(self.base, utcnow()),
                            headers={"Cache-Control": "no-store"})

    async def bulk_file(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in bulk_publish.KINDS:
            return error_response(not_found())
        rows = await asyncio.to_thread(
            bulk_publish.resources, get_engine(), kind,
            public_url=self.runtime.settings.public_url, now=utcnow(),
            settings=get_settings().booking)
        return Response(bulk_publish.ndjson(rows), media_type="application/fhir+ndjson",
                        headers={"Cache-Control": "no-store"})

    async def dispatch(self, request: Request) -> Response:
        try:
            return await self._dispatch(request)
        except FhirError as exc:
            return error_response(exc)
        except AccessDenied as exc:
            return error_response(refusal(request.method, exc))
        except (BookingError, CardError) as exc:
            code = getattr(exc, "code", "error")
            if code in ("not_found", "card_not_found", "item_not_found"):
                return error_response(not_found())
            return error_response(FhirError(422, f"Refused ({code}).", code="processing"))
        except Exception:
            log.exception("FHIR request failed: %s %s", request.method, request.url.path)
            return error_response(FhirError(500, "Something went wrong on our side."))

    async def _dispatch(self, request: Request) -> Response:
        parts = [p for p in request.path_params.get("path", "").split("/") if p]
        if not parts or len(parts) > 2:
            raise FhirError(404, "Not a supported FHIR path: use /fhir/R4/<type>[/<id>].",
                            code="not-supported")
        if parts == ["metadata"]:
            raise FhirError(405, "metadata is read with GET.", headers={"Allow": "GET"})
        spec = _BY_TYPE.get(parts[0])
        if spec is None:
            raise FhirError(404, f"The resource type {parts[0]!r} is not supported here.",
                            code="not-supported")
        with_id = len(parts) == 2
        if with_id and parts[1].startswith("$"):
            return await self._operation(request, spec, parts[1])
        if with_id and not _ID.fullmatch(parts[1]):
            raise FhirError(400, f"{parts[1]!r} is not a resource id.")
        interaction = _INTERACTIONS.get((request.method, with_id))
        handler = spec.interactions.get(interaction) if interaction else None
        if handler is None:
            raise FhirError(405, f"{request.method} is not supported on {spec.type}"
                                 f"{'/<id>' if with_id else ''}.",
                            headers={"Allow": _allow(spec, with_id)})
        actor = await authenticate(request, self.runtime)
        body = await _body(request) if request.method in ("POST", "PUT", "PATCH") else b""
        query = Query(list(request.query_params.multi_items()))
        ctx = Ctx(actor=actor, base=self.base, query=query, headers=request.headers,
                  body=body, engine=get_engine(), now=utcnow(), booking=get_settings().booking,
                  resource_id=parts[1] if with_id else None)
        result = await asyncio.to_thread(handler, ctx)
        return fhir_response(result.resource, result.status, result.headers)


    async def _operation(self, request: Request, spec: ResourceSpec, name: str) -> Response:
        handler = spec.operations.get(name)
        if handler is None:
            raise FhirError(404, f"{spec.type} has no operation {name!r}.", code="not-supported")
        if request.method != "POST" and not (request.method == "GET" and name == "$find"):
            raise FhirError(405, f"{name} is invoked with POST.", headers={"Allow": "POST"})
        actor = await authenticate(request, self.runtime)
        body = await _body(request) if request.method == "POST" else b""
        query = Query(list(request.query_params.multi_items()))
        ctx = Ctx(actor=actor, base=self.base, query=query, headers=request.headers, body=body,
                  engine=get_engine(), now=utcnow(),
                  booking=get_settings().booking)
        result = await asyncio.to_thread(handler, ctx)
        return fhir_response(result.resource, result.status, result.headers)


def fhir_routes(runtime: AuthRuntime) -> list[BaseRoute]:
    """The routes for build_api: `routes += fhir_routes(runtime)`."""
    return FhirApi(runtime).routes()
