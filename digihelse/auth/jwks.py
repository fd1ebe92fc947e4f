"""A provider's signing keys (JWKS), cached, refetched on an unknown kid at a bounded rate
so that key rotation works but a flood of made-up kids cannot hammer the provider."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

# Key types that can verify a JWS signature; "oct" (HMAC) is deliberately absent.
_SIGNING_KTYS = frozenset({"RSA", "EC"})


class JwksError(Exception):
    """The key set could not be fetched or does not hold the wanted key."""

    code = "jwks_unavailable"


class KeyNotFound(JwksError):
    """No usable key matches the kid (or an absent kid is ambiguous)."""

    code = "unknown_kid"


def is_signing_key(key: Any) -> bool:
    """A public key meant for signatures: RSA or EC, `use` absent or "sig", and
    `key_ops` (if any) allowing verify."""
    if not isinstance(key, dict) or key.get("kty") not in _SIGNING_KTYS:
        return False
    if key.get("use", "sig") != "sig":
        return False
    ops = key.get("key_ops")
    return ops is None or (isinstance(ops, list) and "verify" in ops)


class JwksCache:
    """Holds one provider's JWKS. `fetch` returns the parsed JWKS document."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[dict]],
        *,
        refetch_limit: int = 3,
        refetch_window: float = 60.0,
        max_age: float | None = 24 * 3600.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.refetch_limit = max(0, refetch_limit)
        self.refetch_window = refetch_window
        # Keys the provider removed must stop verifying eventually, so the set ages out.
        self.max_age = max_age
        self._now = now
        self._keys: list[dict] | None = None
        self._loaded_at = 0.0
        self._attempted = False
        self._refetches: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    @property
    def keys(self) -> list[dict]:
        """The cached keys (empty before the first fetch)."""
        return list(self._keys or [])

    def _budget_left(self) -> bool:
        cutoff = self._now() - self.refetch_window
        while self._refetches and self._refetches[0] <= cutoff:
            self._refetches.popleft()
        return len(self._refetches) < self.refetch_limit

    async def _load(self) -> None:
        # The first load is free; every later one (rotation, retry after a failure, ageing)
        # spends from the rolling budget, so a down or hostile provider is not hammered.
        if self._attempted:
            self._refetches.append(self._now())
        self._attempted = True
        self.fetch_count += 1
        try:
            doc = await self._fetch()
        except Exception as exc:
            raise JwksError(f"could not fetch the provider's keys: {exc}") from exc
        raw = doc.get("keys") if isinstance(doc, dict) else None
        if not isinstance(raw, list):
            raise JwksError("the provider's JWKS has no 'keys' list")
        self._keys = [k for k in raw if isinstance(k, dict)]
        self._loaded_at = self._now()

    def _stale(self) -> bool:
        return self.max_age is not None and self._now() - self._loaded_at >= self.max_age

    def _find(self, kid: str | None) -> dict | None:
        keys = self._keys or []
        if kid is None:
            # Without a kid we cannot tell keys apart: only an unambiguous set will do.
            signing = [k for k in keys if is_signing_key(k)]
            return signing[0] if len(signing) == 1 else None
        matches = [k for k in keys if k.get("kid") == kid]
        signing = [k for k in matches if is_signing_key(k)]
        if len(signing) == 1:
            return signing[0]
        if len(signing) > 1:
            return None  # duplicate kids: refuse rather than guess
        # A non-signing key with this kid is returned so the caller can say why it is wrong.
        return matches[0] if len(matches) == 1 else None

    async def get_key(self, kid: str | None) -> dict:
        """The key with this kid (or the only signing key when kid is None)."""
        if kid is not None and not isinstance(kid, str):
            raise KeyNotFound("the kid must be a string")
        async with self._lock:
            if self._keys is None:
                if self._attempted and not self._budget_left():
                    raise JwksError("the provider's keys are unavailable; not retrying yet")
                await self._load()
            elif self._stale() and self._budget_left():
                # Keep verifying with the keys we have while the provider is unreachable.
                with contextlib.suppress(JwksError):
                    await self._load()
            key = self._find(kid)
            if key is not None:
                return key
            if kid is None and sum(is_signing_key(k) for k in self._keys or []) > 1:
                raise KeyNotFound("the token names no kid and the provider has several keys")
            # Unknown kid: perhaps the provider rotated. (Waiters queued on the lock see
            # the keys a previous waiter fetched before they get here.)
            if not self._budget_left():
                raise KeyNotFound(f"no key with kid {kid!r} (refetch limit reached)")
            await self._load()
            key = self._find(kid)
            if key is None:
                raise KeyNotFound(f"no key with kid {kid!r}")
            return key
