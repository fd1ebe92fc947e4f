"""Her own choice of how she hears of a new message: SMS, e-mail (with the address), Web
Push (a subscription per browser). Only ever her own, never for someone she acts for;
changes are written to the access log as her own."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import col, select

from digihelse.access.actors import Actor
from digihelse.access.enforcement import record_access
from digihelse.core.db import SessionOrEngine, transaction
from digihelse.core.text import plain_text
from digihelse.core.timeutil import aware_utc
from digihelse.messages.errors import MessageError
from digihelse.messages.models import NotifyPreference, PushSubscription

# Enough to catch a typo (RFC 5321 allows more, but a phone keyboard's mistakes are these).
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+=*$")


@dataclass(frozen=True)
class Preference:
    sms: bool
    email_on: bool
    email: str
    push_on: bool
    push_devices: int


def _own(actor: Actor) -> str:
    if actor.is_personnel:
        raise MessageError("generic")
    return actor.pid


def preference_of(s_or_engine: SessionOrEngine, actor: Actor) -> Preference:
    with transaction(s_or_engine) as s:
        pid = _own(actor)
        row = s.exec(select(NotifyPreference).where(NotifyPreference.pid == pid)).first()
        devices = len(s.exec(select(PushSubscription.id).where(PushSubscription.pid == pid)
                             ).all())
        if row is None:
            return Preference(True, False, "", False, devices)
        return Preference(row.sms, row.email_on, row.email or "", row.push_on, devices)


def check_email(value: str) -> str:
    email = plain_text(value)
    if len(email) > 254 or not _EMAIL.match(email):
        raise MessageError("bad_email")
    return email


def save_preference(s_or_engine: SessionOrEngine, actor: Actor, *, sms: bool, email_on: bool,
                    email: str, push_on: bool, now: dt.datetime | None = None) -> None:
    now = aware_utc(now)
    address = check_email(email) if email.strip() or email_on else None
    with transaction(s_or_engine) as s:
        pid = _own(actor)
        row = s.exec(select(NotifyPreference).where(NotifyPreference.pid == pid)).first() \
            or NotifyPreference(pid=pid)
        row.sms, row.email_on, row.email, row.push_on = sms, email_on, address, push_on
        row.updated_at = now
        s.add(row)
        record_access(s, actor, pid, action="update", object_type="notify_preference")


def _endpoint_ok(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return (parts.scheme == "https" or (parts.scheme == "http" and loopback)) \
        and bool(parts.hostname) and len(endpoint) <= 1000


def add_push_subscription(s_or_engine: SessionOrEngine, actor: Actor, *, endpoint: str,
                          p256dh: str, auth: str) -> None:
    """A browser's subscription (PushSubscription.toJSON()); push is turned on with it."""
    if not (_endpoint_ok(endpoint) and _B64URL.match(p256dh or "") and len(p256dh) <= 200
            and _B64URL.match(auth or "") and len(auth) <= 100):
        raise MessageError("bad_subscription")
    with transaction(s_or_engine) as s:
        pid = _own(actor)
        existing = s.exec(select(PushSubscription).where(
            PushSubscription.endpoint == endpoint)).first()
        if existing is not None:
            existing.pid, existing.p256dh, existing.auth = pid, p256dh, auth
            s.add(existing)
        else:
            s.add(PushSubscription(pid=pid, endpoint=endpoint, p256dh=p256dh, auth=auth))
        row = s.exec(select(NotifyPreference).where(NotifyPreference.pid == pid)).first() \
            or NotifyPreference(pid=pid)
        row.push_on = True
        s.add(row)
        record_access(s, actor, pid, action="create", object_type="push_subscription")


def remove_push_subscriptions(s_or_engine: SessionOrEngine, actor: Actor) -> int:
    with transaction(s_or_engine) as s:
        pid = _own(actor)
        rows = s.exec(select(PushSubscription).where(col(PushSubscription.pid) == pid)).all()
        for row in rows:
            s.delete(row)
        record_access(s, actor, pid, action="delete", object_type="push_subscription")
        return len(rows)
