"""GET /api/maternity-record/{Patient id}: the woman's pregnancy card as one JSON document in
the shape of NHN's HIT Maternity Record (healthcard/maternity_record.py), for the woman
herself and her midwife or GP.

The caller is authenticated as on the FHIR API (the session cookie or a bearer access
token), the patient is named by her FHIR Patient id, and the card's own rules decide
(healthcard.guard: the same check and the same access-log row as reading the card). Every
refusal, of whatever kind, is the same 404: it tells nothing of the woman or her card."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from digihelse.access.actors import AccessDenied
from digihelse.auth.runtime import AuthRuntime
from digihelse.core import db
from digihelse.core.db import get_engine
from digihelse.healthcard.errors import CardError
from digihelse.healthcard.maternity_record import export_record
from digihelse.http.fhir.auth import authenticate
from digihelse.http.fhir.outcome import NOT_FOUND_TEXT, FhirError
from digihelse.http.fhir.patient import person_by_id

log = logging.getLogger(__name__)

PATH = "/api/maternity-record/{patient_id}"
_HEADERS = {"Cache-Control": "no-store"}


def _error(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": text}, status_code=status,
                        headers={**_HEADERS, **(headers or {})})


def not_found() -> Response:
    return _error(404, NOT_FOUND_TEXT)


def _export(patient_id: str, actor) -> dict | None:
    with db.session(get_engine()) as s:
        woman = person_by_id(s, patient_id)
        pid = woman.nin if woman is not None else None
    if pid is None:
        return None
    # A citizen reads as herself (acting_for her own pid), as the FHIR API does.
    caller = actor if actor.is_personnel else actor.acting_for(pid)
    return export_record(get_engine(), caller, pid)


class MaternityRecordRoutes:
    def __init__(self, runtime: AuthRuntime) -> None:
        self.runtime = runtime

    def routes(self) -> list[BaseRoute]:
        return [Route(PATH, self.read, methods=["GET"])]

    async def read(self, request: Request) -> Response:
        try:
            actor = await authenticate(request, self.runtime)
        except FhirError as exc:
            return _error(exc.status, exc.diagnostics, exc.headers)
        try:
            document = await asyncio.to_thread(_export, request.path_params["patient_id"],
                                               actor)
        except (AccessDenied, CardError) as exc:
            log.info("maternity record refused: %s", getattr(exc, "code", "card"))
            return not_found()
        if document is None:
            return not_found()
        return JSONResponse(document, headers=_HEADERS)


def maternity_record_routes(runtime: AuthRuntime) -> list[BaseRoute]:
    return MaternityRecordRoutes(runtime).routes()
