"""POST /api/push/subscription: the browser's Web Push subscription for the signed-in
citizen (her own, from the session cookie), same-origin JSON only, as the passkey routes.
GET /api/push/key: the VAPID public key browsers subscribe with (none: 404)."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from digihelse.access.actors import CITIZEN_ROLE, Actor
from digihelse.auth.current import session_store
from digihelse.auth.runtime import CITIZEN, AuthRuntime
from digihelse.auth.sessions import cookie_value
from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.http.auth import _no_store
from digihelse.messages import preferences


class PushRoutes:
    def __init__(self, runtime: AuthRuntime) -> None:
        self.runtime = runtime

    def routes(self) -> list[Route]:
        return [Route("/api/push/subscription", self.subscribe, methods=["POST"]),
                Route("/api/push/key", self.key, methods=["GET"])]

    def _citizen(self, request: Request) -> Actor | None:
        settings = self.runtime.settings
        info = session_store().resolve(cookie_value(request.headers.get("cookie"),
                                                    settings.session_cookie_name))
        if info is None or info.provider != CITIZEN:
            return None
        return Actor(pid=info.pid, role=CITIZEN_ROLE, acr=info.acr, assurance=info.assurance)

    async def key(self, request: Request) -> Response:
        public = self.runtime.settings.vapid_public_key
        if not public:
            return _no_store(JSONResponse({"error": "no_push"}, status_code=404))
        return _no_store(JSONResponse({"key": public}))

    async def subscribe(self, request: Request) -> Response:
        origin = request.headers.get("origin")
        if not request.headers.get("content-type", "").startswith("application/json") or (
                origin is not None and origin.rstrip("/") != self.runtime.settings.public_url):
            return _no_store(Response("Cross-site request refused", status_code=403))
        actor = await asyncio.to_thread(self._citizen, request)
        if actor is None:
            return _no_store(JSONResponse({"error": "not_signed_in"}, status_code=401))
        try:
            body = json.loads(await request.body() or b"{}")
            keys = body.get("keys") or {}
            await asyncio.to_thread(
                preferences.add_push_subscription, get_engine(), actor,
                endpoint=str(body.get("endpoint", "")), p256dh=str(keys.get("p256dh", "")),
                auth=str(keys.get("auth", "")))
        except (ValueError, AttributeError, ServiceError):
            return _no_store(JSONResponse({"error": "bad_subscription"}, status_code=400))
        return _no_store(JSONResponse({"ok": True}))
