"""The provider's login page: the user picks or types a test person (and, for citizens, a
level), and a submitted form becomes an authorization code, a provider session cookie and
the redirect back to the client."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from digihelse.people.nin import InvalidNin, parse_nin
from digihelse_dev.providers import page
from digihelse_dev.providers.config import TestUser
from digihelse_dev.providers.context import ProviderContext
from digihelse_dev.providers.protocol import (
    NO_STORE,
    add_query,
    error_page,
    html_page,
    redirect_error,
)
from digihelse_dev.providers.records import CodeRecord, Pending


class LoginPage:
    """Opens the login page for a checked authorization request and handles its form."""

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx

    def open(self, pending: Pending) -> Response:
        """Store the request under a fresh id (any worker may get the form) and show it."""
        request_id = secrets.token_urlsafe(32)
        self._ctx.store.put_request(request_id, "login", pending.as_data(), pending.expires,
                                    self._ctx.now())
        return self._render(request_id, pending)

    def _render(
        self,
        request_id: str,
        pending: Pending,
        *,
        pid_value: str = "",
        acr: str | None = None,
        error_key: str | None = None,
    ) -> Response:
        ctx = self._ctx
        personnel = ctx.config.kind == "personnel"
        today = ctx.today()
        persons = [
            page.PersonChoice(
                pid=user.pid,
                name=user.name,
                details=page.describe_person(
                    pending.locale,
                    birth_date=user.birth_date,
                    today=today,
                    description=user.description,
                    roles=user.roles,
                    hpr_number=user.hpr_number,
                    personnel=personnel,
                ),
            )
            for user in ctx.users()
        ]
        client = ctx.clients[pending.client_id]
        html = page.render_login_page(
            kind=ctx.config.kind,
            locale=pending.locale,
            action=f"{ctx.public_path}/authorize",
            request_id=request_id,
            client_name=client.client_name or client.client_id,
            persons=persons,
            acr_values=ctx.config.acr_values,
            selected_acr=acr or pending.acr,
            pid_value=pid_value,
            error_key=error_key,
        )
        return html_page(html)

    def _resolve_user(self, pid: str) -> TestUser | str:
        """The person for a typed or picked pid, or the key of an error message."""
        if not pid:
            return "pid_empty"
        users = self._ctx.known_users()
        if self._ctx.config.kind == "personnel":
            return users.get(pid, "pid_not_personnel")
        compact = pid.replace(" ", "")
        if len(compact) != 11 or not compact.isdigit():
            return "pid_format"
        try:
            nin = parse_nin(compact)
        except InvalidNin:
            return "pid_invalid"
        known = users.get(nin.value)
        if known is not None:
            return known
        return TestUser(pid=nin.value, name=f"Testperson {nin.value}", birth_date=nin.birth_date)

    async def submit(self, request: Request) -> Response:
        """The login form posted back to /authorize: cancel, or log the picked person in."""
        ctx = self._ctx
        form = await request.form()
        request_id = form.get("request")
        now = ctx.now()
        found = (ctx.store.get_request(request_id, "login", now)
                 if isinstance(request_id, str) else None)
        pending = Pending.from_data(found) if found is not None else None
        if pending is None:
            return error_page(ctx.config.kind, page.DEFAULT_LOCALE, "expired")
        assert isinstance(request_id, str)
        if form.get("cancel"):
            ctx.store.take_request(request_id, "login", now)
            return redirect_error(pending.redirect_uri, "access_denied",
                                  "the user cancelled the login", pending.state, ctx.issuer)
        picked, typed = form.get("pick"), form.get("pid")
        pid = (picked if isinstance(picked, str) and picked else typed) or ""
        pid = pid.strip() if isinstance(pid, str) else ""
        acr: str | None = None
        if ctx.config.acr_values:
            raw_acr = form.get("acr") or pending.acr
            if raw_acr not in ctx.config.acr_values:
                return self._render(request_id, pending, pid_value=pid, error_key="acr_invalid")
            # The user may pick a lower level than the client asked for, as in TestID:
            # that is how a client's own acr check gets tested.
            acr = str(raw_acr)
        user = self._resolve_user(pid)
        if isinstance(user, str):
            return self._render(request_id, pending, pid_value=pid, acr=acr, error_key=user)

        browser_key = request.cookies.get(ctx.cookie_name)
        code = secrets.token_urlsafe(32)
        if ctx.store.take_request(request_id, "login", now) is None:
            # A concurrent submit of the same form won the race (on any worker).
            return error_page(ctx.config.kind, pending.locale, "expired")
        sid, cookie = ctx.store.session_for(browser_key, user.pid, pending.client_id, now,
                                            ctx.config.session_lifetime)
        record = CodeRecord(
            client_id=pending.client_id,
            redirect_uri=pending.redirect_uri,
            code_challenge=pending.code_challenge,
            nonce=pending.nonce,
            acr=acr,
            user=user,
            sid=sid,
            auth_time=int(now),
            scopes=pending.scopes,
            locale=pending.locale,
        )
        ctx.store.put_code(code, pending.client_id, record.as_data(),
                           now + ctx.config.code_lifetime, now)
        url = add_query(pending.redirect_uri,
                        {"code": code, "state": pending.state, "iss": ctx.issuer})
        response = RedirectResponse(url, status_code=303, headers=NO_STORE)
        response.set_cookie(
            ctx.cookie_name,
            cookie,
            max_age=ctx.config.session_lifetime,
            path=ctx.public_path,
            secure=ctx.issuer.startswith("https://"),
            httponly=True,
            samesite="lax",
        )
        return response
