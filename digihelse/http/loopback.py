"""Local use under either loopback name: a page opened on http://127.0.0.1:PORT when the
app's public URL is http://localhost:PORT (or the other way round) is sent to the public
URL, so that its websocket, cookies and login all share one origin.

Without it the page loads but its websocket is refused: Reflex points the socket at the
page's own host, and the websocket answers only the public URL's origin. Allowing both
origins would not do: the session cookie is per host, and the login returns to the public
URL. Only top-level navigations are redirected, never API or server-to-server calls (the
embedded providers reach themselves on 127.0.0.1). Never active in production."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from digihelse.core.settings import Settings, is_loopback_url

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _is_navigation(headers: Headers) -> bool:
    mode = headers.get("sec-fetch-mode")
    if mode is not None:
        return mode == "navigate"
    return "text/html" in headers.get("accept", "")  # an older browser


class LoopbackHost:
    """Redirects a browser's page request on another loopback name to the public URL."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        public = urlsplit(settings.public_url)
        self.public_url = settings.public_url
        self.public_host = public.hostname or ""
        self.active = (not settings.is_production and is_loopback_url(settings.public_url))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.active and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            headers = Headers(scope=scope)
            host = urlsplit(f"//{headers.get('host', '')}").hostname or ""
            if (host != self.public_host and host in LOOPBACK_NAMES
                    and _is_navigation(headers)):
                query = scope.get("query_string", b"").decode("latin-1")
                target = self.public_url + scope["path"] + (f"?{query}" if query else "")
                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        await self.app(scope, receive, send)
