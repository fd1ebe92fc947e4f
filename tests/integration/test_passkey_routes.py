"""The passkey routes over HTTP, in one process with a seeded database and a software
authenticator: activation lands in the same session store as any login, with its
assurance; logging out needs no provider; the JSON endpoints refuse cross-site calls;
wrong codes get one plain answer and then 429."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from digihelse.access.policy import Assurance
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.auth import passkeys
from digihelse.auth.models import UserSession
from digihelse.core import db
from digihelse.people.registry import person_by_pid, personnel_by_pid
from tests.soft_authenticator import SoftAuthenticator

BASE = "http://localhost:8000"
JSON = {"Origin": BASE}


@pytest.fixture
def client(make_app):
    """The API on a fresh seeded database (tests/integration/conftest.py)."""
    return make_app()


def _pid(client: TestClient, given: str, issuer: str = "/idp") -> str:
    return next(u["pid"] for u in client.get(f"{issuer}/testusers").json()
                if u["name"].startswith(given))


def _code_for(client: TestClient, pupil: str) -> str:
    from digihelse.access.actors import Actor
    from digihelse.core.settings import get_settings

    with db.session() as s:
        person, staff = personnel_by_pid(s, _pid(client, "Kari", "/helseid"))
        pupil_pid = person_by_pid(s, _pid(client, pupil)).nin
    kari = Actor(person.nin, staff.role, person.full_name, staff.hpr_number, staff.organisation)
    return passkeys.issue_code(None, kari, pupil_pid, "known",
                               passkeys.PasskeyConfig.from_settings(get_settings())).code


def _eid_login(client: TestClient, pid: str) -> None:
    to_provider = client.get("/auth/login?next=/hjem", follow_redirects=False)
    page = client.get(to_provider.headers["location"])
    request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    action = urlsplit(to_provider.headers["location"]).path
    to_callback = client.post(action, data={"request": request_id, "pid": pid,
                                            "acr": "idporten-loa-substantial"},
                              follow_redirects=False)
    callback = to_callback.headers["location"]
    assert parse_qs(urlsplit(callback).query)["iss"]
    assert client.get(callback, follow_redirects=False).status_code == 303


def _live_sessions() -> list[UserSession]:
    with db.session() as s:
        return list(s.exec(select(UserSession).where(UserSession.ended_at.is_(None))))


def test_activation_then_logout_then_passkey_login(client):
    code = _code_for(client, "Emil")
    device = SoftAuthenticator(BASE)
    options = client.post("/auth/passkey/activate/options", json={"code": code}, headers=JSON)
    assert options.status_code == 200 and options.headers["cache-control"] == "no-store"
    done = client.post("/auth/passkey/activate/verify",
                       json={"credential": device.create(options.text)}, headers=JSON)
    assert done.status_code == 200 and done.json() == {"next": "/hjem"}
    assert "httponly" in done.headers["set-cookie"].lower()
    [row] = _live_sessions()
    assert (row.provider, row.role, row.issuer, row.assurance) == (
        "citizen", "citizen", "passkey", Assurance.PASSKEY_NURSE)
    assert row.passkey_id is not None and row.pid == _pid(client, "Emil")

    out = client.post("/auth/logout", headers=JSON, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/auth/logged-out"
    assert _live_sessions() == []

    page = client.get("/auth/passkey/login?next=/bestill")
    assert page.status_code == 200 and 'data-next="/bestill"' in page.text
    assert 'id="passkey-login"' in page.text and "/passkey.js" in page.text
    options = client.post("/auth/passkey/login/options", json={"next": "/bestill"},
                          headers=JSON)
    again = client.post("/auth/passkey/login/verify",
                        json={"credential": device.get(options.text)}, headers=JSON)
    assert again.status_code == 200 and again.json() == {"next": "/bestill"}
    [row] = _live_sessions()
    assert row.assurance == Assurance.PASSKEY_NURSE
    with db.session() as s:
        logins = s.exec(select(AccessLog.detail).where(AccessLog.action == "login")).all()
        assert logins.count("passkey=passkey_nurse") == 2
        assert verify(s).ok  # the chain still holds


def test_a_used_code_and_a_wrong_code_get_the_same_plain_answer_then_429(client):
    code = _code_for(client, "Sara")
    device = SoftAuthenticator(BASE)
    options = client.post("/auth/passkey/activate/options", json={"code": code}, headers=JSON)
    client.post("/auth/passkey/activate/verify", json={"credential": device.create(options.text)},
                headers=JSON)
    used = client.post("/auth/passkey/activate/options", json={"code": code}, headers=JSON)
    wrong = client.post("/auth/passkey/activate/options", json={"code": "ABCD-EFGH"},
                        headers=JSON)
    assert used.status_code == wrong.status_code == 400
    assert used.json() == wrong.json()
    assert used.json()["message"].startswith("Koden stemmer ikke")
    for _ in range(3):
        client.post("/auth/passkey/activate/options", json={"code": "ABCD-EFGH"}, headers=JSON)
    limited = client.post("/auth/passkey/activate/options", json={"code": code}, headers=JSON)
    assert limited.status_code == 429 and limited.json()["error"] == "too_many"


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": BASE}])
def test_cross_site_or_form_posts_are_refused(client, headers):
    code = _code_for(client, "Ida")
    if headers["Origin"] == BASE:  # same origin, but a form body a cross-site page can send
        response = client.post("/auth/passkey/activate/options", data={"code": code},
                               headers=headers)
    else:
        response = client.post("/auth/passkey/activate/options", json={"code": code},
                               headers=headers)
    assert response.status_code == 403


def test_adding_a_passkey_needs_an_eid_session(client):
    assert client.post("/auth/passkey/add/options", json={}, headers=JSON).status_code == 403
    per = _pid(client, "Per")
    _eid_login(client, per)
    device = SoftAuthenticator(BASE)
    options = client.post("/auth/passkey/add/options", json={}, headers=JSON)
    assert options.status_code == 200
    added = client.post("/auth/passkey/add/verify",
                        json={"credential": device.create(options.text)}, headers=JSON)
    assert added.status_code == 200
    client.post("/auth/logout", headers=JSON)
    options = client.post("/auth/passkey/login/options", json={}, headers=JSON)
    client.post("/auth/passkey/login/verify", json={"credential": device.get(options.text)},
                headers=JSON)
    [row] = _live_sessions()
    assert (row.pid, row.assurance, row.acr) == (per, Assurance.PASSKEY_EID,
                                                  "idporten-loa-substantial")
    # In a passkey session no further passkey is added.
    assert client.post("/auth/passkey/add/options", json={}, headers=JSON).status_code == 403
