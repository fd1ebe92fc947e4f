"""Builds the login machinery from the settings: our two relying parties, and the
embedded test providers when they are on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import httpx

from digihelse.auth.keys import generate_rsa_key
from digihelse.auth.rp import RelyingParty
from digihelse.settings import OidcClientSettings, Settings

CITIZEN = "citizen"
PERSONNEL = "personnel"
HELSEID_PID = "helseid://claims/identity/pid"
HELSEID_HPR = "helseid://claims/hpr/hpr_number"
HELSEID_LEVEL = "helseid://claims/identity/security_level"

CALLBACK_PATHS = {CITIZEN: "/auth/callback", PERSONNEL: "/auth/personnel/callback"}
FRONTCHANNEL_PATHS = {CITIZEN: "/auth/frontchannel-logout",
                      PERSONNEL: "/auth/personnel/frontchannel-logout"}
LOGGED_OUT_PATH = "/auth/logged-out"
SESSION_ENDED_PATH = "/auth/session-ended"  # a tab whose session ended under it


@dataclass
class AuthRuntime:
    settings: Settings
    relying_parties: dict[str, RelyingParty]
    providers: list  # the embedded TestProviders (empty when they are off)

    def rp(self, provider: str) -> RelyingParty:
        return self.relying_parties[provider]


def _with_generated_key(oidc: OidcClientSettings) -> tuple[OidcClientSettings, dict | None]:
    """For the embedded provider we make our client key at start and register its
    public half there, so private_key_jwt works with nothing configured."""
    if oidc.private_key_pem or oidc.client_secret or not oidc.embedded:
        return oidc, None
    key = generate_rsa_key()
    return dataclasses.replace(oidc, private_key_pem=key.private_pem), {"keys": [key.public_jwk]}


def build_auth_runtime(settings: Settings) -> AuthRuntime:
    http = httpx.AsyncClient(follow_redirects=False)
    base = settings.public_url
    citizen, citizen_jwks = _with_generated_key(settings.citizen_oidc)
    personnel, personnel_jwks = _with_generated_key(settings.personnel_oidc)

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
        )

    relying_parties = {CITIZEN: rp(CITIZEN, citizen, "pid"),
                       PERSONNEL: rp(PERSONNEL, personnel, HELSEID_PID)}
    providers = []
    if settings.test_providers:
        providers = _embedded_providers(settings, citizen, citizen_jwks,
                                        personnel, personnel_jwks)
    return AuthRuntime(settings, relying_parties, providers)


def _embedded_providers(settings, citizen, citizen_jwks, personnel, personnel_jwks) -> list:
    from digihelse.auth.provider import (
        ClientRegistration,
        TestProvider,
        citizen_config,
        personnel_config,
    )
    from digihelse.auth.testusers import citizen_test_users, personnel_test_users

    base = settings.public_url

    def registration(name: str, oidc: OidcClientSettings, jwks: dict | None):
        return ClientRegistration(
            client_id=oidc.client_id,
            redirect_uris=[base + CALLBACK_PATHS[name]],
            post_logout_redirect_uris=[base + LOGGED_OUT_PATH],
            frontchannel_logout_uri=base + FRONTCHANNEL_PATHS[name],
            client_secret=oidc.client_secret,
            jwks=jwks,
            client_name="DigiHelse",
        )

    providers = []
    if citizen.embedded:
        providers.append(TestProvider(citizen_config(
            base, clients=[registration(CITIZEN, citizen, citizen_jwks)],
            list_users=citizen_test_users, api_audience=f"{base}/fhir/R4")))
    if personnel.embedded:
        providers.append(TestProvider(personnel_config(
            base, clients=[registration(PERSONNEL, personnel, personnel_jwks)],
            list_users=personnel_test_users, api_audience=f"{base}/fhir/R4")))
    return providers
