"""Reflex configuration. The app's own settings live in digihelse/core/settings.py."""

import reflex as rx

from digihelse.core.settings import get_settings

_settings = get_settings()
# `make dev` runs Vite on :3000 beside the backend; production serves both on one port.
_dev = _settings.dev
_frontend_port = 3000 if _dev else _settings.port

config = rx.Config(
    app_name="digihelse",
    app_module_import="digihelse.ui.app",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    state_manager_mode="redis" if _settings.redis_url else "memory",
    redis_url=_settings.redis_url,
    # The websocket and the API answer only the app's own origin.
    cors_allowed_origins=[_settings.public_url]
    + ([f"http://localhost:{_frontend_port}"] if _dev else []),
    frontend_port=_frontend_port,
    backend_port=_settings.port,
    api_url=_settings.public_url,
    deploy_url=_settings.public_url,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
