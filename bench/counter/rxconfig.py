"""The floor for bench/tabs.py: a bare Reflex counter app, served like ours (production
build, one port, the memory state manager unless REFLEX_REDIS_URL is set)."""

import os

import reflex as rx

_port = int(os.environ.get("PORT", "8000"))
_url = f"http://localhost:{_port}"
_redis = os.environ.get("REFLEX_REDIS_URL") or None

config = rx.Config(
    app_name="counter",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    state_manager_mode="redis" if _redis else "memory",
    redis_url=_redis,
    frontend_port=_port,
    backend_port=_port,
    api_url=_url,
    deploy_url=_url,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
