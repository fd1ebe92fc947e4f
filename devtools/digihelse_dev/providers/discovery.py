"""The provider's metadata (OpenID Connect Discovery 1.0, RFC 8414, RFC 9126): endpoints,
what it supports and which claims it issues."""

from __future__ import annotations

from typing import Any

from digihelse_dev.providers import page
from digihelse_dev.providers.client_auth import ASSERTION_ALGORITHMS
from digihelse_dev.providers.config import HELSEID_IDENTITY_CLAIMS, PRIVATE_KEY_JWT
from digihelse_dev.providers.context import ProviderContext


def discovery_document(ctx: ProviderContext) -> dict[str, Any]:
    cfg = ctx.config
    claims = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "jti"]
    if cfg.kind == "citizen":
        claims += ["pid", "acr", "locale"]
    else:
        claims += HELSEID_IDENTITY_CLAIMS
    document: dict[str, Any] = {
        "issuer": ctx.issuer,
        "authorization_endpoint": ctx.endpoint("authorize"),
        "token_endpoint": ctx.endpoint("token"),
        "userinfo_endpoint": ctx.endpoint("userinfo"),
        "jwks_uri": ctx.endpoint("jwks"),
        "end_session_endpoint": ctx.endpoint("endsession"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": list(cfg.auth_methods),
        "scopes_supported": list(cfg.scopes),
        "ui_locales_supported": list(page.LOCALES),
        "frontchannel_logout_supported": True,
        "frontchannel_logout_session_supported": True,
        "authorization_response_iss_parameter_supported": True,
        "subject_types_supported": ["pairwise"],
        "claims_supported": claims,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "pushed_authorization_request_endpoint": ctx.endpoint("par"),
        "require_pushed_authorization_requests": cfg.require_pushed_requests,
    }
    if PRIVATE_KEY_JWT in cfg.auth_methods:
        document["token_endpoint_auth_signing_alg_values_supported"] = list(
            ASSERTION_ALGORITHMS
        )
    if cfg.acr_values:
        document["acr_values_supported"] = list(cfg.acr_values)
    return document
