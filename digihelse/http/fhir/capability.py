"""GET /fhir/R4/metadata: the CapabilityStatement, made from the same table of resource
types, interactions and search parameters that the dispatcher serves, so it lists exactly
what is supported."""

from __future__ import annotations

from collections.abc import Sequence

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from digihelse.http.fhir.context import ResourceSpec
from digihelse.http.fhir.search import DEFAULT_COUNT, MAX_COUNT

FHIR_VERSION = "4.0.1"
# The Appointment operations follow IHE ITI Scheduling (its server actor).
IHE_SCHEDULING_SERVER = (
    "https://profiles.ihe.net/ITI/Scheduling/CapabilityStatement/IHE.Scheduling.server")
PUBLISHED = "2025-06-01"
PAGING_PARAMS = (
    ("_count", "number", f"Page size, 0-{MAX_COUNT} (default {DEFAULT_COUNT})."),
    ("_offset", "number", "Where the page starts; follow the Bundle's next link instead."),
)

SECURITY = (
    "Every interaction except metadata needs a logged-in caller: the DigiHelse session "
    "cookie (HttpOnly, from /auth/login), or an OAuth 2.0 bearer access token (JWT, "
    "RFC 9068) from the configured ID-porten or HelseID provider whose aud includes this "
    "API's base URL. Citizens act for themselves and for those they may represent "
    "(pasient- og brukerrettighetsloven §§ 3-4, 4-3; fullmakt); personnel only where they "
    "have a care relation. Every access to health data is written to the access log with "
    "channel \"api\"."
)


def capability_statement(base: str, specs: Sequence[ResourceSpec],
                         software_version: str) -> CapabilityStatement:
    resources = []
    for spec in specs:
        params = [{"name": p.name, "type": p.type, "documentation": p.documentation}
                  for p in spec.search_params]
        if "search-type" in spec.interactions:
            params += [{"name": name, "type": kind, "documentation": doc}
                       for name, kind, doc in PAGING_PARAMS]
        resources.append({
            "type": spec.type,
            "documentation": spec.documentation,
            "interaction": [{"code": code} for code in spec.interactions],
            "versioning": spec.versioning,
            "readHistory": False,
            "updateCreate": False,
            "conditionalCreate": False,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": params or None,
            "operation": [{"name": name.lstrip("$"),
                           "definition": spec.operation_definitions.get(name.lstrip("$"))}
                          for name in spec.operations] or None,
        })
    return CapabilityStatement.model_validate({
        "status": "active",
        "date": PUBLISHED,
        "publisher": "DigiHelse",
        "kind": "instance",
        "name": "DigiHelseFhirApi",
        "title": "DigiHelse FHIR R4 API",
        "description": ("Appointments with the school health service and the youth clinic, "
                        "secure messages with them and the midwife, "
                        "and the measurements of the pregnancy card, for helsenorge "
                        "(Meld. St. 9 (2023–2024), box 9.4)."),
        "software": {"name": "DigiHelse", "version": software_version},
        "implementation": {"description": "DigiHelse FHIR R4 API", "url": base},
        "fhirVersion": FHIR_VERSION,
        "instantiates": [IHE_SCHEDULING_SERVER],
        "format": ["application/fhir+json", "json"],
        "patchFormat": ["application/json-patch+json"],
        "rest": [{
            "mode": "server",
            "documentation": ("Searches page with Bundle links (self, first, previous, next, "
                              "last). Errors come as OperationOutcome."),
            "security": {
                "cors": False,
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth", "display": "OAuth"}]}],
                "description": SECURITY,
            },
            "resource": resources,
        }],
    })
