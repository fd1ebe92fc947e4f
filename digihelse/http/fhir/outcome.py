"""Errors as OperationOutcome, and FHIR JSON responses made from fhir.resources models."""

from __future__ import annotations

from collections.abc import Mapping

from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource
from starlette.responses import Response

FHIR_JSON = "application/fhir+json"

# The OperationOutcome issue code that fits each status we send (FHIR R4 IssueType).
_DEFAULT_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    500: "exception",
    503: "transient",
}


class FhirError(Exception):
    """A refusal the client should see as an OperationOutcome with this HTTP status."""

    def __init__(self, status: int, diagnostics: str, *, code: str | None = None,
                 severity: str = "error", headers: Mapping[str, str] | None = None) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code or _DEFAULT_CODES.get(status, "processing")
        self.severity = severity
        self.headers = dict(headers or {})

    def outcome(self) -> OperationOutcome:
        return operation_outcome(self.diagnostics, code=self.code, severity=self.severity)


# One answer for every person-related resource the caller may not see, whether it exists
# or not: the same status and body, so a refusal tells nothing (the reason goes to the
# server log and the access log).
NOT_FOUND_TEXT = "No such resource, or not one you may see."


def not_found() -> FhirError:
    return FhirError(404, NOT_FOUND_TEXT, code="not-found")


def operation_outcome(diagnostics: str, *, code: str = "processing",
                      severity: str = "error") -> OperationOutcome:
    return OperationOutcome.model_validate(
        {"issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]})


def fhir_response(resource: Resource, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    """Serialise a fhir.resources model as application/fhir+json; never cached, since
    what a caller may see depends on who they are."""
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    return Response(resource.model_dump_json(), status_code=status,
                    media_type=f"{FHIR_JSON}; charset=utf-8", headers=all_headers)


def error_response(error: FhirError) -> Response:
    return fhir_response(error.outcome(), error.status, error.headers)
