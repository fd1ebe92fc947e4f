"""The login routes: /auth/login, /auth/callback, /auth/logout, front-channel logout, and
the same for personnel. Thin: the relying party validates, the session store remembers."""

from __future__ import annotations

import asyncio
import logging
from html import escape
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digihelse.access.actors import CITIZEN_ROLE
from digihelse.audit.log import Entry, append
from digihelse.auth import passkeys, tabs
from digihelse.auth.current import session_store
from digihelse.auth.login_start import binding_cookie, safe_next_path
from digihelse.auth.outcome import LoginFailed, LoginResult
from digihelse.auth.runtime import (
    CITIZEN,
    HELSEID_HPR,
    HELSEID_LEVEL,
    HELSEID_PID,
    LOGGED_OUT_PATH,
    PERSONNEL,
    QUICK_EXIT_PATH,
    SESSION_ENDED_PATH,
    WORKER_HEADER,
    AuthRuntime,
    with_worker_header,
)
from digihelse.auth.sessions import cookie_value
from digihelse.core.db import session as db_session
from digihelse.core.db import write_session
from digihelse.core.i18n import normalise_lang, t
from digihelse.http.html import button, page
from digihelse.people.registry import personnel_by_pid
from digihelse.ui.routes import HOME, PERSONNEL_HOME

log = logging.getLogger(__name__)
LANG_COOKIE = "digihelse_lang"
LOGIN_PATHS = {CITIZEN: "/auth/login", PERSONNEL: "/auth/personnel/login"}
PASSKEY_ISSUER = "passkey"  # a passkey login's session: no provider to log out at

_MESSAGES = {
    "provider_error": "login.failed.cancelled",
    "state_missing": "login.failed.expired",
    "other_browser": "login.failed.other_browser",
    "state_unknown": "login.failed.expired",
    "state_expired": "login.failed.expired",
    "code_replayed": "login.failed.expired",
    "acr_too_low": "login.failed.level",
    "not_personnel": "login.failed.not_personnel",
    "security_level": "login.failed.level",
    "discovery": "login.failed.unavailable",
    "token_endpoint": "login.failed.unavailable",
    "jwks_unavailable": "login.failed.unavailable",
}


def _lang(request: Request) -> str:
    return normalise_lang(request.cookies.get(LANG_COOKIE))


def _audit(entry: Entry) -> None:
    with write_session() as s:
        append(s, entry)


def _set_session_cookie(response: Response, runtime: AuthRuntime, session_id: str) -> None:
    settings = runtime.settings
    response.set_cookie(
        settings.session_cookie_name, session_id, path="/", httponly=True, samesite="lax",
        secure=settings.cookie_secure, max_age=settings.session_absolute_seconds,
    )


def _clear_session_cookie(response: Response, runtime: AuthRuntime) -> None:
    settings = runtime.settings
    response.delete_cookie(settings.session_cookie_name, path="/", httponly=True,
                           samesite="lax", secure=settings.cookie_secure)


async def _drop_ended_tabs() -> None:
    """The states of the tabs of every ended session go, on whichever worker keeps them."""
    await tabs.drop_tabs(await asyncio.to_thread(tabs.tabs_of_ended_sessions))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


class AuthRoutes:
    def __init__(self, runtime: AuthRuntime) -> None:
        self.runtime = runtime

    def routes(self) -> list[Route]:
        named = self._named_worker
        return [
            Route("/auth/login", named(self.login_citizen), methods=["GET"]),
            Route("/auth/personnel/login", named(self.login_personnel), methods=["GET"]),
            Route("/auth/callback", named(self.callback_citizen), methods=["GET"]),
            Route("/auth/personnel/callback", named(self.callback_personnel), methods=["GET"]),
            Route("/auth/logout", named(self.logout), methods=["POST"]),
            Route(QUICK_EXIT_PATH, named(self.quick_exit), methods=["POST"]),
            Route("/auth/frontchannel-logout", named(self.frontchannel_citizen),
                  methods=["GET"]),
            Route("/auth/personnel/frontchannel-logout", named(self.frontchannel_personnel),
                  methods=["GET"]),
            Route(LOGGED_OUT_PATH, named(self.logged_out), methods=["GET"]),
            Route(SESSION_ENDED_PATH, named(self.session_ended), methods=["GET"]),
        ]

    def _named_worker(self, endpoint):
        """In test mode, name the serving process on the response (see WORKER_HEADER)."""
        test = self.runtime.settings.env == "test"
        return with_worker_header(endpoint, WORKER_HEADER if test else None)

    # -- starting a login -------------------------------------------------------------

    async def login_citizen(self, request: Request) -> Response:
        return await self._login(request, CITIZEN)

    async def login_personnel(self, request: Request) -> Response:
        return await self._login(request, PERSONNEL)

    async def _login(self, request: Request, provider: str) -> Response:
        next_path = safe_next_path(request.query_params.get("next"))
        lang = _lang(request)
        try:
            url, state = await self.runtime.rp(provider).start_bound_login(next_path, lang)
        except LoginFailed as exc:
            log.warning("login could not start at %s: %s", provider, exc.code)
            return self._failure_page(lang, provider, next_path, exc.code, status=503)
        response = RedirectResponse(url, status_code=303)
        # Lax: the provider's redirect back is a top-level GET, which carries it.
        settings = self.runtime.settings
        response.set_cookie(binding_cookie(state), "1", path="/auth/", httponly=True,
                            samesite="lax", secure=settings.cookie_secure,
                            max_age=settings.login_attempt_seconds)
        return _no_store(response)

    # -- finishing it -------------------------------------------------------------------

    async def callback_citizen(self, request: Request) -> Response:
        return await self._callback(request, CITIZEN)

    async def callback_personnel(self, request: Request) -> Response:
        return await self._callback(request, PERSONNEL)

    async def _callback(self, request: Request, provider: str) -> Response:
        lang = _lang(request)
        state = request.query_params.get("state", "")
        if state and binding_cookie(state) not in request.cookies:
            # A callback this browser did not start (login CSRF): no session, and the
            # attempt is left alone for the browser that did start it.
            await asyncio.to_thread(_audit, Entry(
                action="login", object_type="session", outcome="failed",
                actor_role=provider, detail="other_browser: no binding cookie"))
            return self._failure_page(lang, provider, "/", "other_browser", status=400)
        try:
            result = await self.runtime.rp(provider).finish_login(request.query_params)
            role, hpr = await asyncio.to_thread(self._authorise, provider, result)
        except LoginFailed as exc:
            await asyncio.to_thread(_audit, Entry(
                action="login", object_type="session", outcome="failed",
                actor_role=provider, detail=f"{exc.code}: {exc}"[:500],
            ))
            status = 403 if exc.code in ("not_personnel", "security_level",
                                         "acr_too_low") else 400
            return self._failure_page(lang, provider, "/", exc.code, status=status)
        claims = result.claims
        pid = claims[self.runtime.rp(provider).pid_claim]
        session_id = await asyncio.to_thread(
            session_store().create, provider=provider, pid=pid, role=role,
            issuer=claims["iss"], sid=claims.get("sid"), acr=claims.get("acr"),
            hpr_number=hpr, id_token=result.id_token,
        )
        await asyncio.to_thread(_audit, Entry(
            action="login", object_type="session", actor_pid=pid, actor_role=role,
            actor_hpr=hpr, subject_pid=pid, detail=f"acr={claims.get('acr')}",
        ))
        if provider == CITIZEN:
            # Her passkeys added after an eID login keep its assurance from now on.
            await asyncio.to_thread(passkeys.eid_login_seen, None, pid, claims.get("acr"))
        response = RedirectResponse(result.next_path, status_code=303)
        _set_session_cookie(response, self.runtime, session_id)
        return _no_store(response)  # the binding cookie expires with the attempt

    def _authorise(self, provider: str, result: LoginResult) -> tuple[str, str | None]:
        """The role the login gives: citizens are citizens; personnel must be registered
        health personnel at security level 4 whose HPR number matches."""
        if provider == CITIZEN:
            return CITIZEN_ROLE, None
        claims = result.claims
        if str(claims.get(HELSEID_LEVEL)) != "4":
            raise LoginFailed("security_level", "HelseID security level 4 is required")
        with db_session() as s:
            found = personnel_by_pid(s, claims[HELSEID_PID])
        if found is None:
            raise LoginFailed("not_personnel", "the person is not registered personnel")
        _, staff = found
        hpr = claims.get(HELSEID_HPR)
        if hpr is not None and str(hpr) != staff.hpr_number:
            raise LoginFailed("not_personnel", "the HPR number does not match the registry")
        return staff.role, staff.hpr_number

    def _failure_page(self, lang: str, provider: str, next_path: str, code: str,
                      status: int) -> Response:
        message = t(_MESSAGES.get(code, "login.failed.generic"), lang)
        retry = f"{LOGIN_PATHS[provider]}?next={quote(next_path, safe='/')}"
        body = (
            f'<div class="box" role="alert"><p>{escape(message)}</p></div>'
            + button(retry, t("login.failed.retry", lang))
            + button("/", t("login.failed.home", lang), primary=False)
            + f'<p class="muted">{escape(t("login.failed.code", lang))}: {escape(code)}</p>'
        )
        response = page(lang, t("login.failed.title", lang), body, status=status)
        _clear_session_cookie(response, self.runtime)
        return response

    # -- logging out ----------------------------------------------------------------------

    def _cross_site(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        return bool(origin and origin.rstrip("/") != self.runtime.settings.public_url
                    and origin != "null")

    async def _end_session(self, request: Request, reason: str):
        """End the session behind the cookie, forget its tabs on every worker, log it."""
        session_id = cookie_value(request.headers.get("cookie"),
                                  self.runtime.settings.session_cookie_name)
        info = await asyncio.to_thread(session_store().end, session_id, reason)
        await _drop_ended_tabs()
        if info is not None:
            await asyncio.to_thread(_audit, Entry(
                action="logout", object_type="session", actor_pid=info.pid,
                actor_role=info.role, actor_hpr=info.hpr_number, subject_pid=info.pid,
                detail=None if reason == "logout" else reason,
            ))
        return info

    async def logout(self, request: Request) -> Response:
        settings = self.runtime.settings
        if self._cross_site(request):
            return Response("Cross-site logout refused", status_code=403)
        info = await self._end_session(request, "logout")
        target = LOGGED_OUT_PATH
        if info is not None and info.issuer != PASSKEY_ISSUER:
            rp = self.runtime.rp(info.provider)
            try:
                await rp.ensure_discovery()
                target = rp.end_session_url(
                    info.id_token, settings.public_url + LOGGED_OUT_PATH) or target
            except (LoginFailed, RuntimeError) as exc:
                # We are logged out here whatever the provider says; say so and go on.
                log.warning("provider logout unavailable: %s", exc)
        response = RedirectResponse(target, status_code=303)
        _clear_session_cookie(response, self.runtime)
        return _no_store(response)

    async def quick_exit(self, request: Request) -> Response:
        """"Lukk": the page sends this (fetch with keepalive) as it leaves for a neutral
        site. The session ends here and now, without the provider's logout page, so
        nothing of hers is on screen when the phone is picked up again."""
        if self._cross_site(request):
            return Response("Cross-site logout refused", status_code=403)
        await self._end_session(request, "quick_exit")
        response = Response(status_code=204)
        _clear_session_cookie(response, self.runtime)
        return _no_store(response)

    async def frontchannel_citizen(self, request: Request) -> Response:
        return await self._frontchannel(request, CITIZEN)

    async def frontchannel_personnel(self, request: Request) -> Response:
        return await self._frontchannel(request, PERSONNEL)

    async def _frontchannel(self, request: Request, provider: str) -> Response:
        """OpenID Connect Front-Channel Logout 1.0: the provider loads this in an iframe."""
        iss = request.query_params.get("iss")
        sid = request.query_params.get("sid")
        expected = self.runtime.rp(provider).oidc.issuer
        if not sid or iss != expected:
            return _no_store(Response("iss and sid are required", status_code=400))
        ended = await asyncio.to_thread(session_store().end_by_sid, expected, sid)
        await _drop_ended_tabs()
        if ended:
            await asyncio.to_thread(_audit, Entry(
                action="logout", object_type="session", actor_role=provider, channel="system",
                detail=f"front-channel logout ended {ended} session(s)",
            ))
        response = Response("", status_code=200)
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return _no_store(response)

    async def logged_out(self, request: Request) -> Response:
        lang = _lang(request)
        return self._signed_out(lang, t("logout.title", lang), t("logout.text", lang),
                                f"/auth/login?{urlencode({'next': HOME})}")

    async def session_ended(self, request: Request) -> Response:
        """Where a tab goes when its session ended under it: neutral, names nobody."""
        lang = _lang(request)
        back = safe_next_path(request.query_params.get("next"))
        personnel = back == PERSONNEL_HOME or back.startswith(PERSONNEL_HOME + "/")
        login = LOGIN_PATHS[PERSONNEL if personnel else CITIZEN]
        if back in ("/", SESSION_ENDED_PATH):
            back = PERSONNEL_HOME if personnel else HOME
        return self._signed_out(lang, t("ended.title", lang), t("ended.text", lang),
                                f"{login}?{urlencode({'next': back})}")

    def _signed_out(self, lang: str, title: str, text: str, login_again: str) -> Response:
        """A page after the session ended (logged out, or ended under an open tab): its
        text, a way to log in again and the front page; the tab's token is forgotten."""
        body = (
            f'<div class="box ok" role="status"><p>{escape(text)}</p></div>'
            + button(login_again, t("logout.again", lang))
            + button("/", t("login.failed.home", lang), primary=False)
        )
        response = page(lang, title, body, forget_tab=True)
        _clear_session_cookie(response, self.runtime)
        return response
