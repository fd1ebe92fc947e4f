"""The notification of a new message: no content, no sender, not even the kind of service
("Du har en ny melding i DigiHelse"), on each channel the person chose, through the
outbox (its retries, its "never blocks the user" rule)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session, select

from digihelse.core.i18n import t
from digihelse.messages.models import NotifyPreference, PushSubscription
from digihelse.notify.models import OutboxChannel
from digihelse.notify.outbox import enqueue

log = logging.getLogger(__name__)
KIND = "new_message"


def new_message_text(lang: str = "nb") -> str:
    return t("msg.notify.text", lang)


def preference(s: Session, pid: str) -> NotifyPreference:
    """Her choice, or the default (SMS only) when she never chose."""
    found = s.exec(select(NotifyPreference).where(NotifyPreference.pid == pid)).first()
    return found or NotifyPreference(pid=pid)


def channels_for(s: Session, pid: str) -> list[str]:
    pref = preference(s, pid)
    channels = [OutboxChannel.SMS] if pref.sms else []
    if pref.email_on and pref.email:
        channels.append(OutboxChannel.EMAIL)
    if pref.push_on and s.exec(select(PushSubscription.id)
                               .where(PushSubscription.pid == pid)).first() is not None:
        channels.append(OutboxChannel.PUSH)
    return [str(c) for c in channels]


def queue_new_message(s: Session, recipient_pid: str, message_id: int,
                      now: dt.datetime) -> None:
    """Queue one notification per chosen channel in the caller's transaction; a failure is
    logged and never undoes the message (one savepoint for them all)."""
    try:
        with s.begin_nested():
            for channel in channels_for(s, recipient_pid):
                enqueue(s, recipient_pid=recipient_pid, body=new_message_text(), kind=KIND,
                        dedupe_key=f"message:{message_id}:{channel}:{recipient_pid[-4:]}",
                        now=now, channel=channel, guarded=False)
    except Exception:  # the message stands; only its notification is lost
        log.exception("could not queue the notification of message %s", message_id)
