"""Bounded memory for tabs: our state manager (tabs forgotten by `TabLife`) and the
per-address websocket cap, put into the `rx.App` once it is built."""

from __future__ import annotations

import asyncio
import contextlib

from reflex.app import App
from reflex.istate.manager.redis import StateManagerRedis

from digihelse.ui.tabs.managers import create_state_manager
from digihelse.ui.tabs.socket_limit import install_socket_limit


def install_tab_bounds(app: App) -> None:
    """Replace the state manager `rx.App` made and limit its websocket.

    Call it right after `rx.App(...)`: the event processor takes `app.state_manager`
    when the server starts, so nothing has used the replaced manager yet."""
    replaced = app._state_manager
    manager = create_state_manager()
    app._state_manager = manager
    if replaced is not None:
        with contextlib.suppress(RuntimeError):  # no loop at import: nothing to close
            asyncio.get_running_loop().create_task(replaced.close())
    install_socket_limit(app, manager.redis if isinstance(manager, StateManagerRedis) else None)
