"""The flow records a provider keeps in the database between hops, as plain JSON data: an
authorization request waiting for the user, and what an authorization code stands for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from digihelse_dev.providers.config import TestUser


@dataclass
class Pending:
    """An authorization request waiting for the user to pick a person."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    scopes: tuple[str, ...]
    acr: str | None
    locale: str
    expires: float

    def as_data(self) -> dict[str, Any]:
        return {**asdict(self), "scopes": list(self.scopes)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Pending:
        return cls(**{**data, "scopes": tuple(data["scopes"])})


@dataclass
class CodeRecord:
    """What the tokens for an authorization code will say."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    acr: str | None
    user: TestUser
    sid: str
    auth_time: int
    scopes: tuple[str, ...]
    locale: str

    def as_data(self) -> dict[str, Any]:
        user = {**asdict(self.user), "birth_date": self.user.birth_date.isoformat(),
                "roles": list(self.user.roles)}
        return {**asdict(self), "user": user, "scopes": list(self.scopes)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CodeRecord:
        user = dict(data["user"])
        user = TestUser(**{**user, "birth_date": dt.date.fromisoformat(user["birth_date"]),
                           "roles": tuple(user["roles"])})
        return cls(**{**data, "user": user, "scopes": tuple(data["scopes"])})
