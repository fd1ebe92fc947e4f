"""Notices before the 12th and 16th birthday reach the pupil and the parents."""

import datetime as dt

from digihelse_dev.seed import years_before
from sqlmodel import select

from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.people.age_notices import create_age_notices, notices_for, upcoming_turning
from digihelse.people.models import AgeNotice, ParentChild, Person
from digihelse.people.nin import synthetic_nin


def test_upcoming_turning_finds_the_12th_and_16th_birthdays():
    today = dt.date(2026, 11, 22)
    assert upcoming_turning(dt.date(2014, 12, 10), today, 30) == (12, dt.date(2026, 12, 10))
    assert upcoming_turning(dt.date(2010, 12, 22), today, 30) == (16, dt.date(2026, 12, 22))
    assert upcoming_turning(dt.date(2010, 12, 23), today, 30) is None  # 31 days away
    assert upcoming_turning(dt.date(2014, 11, 22), today, 30) is None  # today: too late
    assert upcoming_turning(dt.date(2013, 12, 10), today, 30) is None  # turns 13


def test_a_29_february_child_is_told_before_29_february():
    # 12 and 16 are multiples of 4, so a leapling turns 12 and 16 in a leap year, on 29 Feb.
    assert upcoming_turning(dt.date(2016, 2, 29), dt.date(2028, 2, 1), 30) == (
        12, dt.date(2028, 2, 29))
    assert upcoming_turning(dt.date(2012, 2, 29), dt.date(2028, 2, 1), 30) == (
        16, dt.date(2028, 2, 29))
    # 2100 is not a leap year: a child born 29 Feb 2088 turns 12 on 1 March 2100.
    assert upcoming_turning(dt.date(2088, 2, 29), dt.date(2100, 2, 20), 30) == (
        12, dt.date(2100, 3, 1))


def _child(s, given: str, birth: dt.date, parent: Person, protection="none") -> Person:
    child = Person(nin=synthetic_nin(birth, 7), given_name=given, family_name="Test",
                   birth_date=birth, address_key=parent.address_key,
                   address_protection=protection)
    s.add(child)
    s.flush()
    s.add(ParentChild(parent_id=parent.id, child_id=child.id))
    s.flush()
    return child


def test_notices_go_to_the_child_and_parents_once(engine, seeded):
    today = today_oslo()
    with db.session(engine) as s:
        per = s.exec(select(Person).where(Person.given_name == "Per")).one()
        child = _child(s, "Liv", years_before(today + dt.timedelta(days=10), 12), per)
        s.commit()
        first = create_age_notices(s, today)
        s.commit()
        mine = [n for n in first if n.subject_id == child.id]
        recipients = {n.recipient_id for n in mine}
        assert child.id in recipients and per.id in recipients
        assert create_age_notices(s, today) == []  # idempotent
        from digihelse.notify.models import Outbox

        messages = s.exec(select(Outbox).where(Outbox.kind == "age_notice")).all()
        assert {m.recipient_pid for m in messages} >= {child.nin, per.nin}
        assert all("12" not in m.body and "Liv" not in m.body for m in messages)
        texts = [v.text for v in notices_for(s, per.nin, today, "nb")]
        assert any("Liv fyller 12 år" in text and "sende meldinger" in text for text in texts)
        own = notices_for(s, child.nin, today, "en")
        assert own and own[0].text.startswith("You turn 12 on")


def test_no_notice_to_parents_across_a_confidential_address(engine, seeded):
    today = today_oslo()
    with db.session(engine) as s:
        per = s.exec(select(Person).where(Person.given_name == "Per")).one()
        birth = years_before(today + dt.timedelta(days=5), 16)
        child = _child(s, "Skjult", birth, per, protection="kode6")
        s.commit()
        create_age_notices(s, today)
        s.commit()
        rows = s.exec(select(AgeNotice).where(AgeNotice.subject_id == child.id)).all()
        assert [r.recipient_id for r in rows] == [child.id]

