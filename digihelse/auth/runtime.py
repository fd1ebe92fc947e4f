"""Builds the login machinery from the settings: our two relying parties, and the
embedded test providers when they are on."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import httpx

from digihelse.auth.keys import generate_rsa_key, load_rsa_key
from digihelse.auth.rp import RelyingParty
from digihelse.core.settings import OidcClientSettings, Settings

CITIZEN = "citizen"
PERSONNEL = "personnel"
HELSEID_PID = "helseid://claims/identity/pid"
HELSEID_HPR = "helseid://claims/hpr/hpr_number"
HELSEID_LEVEL = "helseid://claims/identity/security_level"

CALLBACK_PATHS = {CITIZEN: "/auth/callback", PERSONNEL: "/auth/personnel/callback"}
FRONTCHANNEL_PATHS = {CITIZEN: "/auth/frontchannel-logout",
                      PERSONNEL: "/auth/personnel/frontchannel-logout"}
LOGGED_OUT_PATH = "/auth/logged-out"
QUICK_EXIT_PATH = "/auth/quick-exit"  # "Lukk": ends the session as the page leaves
SESSION_ENDED_PATH = "/auth/session-ended"  # a tab whose session ended under it
# In test mode the login routes and the test providers name the serving process here.
WORKER_HEADER = "X-Digihelse-Worker"


def with_worker_header(endpoint, header: str | None):
    """The endpoint, naming the serving process on its responses under `header` (test
    mode, to prove which worker served a hop); unchanged when there is no header."""
    if not header:
        return endpoint

    async def named(request):
        response = await endpoint(request)
        response.headers[header] = str(os.getpid())
        return response

    return named


@dataclass
class AuthRuntime:
    settings: Settings
    relying_parties: dict[str, RelyingParty]
    providers: list  # the embedded TestProviders (empty when they are off)

    def rp(self, provider: str) -> RelyingParty:
        return self.relying_parties[provider]


class StoredClientKey:
    """Our private_key_jwt key for the embedded provider when none is configured: made
    once, kept in the database and read at first use, so every worker signs with the one
    key the provider has registered (insert if absent, then read back)."""

    def __init__(self, name: str, oidc: OidcClientSettings) -> None:
        self.owner = f"client:{name}:{oidc.client_id}"
        self._pem: str | None = None
        self._jwks: dict | None = None

    def private_pem(self) -> str:
        if self._pem is None:
            from digihelse_dev.providers.flowstore import stored_key

            def make() -> tuple[str, str]:
                key = generate_rsa_key()
                return key.kid, key.private_pem

            self._pem = stored_key(None, self.owner, make)[1]
        return self._pem

    def jwks(self) -> dict:
        if self._jwks is None:
            self._jwks = {"keys": [load_rsa_key(self.private_pem()).public_jwk]}
        return self._jwks


def _stored_key(name: str, oidc: OidcClientSettings) -> StoredClientKey | None:
    """A stored client key when nothing is configured and the provider is ours."""
    if oidc.private_key_pem or oidc.client_secret or not oidc.embedded:
        return None
    return StoredClientKey(name, oidc)


def build_auth_runtime(settings: Settings) -> AuthRuntime:
    http = httpx.AsyncClient(follow_redirects=False)
    base = settings.public_url
    citizen, personnel = settings.citizen_oidc, settings.personnel_oidc
    citizen_key = _stored_key(CITIZEN, citizen)
    personnel_key = _stored_key(PERSONNEL, personnel)
    keys = {CITIZEN: citizen_key, PERSONNEL: personnel_key}

    def rp(name: str, oidc: OidcClientSettings, pid_claim: str) -> RelyingParty:
        # The server reaches its own embedded provider over loopback, whatever the public URL.
        fetch_base = None
        if oidc.embedded:
            fetch_base = settings.internal_url + oidc.issuer[len(base):]
        return RelyingParty(
            name, oidc, base + CALLBACK_PATHS[name], None, http, fetch_base=fetch_base,
            clock_skew=settings.clock_skew_seconds,
            jwks_refetch_limit=settings.jwks_refetch_limit,
            attempt_seconds=settings.login_attempt_seconds, pid_claim=pid_claim,
            client_key_pem=keys[name].private_pem if keys[name] else None,
        )

    relying_parties = {CITIZEN: rp(CITIZEN, citizen, "pid"),
                       PERSONNEL: rp(PERSONNEL, personnel, HELSEID_PID)}
    providers = []
    if settings.test_providers:
        providers = _embedded_providers(settings, citizen, citizen_key,
                                        personnel, personnel_key)
    return AuthRuntime(settings, relying_parties, providers)


def _embedded_providers(settings, citizen, citizen_key, personnel, personnel_key) -> list:
    from digihelse_dev.providers.config import (
        ClientRegistration,
        citizen_config,
        personnel_config,
    )
    from digihelse_dev.providers.provider import TestProvider
    from digihelse_dev.testusers import citizen_test_users, personnel_test_users

    base = settings.public_url

    def registration(name: str, oidc: OidcClientSettings, key: StoredClientKey | None):
        return ClientRegistration(
            client_id=oidc.client_id,
            redirect_uris=[base + CALLBACK_PATHS[name]],
            post_logout_redirect_uris=[base + LOGGED_OUT_PATH],
            frontchannel_logout_uri=base + FRONTCHANNEL_PATHS[name],
            client_secret=oidc.client_secret,
            jwks=key.jwks if key else None,
            client_name="DigiHelse",
        )

    worker_header = WORKER_HEADER if settings.env == "test" else None
    providers = []
    if citizen.embedded:
        providers.append(TestProvider(dataclasses.replace(citizen_config(
            base, clients=[registration(CITIZEN, citizen, citizen_key)],
            list_users=citizen_test_users, api_audience=f"{base}/fhir/R4"),
            worker_header=worker_header)))
    if personnel.embedded:
        providers.append(TestProvider(dataclasses.replace(personnel_config(
            base, clients=[registration(PERSONNEL, personnel, personnel_key)],
            list_users=personnel_test_users, api_audience=f"{base}/fhir/R4"),
            worker_header=worker_header)))
    return providers
