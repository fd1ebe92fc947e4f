"""The base state every page shares: language, and who is logged in.

Identity comes only from the HttpOnly session cookie the websocket handshake carried;
the Reflex client token is never trusted for it. The pid stays in a backend-only var."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import reflex as rx

from digihelse.auth.current import current_user
from digihelse.i18n import DEFAULT_LANG, normalise_lang, texts_for


def full_page_load(url: str) -> rx.event.EventSpec:
    """Navigate with a real page load, so HTTP routes (login/logout) and cookies apply."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def set_html_lang(lang: str) -> rx.event.EventSpec:
    return rx.call_script(f"document.documentElement.lang = {json.dumps(lang)}")


class SessionState(rx.State):
    lang: str = rx.Cookie(DEFAULT_LANG, name="digihelse_lang", max_age=365 * 24 * 3600)
    logged_in: bool = False
    checked: bool = False  # the session lookup for this page has finished
    display_name: str = ""
    given_name: str = ""
    role: str = ""
    is_personnel: bool = False
    hpr_number: str = ""
    organisation: str = ""
    _pid: str = ""

    @rx.var
    def tr(self) -> dict[str, str]:
        return texts_for(self.lang)

    @rx.event
    def set_lang(self, lang: str):
        self.lang = normalise_lang(lang)
        return set_html_lang(self.lang)

    async def _resolve(self) -> None:
        cookie = self.router.headers.cookie
        user = await asyncio.to_thread(current_user, cookie)
        self.logged_in = user is not None
        self._pid = user.pid if user else ""
        self.display_name = user.name if user else ""
        self.given_name = (user.given_name or user.name) if user else ""
        self.role = user.role if user else ""
        self.is_personnel = bool(user and user.is_personnel)
        self.hpr_number = (user.hpr_number or "") if user else ""
        self.organisation = (user.organisation or "") if user else ""
        self.checked = True

    def _login_redirect(self, personnel: bool = False):
        url = self.router.url
        target = url.path + (f"?{url.query}" if url.query else "")
        base = "/auth/personnel/login" if personnel else "/auth/login"
        return full_page_load(f"{base}?next={quote(target, safe='')}")

    @rx.event
    async def load_public(self):
        """on_load for public pages: know who is here, set the page language."""
        await self._resolve()
        self.lang = normalise_lang(self.lang)
        return set_html_lang(self.lang)

    @rx.event
    async def load_citizen(self):
        """on_load for citizen pages: anonymous visitors go to login and back."""
        await self._resolve()
        if not self.logged_in or self.is_personnel:
            return self._login_redirect()
        return set_html_lang(normalise_lang(self.lang))

    @rx.event
    async def load_personnel(self):
        """on_load for personnel pages: only a personnel login will do."""
        await self._resolve()
        if not self.logged_in or not self.is_personnel:
            return self._login_redirect(personnel=True)
        return set_html_lang(normalise_lang(self.lang))
