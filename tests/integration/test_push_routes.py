"""POST /api/push/subscription: her own browser's subscription, same-origin JSON only,
from a live citizen session; GET /api/push/key gives the VAPID public key when set."""

from __future__ import annotations

from sqlmodel import select

from digihelse.core import db
from digihelse.messages.models import PushSubscription
from tests.fhir_client import BASE, logged_in

SUBSCRIPTION = {"endpoint": "https://push.example/sub/1",
                "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA",
                         "auth": "tBHItJI5svbpez7KI4CCXg"}}
SAME_ORIGIN = {"Origin": BASE, "Content-Type": "application/json"}


def test_a_signed_in_citizen_subscribes_her_browser(fhir_api):
    client = logged_in(fhir_api, "Ella")
    response = client.post("/api/push/subscription", json=SUBSCRIPTION, headers=SAME_ORIGIN)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    with db.session() as s:
        rows = s.exec(select(PushSubscription).where(
            PushSubscription.endpoint == SUBSCRIPTION["endpoint"])).all()
    assert len(rows) == 1


def test_refused_without_a_session_from_another_site_or_with_a_bad_body(fhir_api, client):
    assert client.post("/api/push/subscription", json=SUBSCRIPTION,
                       headers=SAME_ORIGIN).status_code == 401
    ella = logged_in(fhir_api, "Ella")
    other = {"Origin": "https://evil.example", "Content-Type": "application/json"}
    assert ella.post("/api/push/subscription", json=SUBSCRIPTION,
                     headers=other).status_code == 403
    assert ella.post("/api/push/subscription", content=b"endpoint=x",
                     headers={"Origin": BASE, "Content-Type": "application/x-www-form-urlencoded"}
                     ).status_code == 403
    bad = {"endpoint": "http://evil.example/", "keys": {"p256dh": "x", "auth": "y"}}
    assert ella.post("/api/push/subscription", json=bad, headers=SAME_ORIGIN).status_code == 400
    kari = logged_in(fhir_api, "Kari", personnel=True)
    assert kari.post("/api/push/subscription", json=SUBSCRIPTION,
                     headers=SAME_ORIGIN).status_code == 401


def test_the_public_key_only_when_set(client):
    response = client.get("/api/push/key")
    assert response.status_code == 404 and response.headers["cache-control"] == "no-store"
