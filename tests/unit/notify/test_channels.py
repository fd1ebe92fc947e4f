"""Notifications of new messages on every channel: an e-mail through a real SMTP server
(aiosmtpd, started here) and a Web Push to a local push endpoint, both with no content but
"Du har en ny melding i DigiHelse"; the outbox's retries cover the new channels too."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from digihelse.core import db
from digihelse.messages import service
from digihelse.messages.models import NotifyPreference, PushSubscription
from digihelse.notify.channels import PushSettings, SmtpSettings, default_senders
from digihelse.notify.models import Outbox
from digihelse.notify.outbox import dispatch
from tests.factories import citizen, staff

TEXT = "Du har en ny melding i DigiHelse"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.mails = []

    def handle_message(self, message) -> None:
        self.mails.append(message)


@pytest.fixture
def smtp_server():
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _answer_ida(engine, seeded) -> None:
    ida = citizen(seeded["ida"])
    key = next(r.key for r in service.recipients(engine, ida) if r.place_kind == "lower_secondary")
    conv_id = service.start(engine, ida, recipient=key, body="Hei, jeg er lei meg")
    service.reply(engine, staff(engine, seeded["kari"]), conv_id, "Hei Ida, om det du skrev")


def _choose(engine, pid: str, **values) -> None:
    with db.write_session(engine) as s:
        s.add(NotifyPreference(pid=pid, **values))


def test_an_email_without_content_reaches_the_smtp_server(engine, seeded, smtp_server):
    controller, inbox = smtp_server
    _choose(engine, seeded["ida"].nin, sms=False, email_on=True, email="ida@example.org")
    _answer_ida(engine, seeded)
    senders = default_senders(engine, smtp=SmtpSettings("127.0.0.1", controller.port))
    report = dispatch(engine, senders)
    assert report.sent == 1
    [mail] = inbox.mails
    assert mail["To"] == "ida@example.org" and mail["Subject"] == TEXT
    assert mail.get_payload().strip() == TEXT
    raw = mail.as_string()
    assert "lei meg" not in raw and "Kari" not in raw and "helsesykepleier" not in raw.lower()


def test_a_down_smtp_server_is_retried_and_never_blocks_the_answer(engine, seeded):
    _choose(engine, seeded["ida"].nin, sms=True, email_on=True, email="ida@example.org")
    _answer_ida(engine, seeded)  # the answer is saved whatever the mail server does
    senders = default_senders(engine, smtp=SmtpSettings("127.0.0.1", _free_port(), timeout=2))
    report = dispatch(engine, senders)
    assert (report.sent, report.retrying) == (1, 1)  # the SMS went, the e-mail waits
    with db.session(engine) as s:
        email = s.exec(select(Outbox).where(Outbox.channel == "email")).one()
    assert email.status == "pending" and email.attempts == 1 and email.last_error


class _PushEndpoint(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        type(self).received.append((self.path, headers, self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_endpoint():
    _PushEndpoint.received, _PushEndpoint.status = [], 201
    server = HTTPServer(("127.0.0.1", 0), _PushEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _browser_keys() -> tuple[str, str]:
    """A browser's subscription keys: its P-256 public key and a 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    return _b64(public), _b64(os.urandom(16))


def _vapid_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return _b64(der)


def _subscribe(engine, pid: str, endpoint: str) -> None:
    p256dh, auth = _browser_keys()
    with db.write_session(engine) as s:
        s.add(PushSubscription(pid=pid, endpoint=endpoint, p256dh=p256dh, auth=auth))


def test_a_web_push_reaches_the_push_endpoint_signed_and_encrypted(engine, seeded,
                                                                    push_endpoint):
    _choose(engine, seeded["ida"].nin, sms=False, push_on=True)
    _subscribe(engine, seeded["ida"].nin, f"{push_endpoint}/push/abc")
    _answer_ida(engine, seeded)
    senders = default_senders(engine, push=PushSettings(_vapid_key()))
    assert dispatch(engine, senders).sent == 1
    [(path, headers, body)] = _PushEndpoint.received
    assert path == "/push/abc"
    assert headers["content-encoding"] == "aes128gcm"  # RFC 8291: only the browser reads it
    assert headers["authorization"].startswith("vapid t=")  # RFC 8292
    assert b"DigiHelse" not in body and b"Hei" not in body


def test_a_gone_subscription_is_removed(engine, seeded, push_endpoint):
    _PushEndpoint.status = 410
    _choose(engine, seeded["ida"].nin, sms=False, push_on=True)
    _subscribe(engine, seeded["ida"].nin, f"{push_endpoint}/push/gone")
    _answer_ida(engine, seeded)
    dispatch(engine, default_senders(engine, push=PushSettings(_vapid_key())))
    with db.session(engine) as s:
        assert s.exec(select(PushSubscription)).all() == []


def test_the_channels_she_chose(engine, seeded):
    pid = seeded["ida"].nin
    _choose(engine, pid, sms=False, email_on=True, email="ida@example.org", push_on=True)
    _answer_ida(engine, seeded)  # push chosen, but no browser subscribed: no push row
    with db.session(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "new_message")).all()
    assert [(r.channel, r.body) for r in rows] == [("email", TEXT)]
    assert all(json.dumps(r.body).count("Hei") == 0 for r in rows)
    assert rows[0].created_at <= dt.datetime.now(dt.UTC)


def test_an_sms_through_the_gateway_stand_in(engine, seeded, push_endpoint):
    from digihelse.notify.channels import ChannelSenders, HttpSmsGateway

    _answer_ida(engine, seeded)  # SMS is the default channel
    gateway = HttpSmsGateway(f"{push_endpoint}/sms", token="secret")
    assert dispatch(engine, ChannelSenders({"sms": gateway})).sent == 1
    [(path, headers, body)] = _PushEndpoint.received
    assert path == "/sms" and headers["authorization"] == "Bearer secret"
    assert json.loads(body) == {"recipient": seeded["ida"].nin, "text": TEXT}


def test_a_failing_gateway_is_retried(engine, seeded, push_endpoint):
    from digihelse.notify.channels import ChannelSenders, HttpSmsGateway

    _PushEndpoint.status = 503
    _answer_ida(engine, seeded)
    report = dispatch(engine, ChannelSenders({"sms": HttpSmsGateway(f"{push_endpoint}/sms")}))
    assert (report.sent, report.retrying) == (0, 1)


def test_a_channel_without_a_sender_is_retried_not_dropped(engine, seeded):
    from digihelse.notify.channels import ChannelSenders

    _answer_ida(engine, seeded)
    report = dispatch(engine, ChannelSenders({}))
    assert (report.sent, report.retrying) == (0, 1)
