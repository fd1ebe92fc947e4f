"""A Content-Security-Policy on every page the app serves, without 'unsafe-inline' for
scripts.

Reflex prerenders each page with a few inline scripts (React Router's context and
stream, React's hydration markers, the colour-mode guard). Rather than allow inline
script wholesale, each HTML response is read once on its way out and the policy lists
the SHA-256 of exactly the inline scripts it carries; any other inline script, injected
or not, is refused by the browser."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

# Each source, and why it is allowed:
BASE_POLICY = "; ".join((
    "default-src 'self'",
    # Our stylesheet and Reflex's; 'unsafe-inline' because Emotion (Reflex's CSS-in-JS)
    # writes <style> elements at run time. Styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    # Icons and the QR code may come as data: URIs; nothing is loaded from elsewhere.
    "img-src 'self' data:",
    "font-src 'self' data:",
    # The state travels over the websocket to this same origin ('self' covers ws/wss).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    # The provider's logout page frames our front-channel logout; nobody else frames us.
    "frame-ancestors 'self'",
))


def script_hashes(html: bytes) -> list[str]:
    """The CSP source for each inline script in the page: 'sha256-<base64>'."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


def policy_for(html: bytes) -> str:
    # No 'unsafe-eval': what a server event asks of the browser is data for code in the
    # bundle (ui/state/client_actions.py), never a script to eval().
    scripts = " ".join(["'self'", *script_hashes(html)])
    return f"{BASE_POLICY}; script-src {scripts}"


def _maybe_page(path: str) -> bool:
    """A page (/, /hjem/, /bestill.html); not a script, stylesheet or image file."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return "." not in last or last.endswith(".html")


class ContentSecurityPolicy:
    """Adds the policy to HTML responses that have none (the test providers set their
    own). Other responses pass through untouched, streamed as they come."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _maybe_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        # A page's file must come as body chunks we can read, not as a path the server
        # sends itself (Granian's http.response.pathsend).
        extensions = {k: v for k, v in (scope.get("extensions") or {}).items()
                      if k != "http.response.pathsend"}
        scope = {**scope, "extensions": extensions}
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if not is_html or b"content-security-policy" in headers:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            if message["type"] != "http.response.body":  # nothing we can read: as it came
                await send(start)
                start = None
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = list(start.get("headers", []))
            encoding = dict((k.lower(), v) for k, v in headers).get(b"content-encoding", b"")
            html = gzip.decompress(body) if encoding == b"gzip" else body
            headers.append((b"content-security-policy", policy_for(html).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
