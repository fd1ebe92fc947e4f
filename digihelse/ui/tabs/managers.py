"""Reflex state managers that forget a tab by `TabLife`: a visitor's tab in minutes, a
signed-in tab no later than its session.

Reflex 0.10 gives every tab one fixed lifetime (an hour by default). These subclasses
choose it per tab, after each event, from the tab's `SessionState._session_hash`: in
memory for one process, in Redis (every key of the tab) when scaled out."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from typing import Any

from reflex.istate.manager import StateManager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState
from reflex.utils import prerequisites
from reflex_base import constants
from reflex_base.config import get_config

from digihelse.core.settings import Settings, get_settings
from digihelse.ui.tabs.life import SessionClock, TabLife, session_deadline

logger = logging.getLogger(__name__)


def _session_state_class() -> type[BaseState]:
    from digihelse.ui.state.session import SessionState  # the app's states import Reflex pages

    return SessionState


def session_hash_of(state: BaseState | None) -> str | None:
    """The session hash of a loaded tree: "" for a visitor, None when the tree's
    SessionState is not loaded (with Redis only the states an event needs are)."""
    if state is None:
        return None
    root = state
    while root.parent_state is not None:
        root = root.parent_state
    session_cls = _session_state_class()
    session = root.substates.get(session_cls.get_name())
    if session is None:
        return None
    return getattr(session, "_session_hash", "") or ""


def tab_life(settings: Settings) -> TabLife:
    return TabLife(anonymous_seconds=settings.anonymous_tab_seconds,
                   idle_seconds=settings.session_idle_seconds)


def session_clock(settings: Settings) -> SessionClock:
    idle, absolute = settings.session_idle_seconds, settings.session_absolute_seconds
    return SessionClock(lambda id_hash: session_deadline(
        id_hash, idle_seconds=idle, absolute_seconds=absolute))


class _TabTimer:
    """What both managers share: the rule and the session clock."""

    life: TabLife
    clock: SessionClock

    def _tab_ttl(self, session_hash: str, now: float) -> float:
        if not session_hash:
            return self.life.ttl(signed_in=False, session_deadline=None, now=now)
        fresh, deadline = self.clock.cached(session_hash)
        if not fresh and deadline is None:
            # Not read yet (the read follows at the end of the event): one idle period
            # at most, as the session itself would allow.
            deadline = now + self.life.idle_seconds
        return self.life.ttl(signed_in=True, session_deadline=deadline, now=now)

    async def _read_clock(self, session_hash: str | None) -> None:
        """Re-read the session's deadline when the cached one is stale (off the loop)."""
        if not session_hash or self.clock.cached(session_hash)[0]:
            return
        try:
            await asyncio.to_thread(self.clock.refresh, session_hash)
        except Exception:  # the tab keeps its provisional life; the next event retries
            logger.warning("Could not read a session's deadline for its tab", exc_info=True)


@dataclasses.dataclass
class TabLifeMemoryManager(_TabTimer, StateManagerMemory):
    """Tabs in this process's memory, each forgotten when its own life is over."""

    life: TabLife = dataclasses.field(default_factory=lambda: tab_life(get_settings()))
    clock: SessionClock = dataclasses.field(
        default_factory=lambda: session_clock(get_settings()))
    # The expiry task sleeps until the earliest deadline; a tab given an earlier one
    # (lives differ per tab) wakes it.
    _wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event, init=False)
    _wake_at: float = dataclasses.field(default=math.inf, init=False)

    def _track_token(self, token) -> None:
        now = time.time()
        if isinstance(token, BaseStateToken):
            ttl = self._tab_ttl(session_hash_of(self.states.get(token.cache_key)) or "", now)
        else:
            ttl = self.token_expiration
        expires_at = now + ttl
        self._token_expires_at[token.cache_key] = (expires_at, token)
        if expires_at < self._wake_at:
            self._wake.set()
        self._ensure_expiration_task()

    async def _expire_states(self) -> None:
        try:
            while True:
                next_expires_at = self._purge_expired_tokens()
                if next_expires_at is None:
                    return
                self._wake_at = next_expires_at
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(),
                                           max(0.0, next_expires_at - time.time()))
        finally:
            self._wake_at = math.inf
            if self._expiration_task is asyncio.current_task():
                self._expiration_task = None

    async def _time_tab(self, token) -> None:
        token = self._coerce_token(token)
        if isinstance(token, BaseStateToken):
            await self._read_clock(session_hash_of(self.states.get(token.cache_key)))
            if token.cache_key in self.states:
                self._track_token(token)

    async def get_state(self, token):
        state = await super().get_state(token)
        await self._time_tab(token)
        return state

    async def set_state(self, token, state, **context):
        await super().set_state(token, state, **context)
        await self._time_tab(token)

    def modify_state(self, token, **context):
        return _TimedModify(self, token, super().modify_state(token, **context))


class _TimedModify:
    """Reads the session clock at the end of an event, while the tab is still locked,
    so the manager's own bookkeeping on exit times the tab from a fresh deadline."""

    __slots__ = ("_inner", "_manager", "_token")

    def __init__(self, manager: TabLifeMemoryManager, token, inner) -> None:
        self._manager, self._token, self._inner = manager, token, inner

    async def __aenter__(self):
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc_info):
        try:
            manager = self._manager
            token = manager._coerce_token(self._token)
            await manager._read_clock(session_hash_of(manager.states.get(token.cache_key)))
        finally:
            suppressed = await self._inner.__aexit__(*exc_info)
        return suppressed


# KEYS: the tab's SessionState key, then every state key of the tab. ARGV: the life in
# ms, or -1 to follow the SessionState key's remaining life (an event that did not load
# it), then a visitor's life in ms for a tab whose SessionState key is gone.
_RETIME_SCRIPT = """
local ttl = tonumber(ARGV[1])
if ttl < 0 then
    ttl = redis.call('PTTL', KEYS[1])
    if ttl < 0 then ttl = tonumber(ARGV[2]) end
end
if ttl < 1 then ttl = 1 end
for i = 2, #KEYS do
    redis.call('PEXPIRE', KEYS[i], ttl)
end
return ttl
"""


@dataclasses.dataclass
class TabLifeRedisManager(_TabTimer, StateManagerRedis):
    """Tabs in Redis: after each write, every key of the tab gets the tab's life, so the
    keys an event did not touch go with the rest (and a visitor's tab that signs in is
    not cut short by keys written while it was anonymous)."""

    life: TabLife = dataclasses.field(default_factory=lambda: tab_life(get_settings()))
    clock: SessionClock = dataclasses.field(
        default_factory=lambda: session_clock(get_settings()))
    _tree_classes: list[type[BaseState]] = dataclasses.field(default_factory=list, init=False)

    def _all_state_classes(self, root_cls: type[BaseState]) -> list[type[BaseState]]:
        if not self._tree_classes:
            found, stack = [], [root_cls]
            while stack:
                cls = stack.pop()
                found.append(cls)
                stack.extend(cls.get_substates())
            self._tree_classes = found
        return self._tree_classes

    async def set_state(self, token, state, *, lock_id: bytes | None = None,
                        **context: Any):
        try:
            await super().set_state(token, state, lock_id=lock_id, **context)
        finally:
            # Also when the event is cancelled mid-write (its tab closed): the write may
            # have landed, and must not keep Reflex's lifetime.
            token = self._coerce_token(token)
            if isinstance(token, BaseStateToken):
                await asyncio.shield(self._retime(token, state))

    async def _retime(self, token: BaseStateToken, state: BaseState) -> None:
        session_hash = session_hash_of(state)
        if session_hash is None:
            ttl_ms = -1
        else:
            await self._read_clock(session_hash)
            ttl_ms = max(1, int(self._tab_ttl(session_hash, time.time()) * 1000))
        root_cls = token.cls.get_root_state()
        keys = [token._state_key(cls) for cls in self._all_state_classes(root_cls)]
        session_key = token._state_key(_session_state_class())
        try:
            await self.redis.eval(_RETIME_SCRIPT, 1 + len(keys), session_key, *keys,
                                  ttl_ms, int(self.life.anonymous_seconds * 1000))
        except Exception:  # the keys keep the short lifetime they were written with
            logger.warning("Could not set a tab's lifetime in Redis", exc_info=True)


def create_state_manager(settings: Settings | None = None) -> StateManager:
    """Our manager for the configured mode: Redis when REFLEX_REDIS_URL is set."""
    settings = settings or get_settings()
    config = get_config()
    # Reflex's own lifetime, for what is not a tab's state tree: one idle period.
    ceiling = settings.session_idle_seconds
    life, clock = tab_life(settings), session_clock(settings)
    if config.state_manager_mode == constants.StateManagerMode.REDIS:
        redis = prerequisites.get_redis()
        if redis is None:
            raise RuntimeError("state_manager_mode is redis, but no Redis URL is set")
        # Written first with a visitor's life; `_retime` extends a signed-in tab.
        return TabLifeRedisManager(
            redis=redis, token_expiration=settings.anonymous_tab_seconds,
            lock_expiration=config.redis_lock_expiration,
            lock_warning_threshold=config.redis_lock_warning_threshold,
            life=life, clock=clock)
    if config.state_manager_mode == constants.StateManagerMode.MEMORY:
        return TabLifeMemoryManager(token_expiration=ceiling, life=life, clock=clock)
    raise RuntimeError(f"Unsupported state manager mode {config.state_manager_mode}: "
                       "use memory (one process) or Redis (scaled out)")
