"""Logging out at the provider: the RP-initiated logout URL (OpenID Connect RP-Initiated
Logout 1.0) we send the browser to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode


def end_session_url(
    discovery: dict[str, Any] | None,
    client_id: str,
    id_token_hint: str | None,
    post_logout_redirect_uri: str,
    state: str | None = None,
) -> str | None:
    """The logout URL, or None when the provider has no end_session_endpoint."""
    if discovery is None:
        raise RuntimeError("call ensure_discovery() before end_session_url()")
    endpoint = discovery.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    params = {"client_id": client_id}
    if id_token_hint:
        params["id_token_hint"] = id_token_hint
    params["post_logout_redirect_uri"] = post_logout_redirect_uri
    if state:
        params["state"] = state
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)
