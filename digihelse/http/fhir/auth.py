"""Who calls the FHIR API: the HttpOnly session cookie, or a bearer access token from a
configured provider, validated like the ID token (pinned algorithms, the provider's JWKS,
iss, exp/iat/nbf, typ at+jwt) with this API's base URL as the required audience.

Either way the caller becomes an Actor with channel "api", so the services apply the same
representation rules and the access log says "api"."""

from __future__ import annotations

import asyncio
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jose.utils import base64url_decode
from starlette.requests import Request

from digihelse.access.actors import CITIZEN_ROLE, Actor, Channel
from digihelse.auth.current import current_user, session_store
from digihelse.auth.outcome import LoginFailed
from digihelse.auth.rp import RelyingParty
from digihelse.auth.runtime import CITIZEN, HELSEID_HPR, HELSEID_LEVEL, AuthRuntime
from digihelse.auth.tokens import TokenRejected, acr_at_least, validate_access_token
from digihelse.core.db import session as db_session
from digihelse.http.fhir.outcome import FhirError
from digihelse.people.nin import is_valid_nin
from digihelse.people.registry import person_by_pid, personnel_by_pid

REALM = "DigiHelse FHIR"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_audience(runtime: AuthRuntime) -> str:
    """The audience an access token must name: this API's base URL (as the embedded
    providers put it in `aud`, see digihelse.auth.runtime)."""
    return f"{runtime.settings.public_url}/fhir/R4"


def _unauthorised(message: str, error: str | None = None,
                  description: str | None = None) -> FhirError:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}"'
        if description:
            challenge += f', error_description="{description}"'
    return FhirError(401, message, code="login", headers={"WWW-Authenticate": challenge})


def _unverified_issuer(token: str) -> str | None:
    """The token's `iss`, only to pick which provider's keys to verify it with."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64url_decode(parts[1].encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, TypeError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss if isinstance(iss, str) else None


def _provider_for(runtime: AuthRuntime, issuer: str | None) -> tuple[str, RelyingParty] | None:
    for name, rp in runtime.relying_parties.items():
        if issuer is not None and rp.oidc.issuer == issuer:
            return name, rp
    return None


def _citizen_actor(pid: str, acr: str | None) -> Actor:
    with db_session() as s:
        person = person_by_pid(s, pid)
    return Actor(pid=pid, role=CITIZEN_ROLE, name=person.full_name if person else "",
                 channel=Channel.API, acr=acr)


def _personnel_actor(claims: Mapping[str, Any], pid: str) -> Actor:
    """Personnel as at login: HelseID security level 4, registered, HPR number matching."""
    if str(claims.get(HELSEID_LEVEL)) != "4":
        raise FhirError(403, "HelseID security level 4 is required for health data.")
    with db_session() as s:
        found = personnel_by_pid(s, pid)
    if found is None:
        raise FhirError(403, "The token's person is not registered health personnel.")
    person, staff = found
    hpr = claims.get(HELSEID_HPR)
    if hpr is not None and str(hpr) != staff.hpr_number:
        raise FhirError(403, "The token's HPR number does not match the registry.")
    return Actor(pid=pid, role=str(staff.role), name=person.full_name,
                 hpr_number=staff.hpr_number, organisation=staff.organisation,
                 channel=Channel.API, acr=claims.get("acr"))


async def actor_from_bearer(runtime: AuthRuntime, token: str) -> Actor:
    """Validate a bearer access token and return its Actor, or raise FhirError 401/403."""
    found = _provider_for(runtime, _unverified_issuer(token))
    if found is None:
        raise _unauthorised("The access token is not from a provider this API trusts.",
                            "invalid_token", "unknown issuer")
    name, rp = found
    try:
        await rp.ensure_discovery()
        claims = await validate_access_token(
            token, issuer=rp.oidc.issuer, audience=api_audience(runtime),
            algorithms=rp.oidc.algorithms, keys=rp.jwks,
            clock_skew=runtime.settings.clock_skew_seconds)
    except TokenRejected as exc:
        if exc.code in ("jwks_unavailable",):
            raise FhirError(503, "The identity provider's keys cannot be fetched now.") from exc
        raise _unauthorised(f"The access token was refused ({exc.code}).", "invalid_token",
                            exc.code) from exc
    except LoginFailed as exc:
        raise FhirError(503, "The identity provider cannot be reached now.") from exc
    sid = claims.get("sid")
    if isinstance(sid, str) and await asyncio.to_thread(
            session_store().logged_out, rp.oidc.issuer, sid):
        # Logging out here ends API access at once, not when the token expires.
        raise _unauthorised("The user has logged out; log in again.", "invalid_token",
                            "session_ended")
    pid = claims.get(rp.pid_claim)
    if not isinstance(pid, str) or not is_valid_nin(pid):
        raise _unauthorised("The access token names no valid national id number.",
                            "invalid_token", "bad_pid")
    if name == CITIZEN:
        acr = claims.get("acr")
        if rp.oidc.acr is not None and not acr_at_least(acr, rp.oidc.acr):
            # RFC 9470: step up to the required level and come back.
            raise _unauthorised("The login level is too low for this API.",
                                "insufficient_user_authentication", f"acr {rp.oidc.acr}")
        return await asyncio.to_thread(_citizen_actor, pid, acr)
    return await asyncio.to_thread(_personnel_actor, claims, pid)


def _actor_from_cookie(cookie_header: str | None) -> Actor | None:
    user = current_user(cookie_header)
    if user is None:
        return None
    return Actor(pid=user.pid, role=user.role, name=user.name, hpr_number=user.hpr_number,
                 organisation=user.organisation, channel=Channel.API, acr=user.acr,
                 assurance=user.assurance)


def _same_origin(request: Request, public_url: str) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not a browser's cross-site request: browsers send Origin there
        return True
    own = urlsplit(public_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) == (own.scheme, own.netloc)


async def authenticate(request: Request, runtime: AuthRuntime) -> Actor:
    """The Actor behind a request: a bearer token when one is sent (and then only it),
    else the session cookie. Raises FhirError (401, 403 or 503)."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorised("Only bearer access tokens are accepted.", "invalid_request")
        return await actor_from_bearer(runtime, token)
    actor = await asyncio.to_thread(_actor_from_cookie, request.headers.get("cookie"))
    if actor is None:
        raise _unauthorised("Log in first: send the session cookie or a bearer access token.")
    # A cookie rides along on cross-site requests a browser makes on its own; a write
    # from another origin is refused (SameSite=Lax already keeps most of them out).
    if request.method in UNSAFE_METHODS and not _same_origin(request,
                                                             runtime.settings.public_url):
        raise FhirError(403, "Cross-site writes with the session cookie are refused.")
    return actor
