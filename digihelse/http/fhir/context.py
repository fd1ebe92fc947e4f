"""What a FHIR handler gets (the request, already authenticated) and gives back, and the
table entry that ties a resource type to its handlers and search parameters."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.resource import Resource
from sqlalchemy.engine import Engine

from digihelse.access.actors import Actor
from digihelse.core.settings import BookingSettings
from digihelse.http.fhir.outcome import FhirError
from digihelse.http.fhir.search import Query

RESOURCE_TYPES = ("application/fhir+json", "application/json")
JSON_PATCH = ("application/json-patch+json",)


@dataclass
class Ctx:
    """One authenticated request, as the (synchronous) handlers see it."""

    actor: Actor
    base: str  # the API's public base URL, ".../fhir/R4"
    query: Query
    headers: Mapping[str, str]
    body: bytes
    engine: Engine
    now: dt.datetime
    booking: BookingSettings  # the booking limits (notice, horizon) the handlers apply
    resource_id: str | None = None

    def json_body(self, media_types: tuple[str, ...] = RESOURCE_TYPES) -> Any:
        """The body as JSON: 415 for another content type, 400 when it does not parse."""
        media = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in media_types:
            raise FhirError(415, f"Send the body as {media_types[0]}.")
        try:
            body = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise FhirError(400, f"The body is not JSON: {exc}.", code="structure") from exc
        except RecursionError as exc:  # thousands of nested brackets
            raise FhirError(400, "The body nests too deeply.", code="structure") from exc
        if _depth(body) > MAX_DEPTH:
            # No resource we take nests this deep; a deeper one would exhaust the validator.
            raise FhirError(400, "The body nests too deeply.", code="structure")
        return body


MAX_DEPTH = 32  # an Appointment nests 5 deep; the margin is for extensions


def _depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """How deep lists and objects nest (counting stops past the limit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


@dataclass
class Result:
    resource: Resource
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx], Result]


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # a FHIR SearchParamType: token, reference, date, string, ...
    documentation: str


@dataclass(frozen=True)
class ResourceSpec:
    """One resource type: its handlers by FHIR interaction, and its search parameters.
    The dispatcher serves exactly these, and the CapabilityStatement is made from them."""

    type: str
    documentation: str
    interactions: Mapping[str, Handler]  # "read", "search-type", "create", "update", "patch"
    search_params: tuple[SearchParam, ...] = ()
    versioning: str = "no-version"
    # Type-level operations by name ("$find"), POSTed to /<type>/$name, and their canonical
    # OperationDefinitions for the CapabilityStatement.
    operations: Mapping[str, Handler] = field(default_factory=dict)
    operation_definitions: Mapping[str, str] = field(default_factory=dict)
