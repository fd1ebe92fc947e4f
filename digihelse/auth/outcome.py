"""How a login ends: a LoginResult with the validated claims, or LoginFailed with a short,
machine-readable code (and the provider's own error, when it gave one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LoginFailed(Exception):
    """The login cannot complete. `code` is short and machine-readable."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.error = error
        self.error_description = error_description


@dataclass(frozen=True)
class LoginResult:
    claims: dict[str, Any]
    id_token: str
    next_path: str
    locale: str
    provider: str
    access_token: str | None = None
