"""What a test provider is configured with: its kind, registered clients, test users,
accepted client authentication, lifetimes. Constants of the two real providers it imitates
(ID-porten's levels, HelseID's claim names) live here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

ProviderKind = Literal["citizen", "personnel"]

ACR_SUBSTANTIAL = "idporten-loa-substantial"
ACR_HIGH = "idporten-loa-high"
CITIZEN_ACR_VALUES = (ACR_SUBSTANTIAL, ACR_HIGH)

CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105 (a method name, not a secret)
CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105
PRIVATE_KEY_JWT = "private_key_jwt"
ALL_AUTH_METHODS = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, PRIVATE_KEY_JWT)

HELSEID_PID = "helseid://claims/identity/pid"
HELSEID_HPR_NUMBER = "helseid://claims/hpr/hpr_number"
HELSEID_SECURITY_LEVEL = "helseid://claims/identity/security_level"
HELSEID_ASSURANCE_LEVEL = "helseid://claims/identity/assurance_level"
HELSEID_SCOPES = (
    "helseid://scopes/identity/pid",
    "helseid://scopes/identity/security_level",
    "helseid://scopes/identity/assurance_level",
    "helseid://scopes/hpr/hpr_number",
)
# The personnel identity claims, in the order the ID token, userinfo and discovery name them.
HELSEID_IDENTITY_CLAIMS = (
    HELSEID_PID,
    HELSEID_HPR_NUMBER,
    HELSEID_SECURITY_LEVEL,
    HELSEID_ASSURANCE_LEVEL,
    "name",
)


@dataclass(frozen=True)
class TestUser:
    """A synthetic person the provider offers on its login page and in /testusers."""

    __test__ = False  # not a pytest test class, whatever its name says

    pid: str
    name: str
    birth_date: dt.date
    roles: Sequence[str] = ()
    description: str = ""
    hpr_number: str | None = None

    def as_json(self, *, personnel: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "pid": self.pid,
            "name": self.name,
            "birth_date": self.birth_date.isoformat(),
            "roles": list(self.roles),
            "description": self.description,
        }
        if personnel:
            data["hpr_number"] = self.hpr_number
        return data


@dataclass(frozen=True)
class ClientRegistration:
    """A relying party registered with a test provider. Without explicit auth methods,
    a secret allows client_secret_basic/post and a JWKS allows private_key_jwt."""

    client_id: str
    redirect_uris: Sequence[str]
    post_logout_redirect_uris: Sequence[str] = ()
    frontchannel_logout_uri: str | None = None
    client_secret: str | None = None
    # The client's public keys for private_key_jwt, or a function that returns them (our
    # own client key is read from the database at first use, not at import).
    jwks: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None
    token_endpoint_auth_methods: Sequence[str] | None = None
    client_name: str | None = None  # shown on the login page

    def __post_init__(self) -> None:
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))
        object.__setattr__(self, "post_logout_redirect_uris", tuple(self.post_logout_redirect_uris))
        methods = self.token_endpoint_auth_methods
        if methods is None:
            methods = (
                *((CLIENT_SECRET_BASIC, CLIENT_SECRET_POST) if self.client_secret else ()),
                *((PRIVATE_KEY_JWT,) if self.jwks else ()),
            )
        object.__setattr__(self, "token_endpoint_auth_methods", tuple(methods))
        unknown = set(self.token_endpoint_auth_methods) - set(ALL_AUTH_METHODS)
        if unknown:
            raise ValueError(f"{self.client_id}: unknown auth methods {sorted(unknown)}")
        if not self.token_endpoint_auth_methods:
            raise ValueError(f"{self.client_id}: needs a client_secret or a jwks")
        secret_methods = {CLIENT_SECRET_BASIC, CLIENT_SECRET_POST}
        if secret_methods & set(self.token_endpoint_auth_methods) and not self.client_secret:
            raise ValueError(f"{self.client_id}: client_secret methods need a client_secret")
        if PRIVATE_KEY_JWT in self.token_endpoint_auth_methods and not self.jwks:
            raise ValueError(f"{self.client_id}: private_key_jwt needs the client's jwks")
        if not self.redirect_uris:
            raise ValueError(f"{self.client_id}: at least one redirect_uri is needed")

    def public_keys(self) -> list[dict[str, Any]]:
        found = self.jwks() if callable(self.jwks) else self.jwks
        return list((found or {}).get("keys", []))


@dataclass(frozen=True)
class ProviderConfig:
    """Everything that tells the citizen provider from the personnel one."""

    issuer: str  # e.g. "http://localhost:8000/idp"
    mount_path: str  # e.g. "/idp": where routes() puts the endpoints
    kind: ProviderKind
    clients: Sequence[ClientRegistration]
    list_users: Callable[[], list[TestUser]]
    auth_methods: Sequence[str]  # token endpoint client auth this provider accepts
    amr: Sequence[str]
    acr_values: Sequence[str] = ()  # empty: the provider has no levels (personnel)
    default_acr: str | None = None
    scopes: Sequence[str] = ("openid", "profile")
    api_audience: str | None = None  # added to the access token's aud
    subject_salt: str | None = None  # pairwise sub salt; made once and stored when None
    code_lifetime: int = 60
    id_token_lifetime: int = 120
    access_token_lifetime: int = 300
    session_lifetime: int = 120 * 60
    pending_lifetime: int = 30 * 60  # how long a login page may stay open
    # RFC 9126: HelseID's FAPI 2.0 profile accepts authorization requests only when they
    # were pushed first (PAR); ID-porten offers PAR but also takes them in the URL.
    require_pushed_requests: bool = False
    pushed_request_lifetime: int = 60  # seconds a request_uri may wait to be used
    # When set, every response names the serving process in this header (test mode), so
    # a test can show that the hops of one login landed on different workers.
    worker_header: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "issuer", self.issuer.rstrip("/"))
        mount = "/" + self.mount_path.strip("/")
        object.__setattr__(self, "mount_path", mount)
        for name in ("clients", "auth_methods", "amr", "acr_values", "scopes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.kind not in ("citizen", "personnel"):
            raise ValueError(f"unknown provider kind {self.kind!r}")
        if not set(self.auth_methods) <= set(ALL_AUTH_METHODS) or not self.auth_methods:
            raise ValueError(f"unsupported auth methods {self.auth_methods!r}")
        if self.default_acr is not None and self.default_acr not in self.acr_values:
            raise ValueError("default_acr must be one of acr_values")
        if not urlsplit(self.issuer).path.rstrip("/").endswith(mount):
            raise ValueError(f"the issuer {self.issuer} does not end with {mount}")
        ids = [client.client_id for client in self.clients]
        if len(ids) != len(set(ids)):
            raise ValueError("client_ids must be unique")
        for client in self.clients:
            if not set(client.token_endpoint_auth_methods) & set(self.auth_methods):
                raise ValueError(f"{client.client_id}: no auth method this provider accepts")


def citizen_config(
    public_url: str,
    *,
    clients: Sequence[ClientRegistration],
    list_users: Callable[[], list[TestUser]],
    api_audience: str | None = None,
    subject_salt: str | None = None,
) -> ProviderConfig:
    """The citizen provider, like ID-porten's TestID, at <public_url>/idp."""
    return ProviderConfig(
        issuer=f"{public_url.rstrip('/')}/idp",
        mount_path="/idp",
        kind="citizen",
        clients=clients,
        list_users=list_users,
        auth_methods=ALL_AUTH_METHODS,
        amr=("TestID",),
        acr_values=CITIZEN_ACR_VALUES,
        default_acr=ACR_SUBSTANTIAL,
        scopes=("openid", "profile"),
        api_audience=api_audience,
        subject_salt=subject_salt,
    )


def personnel_config(
    public_url: str,
    *,
    clients: Sequence[ClientRegistration],
    list_users: Callable[[], list[TestUser]],
    api_audience: str | None = None,
    subject_salt: str | None = None,
) -> ProviderConfig:
    """The personnel provider, like HelseID, at <public_url>/helseid: private_key_jwt only."""
    return ProviderConfig(
        issuer=f"{public_url.rstrip('/')}/helseid",
        mount_path="/helseid",
        kind="personnel",
        clients=clients,
        list_users=list_users,
        auth_methods=(PRIVATE_KEY_JWT,),
        require_pushed_requests=True,
        amr=("pwd",),
        scopes=("openid", "profile", *HELSEID_SCOPES),
        api_audience=api_audience,
        subject_salt=subject_salt,
    )
