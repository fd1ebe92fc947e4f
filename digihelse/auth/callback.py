"""Finishing a login at our callback: the attempt taken once by its state, the RFC 9207
`iss` check, the code redeemed once at the token endpoint, and the ID token validated
(digihelse/auth/tokens.py). Also the UserInfo call, whose sub must match the ID token's."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from digihelse.auth.attempts import as_utc, consume_attempt, mark_code_used, sha256_hex, utc
from digihelse.auth.discovery import HTTP_TIMEOUT
from digihelse.auth.outcome import LoginFailed, LoginResult
from digihelse.auth.tokens import TokenExpectations, TokenRejected, validate_id_token

if TYPE_CHECKING:
    from digihelse.auth.rp import RelyingParty

MAX_PARAM_LENGTH = 4096


def _param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_PARAM_LENGTH:
        raise LoginFailed("bad_request", f"the {name} parameter is malformed")
    return value


async def finish_login(rp: RelyingParty, params: Mapping[str, str]) -> LoginResult:
    """Handle the callback: check state, iss and code, redeem the code, validate."""
    state = _param(params, "state")
    if state is None:
        raise LoginFailed("state_missing", "the callback has no state")
    attempt = await asyncio.to_thread(consume_attempt, rp.engine, sha256_hex(state))
    if attempt is None or attempt.provider != rp.name:
        raise LoginFailed("state_unknown", "unknown or already used state")
    if as_utc(attempt.expires_at) <= utc(rp.now()):
        raise LoginFailed("state_expired", "the login took too long; please start again")

    doc = await rp.ensure_discovery()
    # RFC 9207: checked for error responses too, before trusting anything else.
    iss = _param(params, "iss")
    if iss is not None and iss != rp.oidc.issuer:
        raise LoginFailed("iss_mismatch", "the response comes from another issuer")
    if iss is None and doc.get("authorization_response_iss_parameter_supported") is True:
        raise LoginFailed("iss_mismatch", "the response lacks the iss parameter")

    error = _param(params, "error")
    if error is not None:
        description = _param(params, "error_description")
        raise LoginFailed(
            "provider_error",
            f"the provider refused: {error}" + (f" ({description})" if description else ""),
            error=error,
            error_description=description,
        )
    code = _param(params, "code")
    if code is None:
        raise LoginFailed("code_missing", "the callback has no code")
    if not await asyncio.to_thread(mark_code_used, rp.engine, sha256_hex(code), rp.now()):
        raise LoginFailed("code_replayed", "this authorization code was already used")

    tokens = await _redeem(rp, doc, code, attempt.code_verifier)
    id_token = tokens["id_token"]
    access_token = tokens.get("access_token")
    expect = TokenExpectations(
        issuer=rp.oidc.issuer,
        client_id=rp.oidc.client_id,
        algorithms=rp.oidc.algorithms,
        nonce=attempt.nonce,
        acr_min=rp.oidc.acr,
        pid_claim=rp.pid_claim,
        clock_skew=rp.clock_skew,
    )
    try:
        claims = await validate_id_token(
            id_token,
            expect,
            rp.jwks,
            now=rp.now(),
            access_token=access_token if isinstance(access_token, str) else None,
        )
    except TokenRejected as exc:
        raise LoginFailed(exc.code, exc.message) from exc
    return LoginResult(
        claims=claims,
        id_token=id_token,
        next_path=attempt.next_path,
        locale=attempt.locale,
        provider=rp.name,
        access_token=access_token if isinstance(access_token, str) else None,
    )


async def _redeem(rp: RelyingParty, doc: dict[str, Any], code: str,
                  verifier: str) -> dict[str, Any]:
    data, headers = rp.authenticated({
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.redirect_uri,
        "code_verifier": verifier,
    })
    try:
        response = await rp.http.post(
            doc["token_endpoint"], data=data, headers=headers, timeout=HTTP_TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise LoginFailed("token_endpoint", f"cannot reach the token endpoint: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        raise LoginFailed(
            "token_endpoint",
            f"the token endpoint answered {response.status_code}"
            + (f" ({error})" if isinstance(error, str) else ""),
            error=error if isinstance(error, str) else None,
        )
    if not isinstance(body.get("id_token"), str):
        raise LoginFailed("token_endpoint", "the token response has no id_token")
    return body


async def fetch_userinfo(rp: RelyingParty, access_token: str,
                         expected_sub: str | None = None) -> dict[str, Any]:
    """The UserInfo response (JSON form); its sub must match the ID token's."""
    doc = await rp.ensure_discovery()
    endpoint = doc.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        raise LoginFailed("userinfo", "the provider has no userinfo endpoint")
    try:
        response = await rp.http.get(
            endpoint,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=HTTP_TIMEOUT,
        )
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        raise LoginFailed("userinfo", f"userinfo failed: {exc}") from exc
    if not isinstance(body, dict):
        raise LoginFailed("userinfo", f"userinfo answered {response.status_code}")
    if expected_sub is not None and body.get("sub") != expected_sub:
        raise LoginFailed("userinfo", "userinfo is about another subject")
    return body
