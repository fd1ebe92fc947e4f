"""The card page's one read (healthcard/page.py, access.enforcement.reading): the same card
and booking box as the two calls it replaces, one policy decision for the woman, the
access-log rows committed before it returns (with the chain intact), and refusals logged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from digihelse.access import enforcement
from digihelse.access.actors import AccessDenied
from digihelse.audit.log import verify
from digihelse.audit.models import AccessLog
from digihelse.booking.pregnancy import pregnancy_booking_options
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import utcnow
from digihelse.healthcard import service
from digihelse.healthcard.page import card_page
from tests.factories import citizen, staff

SETTINGS = BookingSettings()


def _log(engine) -> list[tuple]:
    with db.session(engine) as s:
        return [(r.actor_pid, r.subject_pid, r.action, r.object_type, r.object_id, r.outcome,
                 r.hidden_from_parents)
                for r in s.exec(select(AccessLog).order_by(AccessLog.id)).all()]


@pytest.mark.postgres
def test_one_read_gives_what_the_two_calls_gave_and_logs_the_same(engine, seeded):
    nora = citizen(seeded["nora"])
    now = utcnow()
    before = len(_log(engine))
    card = service.get_card(engine, nora, nora.pid)
    options = pregnancy_booking_options(engine, nora, nora.pid, now, settings=SETTINGS)
    two_calls = _log(engine)[before:]
    page_card, page_options = card_page(engine, nora, nora.pid, now, settings=SETTINGS)
    one_read = _log(engine)[len(two_calls) + before:]
    assert page_card == card and page_options == options
    assert one_read == two_calls and one_read  # the card's read is logged, as before
    with db.session(engine) as s:
        assert verify(s).ok


def test_one_decision_for_the_woman(engine, seeded, monkeypatch):
    nora = citizen(seeded["nora"])
    asked: list[str] = []
    facts_for = enforcement.facts_for

    def counting(s, actor, subject_pid, service_):
        asked.append(subject_pid)
        return facts_for(s, actor, subject_pid, service_)

    monkeypatch.setattr(enforcement, "facts_for", counting)
    card_page(engine, nora, nora.pid, utcnow(), settings=SETTINGS)
    assert asked == [nora.pid]


def test_the_log_rows_are_committed_before_the_data_is_handed_over(engine, seeded,
                                                                   monkeypatch):
    nora = citizen(seeded["nora"])
    from digihelse.audit import log as audit_log

    def failing(engine_, entries):
        raise OSError("disk full")

    monkeypatch.setattr(audit_log, "write_reads", failing)
    with pytest.raises(OSError):  # no log, no card
        card_page(engine, nora, nora.pid, utcnow(), settings=SETTINGS)


def test_a_refusal_is_logged_at_once_and_hands_over_nothing(engine, seeded):
    kari = staff(engine, seeded["kari"])  # a school nurse: no care relation to Nora
    before = len(_log(engine))
    with pytest.raises(AccessDenied):
        card_page(engine, kari, seeded["nora"].nin, utcnow(), settings=SETTINGS)
    rows = _log(engine)[before:]
    assert [r[5] for r in rows] == ["denied"]


def test_the_async_read_gives_and_logs_what_the_one_read_does(engine, seeded):
    import asyncio

    from digihelse.healthcard.page import card_page_async

    nora = citizen(seeded["nora"])
    now = utcnow()
    before = len(_log(engine))
    sync = card_page(engine, nora, nora.pid, now, settings=SETTINGS)
    middle = len(_log(engine))
    result = asyncio.run(card_page_async(engine, nora, nora.pid, now, settings=SETTINGS))
    rows = _log(engine)  # committed by the time it returned
    assert result == sync
    assert rows[middle:] == rows[before:middle] and rows[middle:]
