"""The whole login wiring in one process: our relying party against the embedded
providers, through the real HTTP routes, with a migrated and seeded database."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.auth.models import UserSession
from digihelse.core import db

BASE = "http://localhost:8000"


def _pid(client: TestClient, given: str, issuer: str = "/idp") -> str:
    users = client.get(f"{issuer}/testusers").json()
    return next(u["pid"] for u in users if u["name"].startswith(given))


def _login(client: TestClient, pid: str, *, acr: str | None = "idporten-loa-substantial",
           personnel: bool = False, next_path: str = "/hjem") -> httpx.Response:
    start = "/auth/personnel/login" if personnel else "/auth/login"
    to_provider = client.get(f"{start}?next={next_path}", follow_redirects=False)
    assert to_provider.status_code == 303
    page = client.get(to_provider.headers["location"])
    assert page.status_code == 200 and "TEST-innlogging" in page.text
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    form = {"request": request_id, "pid": pid}
    if acr:
        form["acr"] = acr
    action = urlsplit(to_provider.headers["location"]).path
    to_callback = client.post(action, data=form, follow_redirects=False)
    assert to_callback.status_code in (302, 303), to_callback.text
    callback = to_callback.headers["location"]
    assert parse_qs(urlsplit(callback).query)["iss"]
    return client.get(callback, follow_redirects=False)


def _sessions() -> list[UserSession]:
    with db.session() as s:
        return list(s.exec(select(UserSession)))


def _log() -> list[AccessLog]:
    with db.session() as s:
        return list(s.exec(select(AccessLog).order_by(AccessLog.id)))


def test_citizen_login_sets_an_httponly_session_and_logs_it(make_app):
    client = make_app()
    pid = _pid(client, "Ida")
    done = _login(client, pid)
    assert done.status_code == 303 and done.headers["location"] == "/hjem"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("digihelse_session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    [row] = _sessions()
    assert row.pid == pid and row.role == "citizen" and row.sid
    assert row.acr == "idporten-loa-substantial"
    value = client.cookies.get("digihelse_session")
    assert row.id_hash != value  # only the hash is stored
    assert [(e.action, e.outcome, e.actor_pid) for e in _log()] == [("login", "ok", pid)]


def test_acr_below_the_setting_is_refused_with_403_no_cookie_and_an_audit_record(make_app):
    client = make_app(DIGIHELSE_OIDC_ACR="idporten-loa-high")
    done = _login(client, _pid(client, "Ida"), acr="idporten-loa-substantial")
    assert done.status_code == 403
    assert "BankID" in done.text and "Prøv igjen" in done.text
    assert "digihelse_session=" not in done.headers.get("set-cookie", "").replace(
        'digihelse_session=""', "")
    assert not _sessions()
    [entry] = _log()
    assert (entry.action, entry.outcome) == ("login", "failed")
    assert entry.detail.startswith("acr_too_low")


def test_bankid_passes_a_high_acr_requirement(make_app):
    client = make_app(DIGIHELSE_OIDC_ACR="idporten-loa-high")
    assert _login(client, _pid(client, "Ida"), acr="idporten-loa-high").status_code == 303


def test_a_replayed_callback_is_refused(make_app):
    client = make_app()
    to_provider = client.get("/auth/login?next=/hjem", follow_redirects=False)
    page = client.get(to_provider.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    callback = client.post("/idp/authorize", follow_redirects=False, data={
        "request": request_id, "pid": _pid(client, "Emil"),
        "acr": "idporten-loa-substantial"}).headers["location"]
    assert client.get(callback, follow_redirects=False).status_code == 303
    again = client.get(callback, follow_redirects=False)
    assert again.status_code == 400 and "Start på nytt" in again.text


def test_a_callback_opened_in_another_browser_logs_nobody_in(make_app):
    """Login CSRF: the attacker starts a login, signs in at the provider and sends the
    callback URL to his victim. Her browser has no binding cookie for that attempt."""
    attacker = make_app()
    to_provider = attacker.get("/auth/login?next=/hjem", follow_redirects=False)
    page = attacker.get(to_provider.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    callback = attacker.post("/idp/authorize", follow_redirects=False, data={
        "request": request_id, "pid": _pid(attacker, "Emil"),
        "acr": "idporten-loa-substantial"}).headers["location"]
    victim = TestClient(attacker.app, base_url=BASE)
    opened = victim.get(callback, follow_redirects=False)
    assert opened.status_code == 400 and "ikke startet i denne nettleseren" in opened.text
    assert not _sessions() and "digihelse_session" not in victim.cookies
    assert _log()[-1].detail.startswith("other_browser")
    # The browser that started it is not locked out by the attempt.
    assert attacker.get(callback, follow_redirects=False).status_code == 303


def test_the_failure_page_speaks_the_users_language(make_app):
    client = make_app()
    client.cookies.set("digihelse_lang", "en")
    response = client.get("/auth/callback?state=nope&code=x")
    assert response.status_code == 400
    assert '<html lang="en">' in response.text and "Login did not work" in response.text


def test_logout_ends_the_session_and_logs_out_at_the_provider(make_app):
    client = make_app()
    _login(client, _pid(client, "Noah"))
    response = client.post("/auth/logout", follow_redirects=False,
                           headers={"Origin": BASE})
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert target.path == "/idp/endsession"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{BASE}/auth/logged-out"]
    assert query["id_token_hint"]
    [row] = _sessions()
    assert row.ended_at is not None and row.end_reason == "logout" and row.id_token is None
    # The provider's logout page calls our front-channel logout with iss and sid.
    provider_page = client.get(response.headers["location"])
    assert f"{BASE}/auth/frontchannel-logout?iss=" in provider_page.text.replace("&amp;", "&")


def test_cross_site_logout_is_refused(make_app):
    client = make_app()
    _login(client, _pid(client, "Noah"))
    response = client.post("/auth/logout", headers={"Origin": "https://evil.example"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert _sessions()[0].ended_at is None


def test_quick_exit_ends_the_session_at_once_with_its_own_reason_in_the_log(make_app):
    client = make_app()
    _login(client, _pid(client, "Noah"))
    refused = client.post("/auth/quick-exit", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and _sessions()[0].ended_at is None
    response = client.post("/auth/quick-exit", headers={"Origin": BASE})
    assert response.status_code == 204 and response.headers["cache-control"] == "no-store"
    assert 'digihelse_session=""' in response.headers["set-cookie"]  # the cookie is cleared
    [row] = _sessions()
    assert row.ended_at is not None and row.end_reason == "quick_exit"
    last = _log()[-1]
    assert (last.action, last.detail) == ("logout", "quick_exit")


def test_front_channel_logout_ends_the_session_with_that_sid(make_app):
    client = make_app()
    _login(client, _pid(client, "Ella"))
    [row] = _sessions()
    wrong = client.get(f"/auth/frontchannel-logout?iss=https://other&sid={row.sid}")
    assert wrong.status_code == 400
    ok = client.get(f"/auth/frontchannel-logout?iss={BASE}/idp&sid={row.sid}")
    assert ok.status_code == 200
    [row] = _sessions()
    assert row.end_reason == "frontchannel_logout"


def test_personnel_login_gives_the_registered_role_and_hpr_number(make_app):
    client = make_app()
    done = _login(client, _pid(client, "Kari", "/helseid"), acr=None, personnel=True,
                  next_path="/personell")
    assert done.status_code == 303 and done.headers["location"] == "/personell"
    [row] = _sessions()
    assert (row.role, row.hpr_number, row.provider) == ("school_nurse", "9100001", "personnel")


def test_next_outside_the_site_becomes_the_front_page(make_app):
    client = make_app()
    done = _login(client, _pid(client, "Ida"), next_path="//evil.example/x")
    assert done.headers["location"] == "/"


def test_the_log_chain_verifies_after_logins_and_logouts(make_app):
    client = make_app()
    _login(client, _pid(client, "Ida"))
    client.post("/auth/logout", follow_redirects=False)
    client.get("/auth/callback?state=forged&code=x")
    with db.session() as s:
        report = verify(s)
    assert report.ok and report.rows == 3


@pytest.mark.parametrize("personnel", [False, True], ids=["citizen", "personnel"])
def test_a_login_whose_hops_alternate_between_two_workers_succeeds(make_app, personnel):
    """Two app instances on one database stand for two worker processes: each has its
    own relying parties, providers and client key object, and nothing but the database
    in common. Each hop goes to the other one."""
    env = {"DIGIHELSE_ENV": "test"}
    first, second = make_app(**env), make_app(**env)
    workers = [first, second]

    def hop(i: int, method: str, url: str, **kwargs) -> httpx.Response:
        client, other = workers[i % 2], workers[(i + 1) % 2]
        response = client.request(method, url, follow_redirects=False, **kwargs)
        other.cookies.update(client.cookies)  # one browser
        return response

    issuer = "/helseid" if personnel else "/idp"
    pid = _pid(first, "Kari" if personnel else "Ida", issuer)
    start = hop(0, "GET", ("/auth/personnel/login" if personnel else "/auth/login")
                + "?next=/hjem")
    assert start.headers["x-digihelse-worker"] == str(os.getpid())
    page = hop(1, "GET", start.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    form = {"request": request_id, "pid": pid}
    if not personnel:
        form["acr"] = "idporten-loa-substantial"
    to_callback = hop(2, "POST", f"{issuer}/authorize", data=form)
    done = hop(3, "GET", to_callback.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/hjem", done.text
    [row] = _sessions()
    assert row.pid == pid
    # Both relying parties signed with the one stored client key.
    kids = {w.app.state.auth.rp("personnel").client_key.kid for w in workers}
    assert len(kids) == 1


def test_outside_test_mode_no_response_names_its_worker(make_app):
    client = make_app()
    response = client.get("/auth/login?next=/hjem", follow_redirects=False)
    assert "x-digihelse-worker" not in response.headers
    assert "x-digihelse-worker" not in client.get(response.headers["location"]).headers
