"""The passkey routes under /auth/passkey/: activating with a nurse's code, adding one in an
eID session, and logging in with one (GET /auth/passkey/login?next=/path). Thin: the
ceremonies and the rules are digihelse/auth/passkeys.py's; a login lands in the same
server-side session store as an OpenID Connect login, with its assurance recorded.

The JSON endpoints answer only same-origin POSTs with a JSON body (a cross-site form cannot
send one, and a cross-site fetch with it needs a preflight we never grant)."""

from __future__ import annotations

import asyncio
import logging
from html import escape
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from digihelse.access.actors import CITIZEN_ROLE, Actor
from digihelse.audit.log import Entry
from digihelse.auth import passkeys
from digihelse.auth.current import session_store
from digihelse.auth.login_start import safe_next_path
from digihelse.auth.runtime import CITIZEN, AuthRuntime
from digihelse.auth.sessions import cookie_value
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.http.auth import PASSKEY_ISSUER, _audit, _lang, _no_store, _set_session_cookie
from digihelse.http.html import button, page
from digihelse.ui.routes import HOME, MINID_HELP

log = logging.getLogger(__name__)
LOGIN_PATH = "/auth/passkey/login"
STATUS = {"too_many": 429, "not_allowed": 403}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class PasskeyRoutes:
    def __init__(self, runtime: AuthRuntime) -> None:
        self.runtime = runtime
        self.config = passkeys.PasskeyConfig.from_settings(runtime.settings)

    def routes(self) -> list[Route]:
        return [
            Route(LOGIN_PATH, self.login_page, methods=["GET"]),
            Route("/auth/passkey/login/options", self.login_options, methods=["POST"]),
            Route("/auth/passkey/login/verify", self.login_verify, methods=["POST"]),
            Route("/auth/passkey/activate/options", self.activate_options, methods=["POST"]),
            Route("/auth/passkey/activate/verify", self.activate_verify, methods=["POST"]),
            Route("/auth/passkey/add/options", self.add_options, methods=["POST"]),
            Route("/auth/passkey/add/verify", self.add_verify, methods=["POST"]),
        ]

    # -- plumbing ---------------------------------------------------------------------------

    def _refused(self, request: Request, code: str) -> Response:
        message = t(keyed("passkey.error", code), _lang(request))
        return _no_store(JSONResponse({"error": code, "message": message},
                                      status_code=STATUS.get(code, 400)))

    def _same_origin_json(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        json_body = request.headers.get("content-type", "").startswith("application/json")
        return json_body and (origin is None or origin.rstrip("/") == self.runtime.settings
                              .public_url)

    async def _body(self, request: Request) -> dict:
        return passkeys.parse_json_body(await request.body())

    def _eid_user(self, request: Request) -> Actor | None:
        """The citizen of the request's live session, as an Actor (None: none)."""
        settings = self.runtime.settings
        info = session_store().resolve(cookie_value(request.headers.get("cookie"),
                                                    settings.session_cookie_name))
        if info is None or info.provider != CITIZEN:
            return None
        return Actor(pid=info.pid, role=info.role, acr=info.acr, assurance=info.assurance)

    async def _logged_in(self, request: Request, pid: str, passkey_id: int, assurance: str,
                         acr: str | None, next_path: str) -> Response:
        """The same server-side session an OpenID Connect login makes, with the
        passkey's assurance and id (removing the passkey ends it)."""
        session_id = await asyncio.to_thread(
            session_store().create, provider=CITIZEN, pid=pid, role=CITIZEN_ROLE,
            issuer=PASSKEY_ISSUER, sid=None, acr=acr, assurance=assurance,
            passkey_id=passkey_id)
        await asyncio.to_thread(_audit, Entry(
            action="login", object_type="session", actor_pid=pid, actor_role=CITIZEN_ROLE,
            subject_pid=pid, detail=f"passkey={assurance}"))
        response = JSONResponse({"next": safe_next_path(next_path)})
        _set_session_cookie(response, self.runtime, session_id)
        return _no_store(response)

    async def _guarded(self, request: Request, work) -> Response:
        if not self._same_origin_json(request):
            return Response("Cross-site request refused", status_code=403)
        try:
            return await work()
        except passkeys.PasskeyError as exc:
            if exc.code not in ("wrong_code", "too_many"):
                log.info("passkey refused: %s", exc.code)
            return self._refused(request, exc.code)

    # -- login ------------------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        """Log in with a passkey: one button; the ceremony is assets/passkey.js."""
        lang = _lang(request)
        next_path = safe_next_path(request.query_params.get("next") or HOME)
        eid = f"/auth/login?next={quote(next_path, safe='/')}"
        intro = escape(t("passkey.login.intro", lang))
        start = escape(t("passkey.login.button", lang))
        help_text = escape(t("passkey.login.help", lang))
        body = (
            f'<div id="passkey-flow" data-next="{escape(next_path)}">'
            f"<p>{intro}</p>"
            '<p id="passkey-message" class="passkey-message" role="alert"></p>'
            '<button type="button" class="btn primary" id="passkey-login" '
            f'data-passkey="login">{start}</button>'
            + button(eid, t("passkey.login.eid", lang), primary=False)
            + f'<p><a href="{MINID_HELP}">{help_text}</a></p>'
            + _script_texts(lang) + "</div>"
            '<script src="/passkey.js" defer></script>'
        )
        return page(lang, t("passkey.login.title", lang), body)

    async def login_options(self, request: Request) -> Response:
        async def work() -> Response:
            body = await self._body(request)
            next_path = safe_next_path(body.get("next") if isinstance(body.get("next"), str)
                                       else HOME)
            options = await asyncio.to_thread(passkeys.start_login, None, next_path,
                                              self.config)
            return _no_store(Response(options, media_type="application/json"))
        return await self._guarded(request, work)

    async def login_verify(self, request: Request) -> Response:
        async def work() -> Response:
            body = await self._body(request)
            done = await asyncio.to_thread(passkeys.finish_login, None,
                                           body.get("credential"), self.config)
            return await self._logged_in(request, done.pid, done.passkey_id, done.assurance,
                                         done.acr, done.next_path or HOME)
        return await self._guarded(request, work)

    # -- activating with the nurse's code --------------------------------------------------

    async def activate_options(self, request: Request) -> Response:
        async def work() -> Response:
            body = await self._body(request)
            code = body.get("code") if isinstance(body.get("code"), str) else ""
            options = await asyncio.to_thread(passkeys.start_activation, None, code,
                                              _client(request), self.config)
            return _no_store(Response(options, media_type="application/json"))
        return await self._guarded(request, work)

    async def activate_verify(self, request: Request) -> Response:
        async def work() -> Response:
            body = await self._body(request)
            done = await asyncio.to_thread(
                passkeys.finish_registration, None, body.get("credential"), "activate",
                self.config, device=passkeys.device_name(request.headers.get("user-agent")))
            return await self._logged_in(request, done.pid, done.passkey_id, done.assurance,
                                         done.acr, HOME)
        return await self._guarded(request, work)

    # -- adding one after MinID/BankID ------------------------------------------------------

    async def add_options(self, request: Request) -> Response:
        async def work() -> Response:
            user = await asyncio.to_thread(self._eid_user, request)
            if user is None:
                raise passkeys.PasskeyError("not_allowed")
            options = await asyncio.to_thread(passkeys.start_adding, None, user, self.config)
            return _no_store(Response(options, media_type="application/json"))
        return await self._guarded(request, work)

    async def add_verify(self, request: Request) -> Response:
        async def work() -> Response:
            user = await asyncio.to_thread(self._eid_user, request)
            if user is None:
                raise passkeys.PasskeyError("not_allowed")
            body = await self._body(request)
            await asyncio.to_thread(
                passkeys.finish_registration, None, body.get("credential"), "add",
                self.config, device=passkeys.device_name(request.headers.get("user-agent")),
                user=user)
            return _no_store(JSONResponse({"next": "/innstillinger/passnokler"}))
        return await self._guarded(request, work)


# The words assets/passkey.js shows itself (hidden; it copies them into the message box).
SCRIPT_TEXTS = ("working", "cancelled", "unsupported", "failed")


def _script_texts(lang: str) -> str:
    return "".join(f'<span hidden id="passkey-text-{key}">'
                   f'{escape(t(keyed("passkey.script", key), lang))}</span>'
                   for key in SCRIPT_TEXTS)
