"""Notices before a child turns 12 or 16: the pupil and their parents are told in plain
words what will change (DOMAIN.md, "Who may act for whom")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from digihelse.core.i18n import DEFAULT_LANG, t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month
from digihelse.people.kinds import AddressProtection
from digihelse.people.models import AgeNotice, ParentChild, Person
from digihelse.people.nin import birthday_in

NOTICE_AGES = (12, 16)


def upcoming_turning(person_birth: dt.date, today: dt.date, ahead_days: int,
                     ages: tuple[int, ...] = NOTICE_AGES) -> tuple[int, dt.date] | None:
    """(age, birthday) when the person turns one of `ages` within the next `ahead_days`."""
    for age in ages:
        birthday = birthday_in(person_birth, person_birth.year + age)
        if today < birthday <= today + dt.timedelta(days=ahead_days):
            return age, birthday
    return None


def create_age_notices(s: Session, today: dt.date, ahead_days: int = 30) -> list[AgeNotice]:
    """Create the notices due today; idempotent (one per subject, recipient and age)."""
    oldest = today.replace(year=today.year - max(NOTICE_AGES)) - dt.timedelta(days=366)
    candidates = s.exec(select(Person).where(Person.birth_date >= oldest)).all()
    created: list[AgeNotice] = []
    for person in candidates:
        turning = upcoming_turning(person.birth_date, today, ahead_days)
        if turning is None:
            continue
        age, birthday = turning
        recipients = [person.id]
        # A confidential address (kode 6/7) ends representation, so parents are not told.
        if person.address_protection == AddressProtection.NONE:
            recipients += s.exec(select(ParentChild.parent_id).where(
                ParentChild.child_id == person.id, ParentChild.parental_responsibility)).all()
        for recipient_id in recipients:
            exists = s.exec(select(AgeNotice.id).where(
                AgeNotice.subject_id == person.id, AgeNotice.recipient_id == recipient_id,
                AgeNotice.turns == age)).first()
            if exists is not None:
                continue
            notice = AgeNotice(subject_id=person.id, recipient_id=recipient_id, turns=age,
                               birthday=birthday)
            try:
                with s.begin_nested():
                    s.add(notice)
            except IntegrityError:  # created by a concurrent run
                continue
            created.append(notice)
            _tell(s, recipient_id, notice)
    return created


def _tell(s: Session, recipient_id: int, notice: AgeNotice) -> None:
    """A text message that only says there is news in the app: the notice itself may
    concern a child's health rights, which an SMS must not carry."""
    from digihelse.notify.outbox import enqueue

    recipient = s.get(Person, recipient_id)
    if recipient is not None:
        # Bokmål: a person has no language of their own yet (people/models.py).
        enqueue(s, recipient_pid=recipient.nin, body=t("notice.sms", DEFAULT_LANG),
                kind="age_notice",
                dedupe_key=f"age-notice:{notice.subject_id}:{recipient_id}:{notice.turns}")


@dataclass(frozen=True)
class NoticeView:
    id: int
    text: str
    birthday: dt.date


def notices_for(s: Session, recipient_pid: str, today: dt.date, lang: str) -> list[NoticeView]:
    """Unread notices for a person whose birthday has not passed yet, in their language."""
    rows = s.exec(
        select(AgeNotice, Person)
        .join(Person, Person.id == AgeNotice.subject_id)
        .where(AgeNotice.recipient_id == select(Person.id).where(Person.nin == recipient_pid)
               .scalar_subquery(),
               AgeNotice.read_at.is_(None), AgeNotice.birthday >= today)
        .order_by(AgeNotice.birthday)
    ).all()
    views = []
    for notice, subject in rows:
        who = "self" if subject.nin == recipient_pid else "parent"
        text = t(keyed("notice", f"{who}.{notice.turns}"), lang, name=subject.given_name,
                 date=day_month(notice.birthday, lang))
        views.append(NoticeView(notice.id, text, notice.birthday))
    return views
