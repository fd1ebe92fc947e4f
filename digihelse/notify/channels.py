"""The outbox's senders per channel: SMS (the existing sender interface, the log by
default), e-mail over SMTP (smtplib, with STARTTLS and login when set), and Web Push
(pywebpush, signed with the VAPID key from the settings). Each is called by
notify.outbox.dispatch outside any transaction and raises on failure, so the outbox's
retries cover every channel. The addresses are looked up when sending, so a changed or
removed address is respected and none is copied into the outbox."""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from digihelse.notify.models import OutboxChannel
from digihelse.notify.outbox import LogSender, Sender, mask_pid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "DigiHelse <ikke-svar@digihelse.invalid>"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class PushSettings:
    vapid_private_key: str  # base64url DER or PEM, as py_vapid reads it
    subject: str = "mailto:drift@digihelse.invalid"  # RFC 8292 "sub": whom to contact
    ttl_seconds: int = 24 * 3600


def email_of(engine: Engine) -> Callable[[str], str | None]:
    """Her e-mail address, when she chose e-mail."""
    from digihelse.messages.models import NotifyPreference

    def lookup(pid: str) -> str | None:
        with Session(engine) as s:
            pref = s.exec(select(NotifyPreference).where(NotifyPreference.pid == pid)).first()
        return pref.email if pref is not None and pref.email_on and pref.email else None

    return lookup


class EmailSender:
    """One plain-text e-mail per notification; the subject and body are the same
    content-free sentence."""

    def __init__(self, settings: SmtpSettings, address_of: Callable[[str], str | None]) -> None:
        self.settings, self.address_of = settings, address_of

    def send(self, recipient_pid: str, body: str) -> None:
        address = self.address_of(recipient_pid)
        if not address:  # she turned e-mail off since: nothing to send
            log.info("e-mail to %s skipped: no address", mask_pid(recipient_pid))
            return
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.settings.sender, address, body
        mail.set_content(body)
        smtp = self.settings
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(mail)


class PushGone(Exception):
    """The push service says the subscription no longer exists (404/410)."""


class WebPushSender:
    """A push message to every browser she subscribed; a subscription the push service
    calls gone is removed. Fails (and is retried) when no browser took it."""

    def __init__(self, settings: PushSettings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine

    def send(self, recipient_pid: str, body: str) -> None:
        from pywebpush import WebPushException, webpush

        from digihelse.messages.models import PushSubscription

        with Session(self.engine) as s:
            subs = [(x.id, x.endpoint, x.p256dh, x.auth) for x in s.exec(
                select(PushSubscription).where(PushSubscription.pid == recipient_pid))]
        if not subs:
            return
        delivered, gone, errors = 0, [], []
        for sub_id, endpoint, p256dh, auth in subs:
            try:
                webpush({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                        data=json.dumps({"title": "DigiHelse", "body": body}),
                        vapid_private_key=self.settings.vapid_private_key,
                        vapid_claims={"sub": self.settings.subject},
                        ttl=self.settings.ttl_seconds, timeout=10)
                delivered += 1
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    gone.append(sub_id)
                else:
                    errors.append(f"{status}: {exc}")
        if gone:
            with Session(self.engine) as s:
                for sub_id in gone:
                    row = s.get(PushSubscription, sub_id)
                    if row is not None:
                        s.delete(row)
                s.commit()
        if errors and not delivered:
            raise RuntimeError("; ".join(errors)[:400])


class HttpSmsGateway:
    """An SMS gateway that finds the number itself, from the national id number, in the
    contact register (Kontakt- og reservasjonsregisteret), as the health sector's gateways
    do: POST {"recipient": nin, "text": body} as JSON with a bearer token. A status other
    than 2xx raises, so the outbox retries."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, recipient_pid: str, body: str) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(self.url, json={"recipient": recipient_pid, "text": body},
                              headers=headers, timeout=self.timeout)
        response.raise_for_status()


class ChannelSenders:
    """The sender for each outbox channel; a channel with none raises (and is retried,
    then given up), never silently dropped."""

    def __init__(self, senders: Mapping[str, Sender]) -> None:
        self.senders = dict(senders)

    def for_channel(self, channel: str) -> Sender:
        try:
            return self.senders[channel]
        except KeyError:
            raise LookupError(f"no sender for the {channel} channel") from None


class _LogChannel:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, recipient_pid: str, body: str) -> None:
        log.info("%s to %s: %s", self.channel, mask_pid(recipient_pid), body)


def default_senders(engine: Engine, *, sms: Sender | None = None,
                    smtp: SmtpSettings | None = None,
                    push: PushSettings | None = None) -> ChannelSenders:
    """SMS through `sms` (the log by default); e-mail and Web Push for real when their
    settings are given, else to the log."""
    return ChannelSenders({
        OutboxChannel.SMS: sms or LogSender(),
        OutboxChannel.EMAIL: EmailSender(smtp, email_of(engine)) if smtp else _LogChannel(
            "e-mail"),
        OutboxChannel.PUSH: WebPushSender(push, engine) if push else _LogChannel("push"),
    })


def senders_from_settings(engine: Engine, settings, sms: Sender | None = None
                          ) -> ChannelSenders:
    """The deployment's senders, from core.settings.Settings: the SMS gateway when its URL
    is set (else `sms`, the log by default)."""
    if settings.sms_gateway_url:
        sms = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token)
    smtp = SmtpSettings(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                        settings.smtp_starttls, settings.smtp_user,
                        settings.smtp_password) if settings.smtp_host else None
    push = PushSettings(settings.vapid_private_key, settings.vapid_subject) \
        if settings.vapid_private_key else None
    return default_senders(engine, sms=sms, smtp=smtp, push=push)
