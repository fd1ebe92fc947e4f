"""When a session ends (logout, idle or absolute timeout, front-channel logout), the
states of its tabs are dropped on the server, wherever the tab is kept, and open tabs are
sent to the session-ended page: a tab never outlives its session."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from digihelse.auth import tabs
from digihelse.auth.current import session_store
from digihelse.ui.state.guard import reset_tree, to_ended_page

log = logging.getLogger(__name__)
SWEEP_SECONDS = 20


async def drop_tab_states(tokens: list[str]) -> None:
    """Reset the states of these tabs and send any that are open to the ended page."""
    from digihelse.ui.app import app  # the running app, for its state manager

    for token in tokens:
        async with app.state_manager.modify_state(
                BaseStateToken(ident=token, cls=State)) as root:
            await reset_tree(root, ended=True)
            leave = await to_ended_page(root)
        with contextlib.suppress(Exception):  # a closed socket learns it on its next event
            await app.event_namespace.emit_update(leave, token)


async def sweep_once() -> int:
    """End the sessions past their timeouts, then drop the tabs of every ended session."""
    await asyncio.to_thread(session_store().end_expired)
    tokens = await asyncio.to_thread(tabs.tabs_of_ended_sessions)
    await tabs.drop_tabs(tokens)
    return len(tokens)


@contextlib.asynccontextmanager
async def end_stale_tabs() -> AsyncIterator[None]:
    """Lifespan: sweep now and then for tabs left open past their session. Every worker
    may sweep: ending and dropping are idempotent."""

    async def loop() -> None:
        while True:
            try:
                await sweep_once()
            except Exception:
                log.exception("sweeping tabs of ended sessions failed")
            await asyncio.sleep(SWEEP_SECONDS)

    task = asyncio.create_task(loop(), name="digihelse-end-stale-tabs")
    try:
        yield
    finally:
        task.cancel()


tabs.on_drop(drop_tab_states)
