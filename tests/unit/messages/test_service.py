"""Secure messages: who writes where, who reads what (parents never the youth service, a
partner only what she shares), the inbox, the nurse's actions, the log and the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.access.enforcement import access_log_page
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.timeutil import today_oslo
from digihelse.messages import service
from digihelse.messages.errors import (
    ConversationClosed,
    ConversationNotFound,
    InvalidText,
    MessageError,
    NoRecipient,
)
from digihelse.messages.models import Conversation, Message
from digihelse.notify.models import Outbox
from digihelse.people.models import Fullmakt, Personnel, Place, StaffAssignment
from tests.factories import NOW, citizen, staff


def _key(recipients, kind: str) -> str:
    return next(r.key for r in recipients if r.place_kind == kind)


def _ida_writes(engine, seeded, text="Kan jeg snakke med deg?", category="feelings",
                now=None) -> int:
    ida = citizen(seeded["ida"])
    key = _key(service.recipients(engine, ida), "lower_secondary")
    return service.start(engine, ida, recipient=key, body=text, category=category, now=now)


def test_ida_writes_to_her_school_and_the_youth_clinic_but_nowhere_else(engine, seeded):
    found = service.recipients(engine, citizen(seeded["ida"]))
    assert [(r.place_name, r.service) for r in found] == [
        ("Fjordvik ungdomsskole", "youth"), ("Helsestasjon for ungdom Fjordvik", "youth")]
    school = found[0]
    assert school.school_days and school.reply_days == 2
    assert "contraception" in school.categories and "card" not in school.categories


def test_ida_to_kari_and_back(engine, seeded):
    conv_id = _ida_writes(engine, seeded)
    kari = staff(engine, seeded["kari"])
    box = service.inbox(engine, kari)
    assert [(line.id, line.person_name, line.school_class) for line in box.lines] == [
        (conv_id, "Ida Berg", "9B")]
    assert box.lines[0].waiting_since is not None and box.lines[0].age == 14
    view = service.open_conversation(engine, kari, conv_id)
    assert [m.body for m in view.messages] == ["Kan jeg snakke med deg?"]
    assert view.person_name == "Ida Berg" and view.school == "Fjordvik ungdomsskole"
    service.reply(engine, kari, conv_id, "Ja! Kom innom i morgen.", suggests_booking=True)
    assert service.inbox(engine, kari).lines[0].waiting_since is None

    ida = citizen(seeded["ida"])
    [line] = service.conversations(engine, ida)
    assert line.unread and service.unread_count(engine, ida) == 1
    seen = service.open_conversation(engine, ida, conv_id)
    assert [m.author_kind for m in seen.messages] == ["citizen", "staff"]
    assert seen.messages[0].mine and not seen.messages[1].mine
    assert seen.book_place_id == seen.place_id and seen.may_reply
    assert not service.conversations(engine, ida)[0].unread
    assert service.unread_count(engine, ida) == 0


def test_the_answer_is_notified_without_content(engine, seeded):
    conv_id = _ida_writes(engine, seeded)
    service.reply(engine, staff(engine, seeded["kari"]), conv_id, "Hei Ida, om prevensjon ...")
    with db.session(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "new_message")).all()
    assert [(r.recipient_pid, r.channel, r.body) for r in rows] == [
        (seeded["ida"].nin, "sms", "Du har en ny melding i DigiHelse")]


def test_per_sees_nothing_of_saras_messages(engine, seeded):
    sara = citizen(seeded["sara"])
    key = _key(service.recipients(engine, sara), "lower_secondary")
    conv_id = service.start(engine, sara, recipient=key, body="Hemmelig")
    per_for_sara = citizen(seeded["per"], seeded["sara"])
    assert service.conversations(engine, per_for_sara) == []
    assert service.recipients(engine, per_for_sara) == []  # 12-15: no messages for her
    assert service.unread_count(engine, per_for_sara) == 0
    for attempt in (lambda: service.open_conversation(engine, per_for_sara, conv_id),
                    lambda: service.reply(engine, per_for_sara, conv_id, "Hei"),
                    lambda: service.open_conversation(engine, citizen(seeded["per"]),
                                                      conv_id)):
        with pytest.raises(ConversationNotFound):
            attempt()
    with pytest.raises(ConversationNotFound):  # the same answer as an id that is not there
        service.open_conversation(engine, per_for_sara, conv_id + 1000)
    with db.session(engine) as s:
        denied = s.exec(select(AccessLog).where(AccessLog.outcome == "denied",
                                                AccessLog.object_type == "conversation")).all()
    assert denied and all(row.hidden_from_parents for row in denied)


def test_per_writes_to_the_health_station_for_jonas(engine, seeded):
    per_for_jonas = citizen(seeded["per"], seeded["jonas"])
    found = service.recipients(engine, per_for_jonas)
    assert [(r.place_kind, r.service) for r in found] == [("health_station", "basic")]
    conv_id = service.start(engine, per_for_jonas, recipient=found[0].key, body="Vaksine?")
    assert [c.id for c in service.conversations(engine, per_for_jonas)] == [conv_id]
    with db.session(engine) as s:
        conv = s.get(Conversation, conv_id)
    assert conv.started_by_pid == seeded["per"].nin and conv.service == "basic"
    # The health station's nurse reads and answers; the answer is told to Per.
    anders = staff(engine, seeded["anders"])
    with db.session(engine) as s:
        station = s.get(Place, conv.place_id)
    assert conv_id in [line.id for line in service.inbox(engine, anders, station.id).lines]
    message_id = service.reply(engine, anders, conv_id, "Vi ringer deg i morgen.")
    with db.session(engine) as s:
        told = s.exec(select(Outbox.recipient_pid).where(
            Outbox.dedupe_key.startswith(f"message:{message_id}:"))).all()
    assert told == [seeded["per"].nin]
    # The midwife at the same health station has no care for Jonas.
    with pytest.raises(ConversationNotFound):
        service.open_conversation(engine, staff(engine, seeded["lise"]), conv_id)


def _fullmakt(engine, giver, receiver, scope="pregnancy"):
    with db.write_session(engine) as s:
        s.add(Fullmakt(giver_id=giver.id, receiver_id=receiver.id, scope=scope,
                       valid_from=today_oslo()))


def test_nora_writes_to_lise_and_jon_sees_it_only_when_she_shares(engine, seeded):
    nora = citizen(seeded["nora"])
    [to_lise] = service.recipients(engine, nora)
    assert (to_lise.service, to_lise.carer_name, to_lise.place_kind) == (
        "pregnancy", "Lise Haugen", "health_station")
    assert to_lise.categories == ("card", "other")
    conv_id = service.start(engine, nora, recipient=to_lise.key, body="Er vekten min ok?",
                            category="card")
    lise = staff(engine, seeded["lise"])
    assert [line.id for line in service.inbox(engine, lise).lines] == [conv_id]
    service.reply(engine, lise, conv_id, "Ja, helt fint.")

    _fullmakt(engine, seeded["nora"], seeded["jon"])
    jon = citizen(seeded["jon"], seeded["nora"])
    assert service.conversations(engine, jon) == []
    with pytest.raises(ConversationNotFound):
        service.open_conversation(engine, jon, conv_id)
    assert service.open_conversation(engine, nora, conv_id).may_share
    service.share_with_proxy(engine, nora, conv_id, True)
    assert [c.id for c in service.conversations(engine, jon)] == [conv_id]
    seen = service.open_conversation(engine, jon, conv_id)
    assert not seen.may_reply and not seen.may_share
    with pytest.raises(ConversationNotFound):
        service.reply(engine, jon, conv_id, "Hei fra Jon")
    with pytest.raises(ConversationNotFound):
        service.share_with_proxy(engine, jon, conv_id, False)
    service.share_with_proxy(engine, nora, conv_id, False)
    assert service.conversations(engine, jon) == []


def test_a_nurse_elsewhere_and_a_gp_see_nothing(engine, seeded):
    conv_id = _ida_writes(engine, seeded)
    for who in ("mona", "ole", "lise"):
        worker = staff(engine, seeded[who])
        assert service.inbox(engine, worker).lines == ()
        with pytest.raises(ConversationNotFound):
            service.open_conversation(engine, worker, conv_id)


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"), ("   \n ", "empty"), ("a" * 2001, "too_long"),
    ("hei\x00", "control_characters"), ("hei\x1b[31m", "control_characters"),
    ("gnp\u202eexe", "control_characters")])
def test_bad_text_is_refused_with_a_reason(engine, seeded, text, code):
    with pytest.raises(InvalidText) as refused:
        _ida_writes(engine, seeded, text=text)
    assert refused.value.code == code and refused.value.message_key == f"msg.err.{code}"


def test_text_is_stored_plain_and_never_as_markup(engine, seeded):
    conv_id = _ida_writes(engine, seeded, text="  <b>Hei</b>\r\nCafe\u0301  ")
    view = service.open_conversation(engine, citizen(seeded["ida"]), conv_id)
    assert view.messages[0].body == "<b>Hei</b>\nCaf\u00e9"


def test_a_category_from_another_list_is_refused(engine, seeded):
    with pytest.raises(MessageError):
        _ida_writes(engine, seeded, category="card")
    with pytest.raises(NoRecipient):
        service.start(engine, citizen(seeded["ida"]), recipient="youth:99999", body="Hei")


def test_a_closed_conversation_takes_no_reply_and_stays_readable(engine, seeded):
    conv_id = _ida_writes(engine, seeded)
    ida = citizen(seeded["ida"])
    service.close(engine, ida, conv_id)
    with pytest.raises(ConversationClosed):
        service.reply(engine, ida, conv_id, "Glemte noe")
    with pytest.raises(ConversationClosed):
        service.reply(engine, staff(engine, seeded["kari"]), conv_id, "Hei")
    view = service.open_conversation(engine, ida, conv_id)
    assert view.status == "closed" and not view.may_reply and len(view.messages) == 1
    assert service.inbox(engine, staff(engine, seeded["kari"])).lines[0].status == "closed"


def test_handled_journal_and_hand_over(engine, seeded):
    conv_id = _ida_writes(engine, seeded)
    kari = staff(engine, seeded["kari"])
    with db.write_session(engine) as s:  # Mona also serves the lower secondary school
        school = s.exec(select(Place).where(Place.name == "Fjordvik ungdomsskole")).one()
        mona = s.exec(select(Personnel).where(
            Personnel.person_id == seeded["mona"].id)).one()
        s.add(StaffAssignment(personnel_id=mona.id, place_id=school.id))
        anders_id = s.exec(select(Personnel.id).where(
            Personnel.person_id == seeded["anders"].id)).one()
        mona_id = mona.id
    service.mark_handled(engine, kari, conv_id)
    service.mark_journal(engine, kari, conv_id)
    view = service.open_conversation(engine, kari, conv_id)
    assert view.handled and view.journal and "HPR 9100001" in view.journal_by
    assert [c.name for c in service.colleagues(engine, kari, conv_id)] == ["Mona Berge"]
    with pytest.raises(MessageError):
        service.hand_over(engine, kari, conv_id, anders_id)
    service.hand_over(engine, kari, conv_id, mona_id)
    mona_actor = staff(engine, seeded["mona"])
    line = next(line for line in service.inbox(engine, mona_actor, school.id).lines)
    assert line.assigned_name == "Mona Berge"
    with pytest.raises(ConversationNotFound):  # a citizen cannot use the nurse's actions
        service.mark_handled(engine, citizen(seeded["ida"]), conv_id)


def test_waiting_longer_than_the_answer_time_is_overdue(engine, seeded):
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    conv_id = _ida_writes(engine, seeded, now=monday)
    kari = staff(engine, seeded["kari"])
    line = service.inbox(engine, kari, now=monday + dt.timedelta(days=2)).lines[0]
    assert (line.id, line.waited_days, line.overdue) == (conv_id, 2, False)
    line = service.inbox(engine, kari, now=monday + dt.timedelta(days=3)).lines[0]
    assert (line.waited_days, line.overdue) == (3, True)


def test_unanswered_come_first(engine, seeded):
    first = _ida_writes(engine, seeded, now=NOW)
    mia = citizen(seeded["mia"])
    key = _key(service.recipients(engine, mia), "lower_secondary")
    second = service.start(engine, mia, recipient=key, body="Hei", now=NOW)
    kari = staff(engine, seeded["kari"])
    service.reply(engine, kari, first, "Svar", now=NOW)
    assert [line.id for line in service.inbox(engine, kari, now=NOW).lines] == [second, first]


def test_out_of_office_reply_names_the_next_working_day(engine, world):
    ida = world.pupil("ida")
    key = _key(service.recipients(engine, ida, now=NOW), "lower_secondary")
    conv_id = service.start(engine, ida, recipient=key, body="Hei", now=NOW)  # Monday 08.00
    view = service.open_conversation(engine, ida, conv_id, now=NOW)
    assert [(m.author_kind, m.back_on) for m in view.messages] == [
        ("citizen", None), ("auto", dt.date(2025, 11, 25))]
    service.reply(engine, ida, conv_id, "En ting til", now=NOW)  # no second auto reply
    view = service.open_conversation(engine, ida, conv_id, now=NOW)
    assert [m.author_kind for m in view.messages] == ["citizen", "auto", "citizen"]
    tuesday_ten = dt.datetime(2025, 11, 25, 9, tzinfo=dt.UTC)  # 10.00 in Oslo: open
    later = service.start(engine, ida, recipient=key, body="Hei igjen", now=tuesday_ten)
    assert [m.author_kind for m in service.open_conversation(
        engine, ida, later, now=tuesday_ten).messages] == ["citizen"]


def test_every_read_is_in_her_access_log_and_not_in_her_parents_view(engine, seeded):
    sara = citizen(seeded["sara"])
    key = _key(service.recipients(engine, sara), "lower_secondary")
    conv_id = service.start(engine, sara, recipient=key, body="Hei")
    service.open_conversation(engine, staff(engine, seeded["kari"]), conv_id)
    with db.write_session(engine) as s:
        lines = access_log_page(s, sara, sara.pid).lines
    kari_reads = [line for line in lines if line.actor_name == "Kari Lund"
                  and line.object_type == "conversation" and line.action == "read"]
    assert kari_reads and kari_reads[0].hpr_number == "9100001"
    per_for_sara = citizen(seeded["per"], seeded["sara"])
    with db.write_session(engine) as s:
        try:
            theirs = access_log_page(s, per_for_sara, sara.pid).lines
        except Exception:  # a parent of a 13-year-old may not even see the log
            theirs = []
    assert not [line for line in theirs if line.object_type.startswith("conversation")]


def test_class_message_is_information_without_reply(engine, seeded):
    kari = staff(engine, seeded["kari"])
    with db.session(engine) as s:
        school = s.exec(select(Place).where(Place.name == "Fjordvik ungdomsskole")).one()
    assert service.groups(engine, kari, school.id) == ["8", "9", "10", "10A", "8A", "8B", "9B"]
    count = service.send_broadcast(engine, kari, school.id, "8",
                                   "Vaksinering for 8. trinn på torsdag")
    assert count == 2  # Mia (8A) and Sara (8B)
    mia = citizen(seeded["mia"])
    [line] = service.conversations(engine, mia)
    assert line.kind == "info" and line.unread
    view = service.open_conversation(engine, mia, line.id)
    assert not view.may_reply and view.messages[0].body.startswith("Vaksinering")
    with pytest.raises(ConversationClosed):
        service.reply(engine, mia, line.id, "Ok")
    assert service.conversations(engine, citizen(seeded["ida"])) == []
    assert service.inbox(engine, kari).lines == ()  # information is not in the inbox
    with pytest.raises(NoRecipient):
        service.send_broadcast(engine, kari, school.id, "7", "Hei")
    with pytest.raises(ConversationNotFound):
        service.send_broadcast(engine, staff(engine, seeded["mona"]), school.id, "8", "Hei")


def test_templates_per_place(engine, seeded):
    kari = staff(engine, seeded["kari"])
    with db.session(engine) as s:
        school = s.exec(select(Place).where(Place.name == "Fjordvik ungdomsskole")).one()
    tid = service.add_template(engine, kari, school.id, "Kom innom", "Kom innom på kontoret.")
    assert [(x.title, x.body) for x in service.templates(engine, kari, school.id)] == [
        ("Kom innom", "Kom innom på kontoret.")]
    with pytest.raises(ConversationNotFound):
        service.templates(engine, staff(engine, seeded["mona"]), school.id)
    service.remove_template(engine, kari, tid)
    assert service.templates(engine, kari, school.id) == []


def test_messages_are_kept_there_is_no_delete(engine, seeded):
    from digihelse.messages import models

    assert models.RETENTION is None and "7-29" in models.RETENTION_SOURCE
    assert not [name for name in dir(service) if "delete" in name and "template" not in name]
    conv_id = _ida_writes(engine, seeded)
    service.close(engine, citizen(seeded["ida"]), conv_id)
    with db.session(engine) as s:
        assert s.exec(select(Message).where(Message.conversation_id == conv_id)).all()


def test_personnel_cannot_start_and_a_passkey_pupil_can(engine, seeded):
    assert service.recipients(engine, staff(engine, seeded["kari"])) == []
    emil = Actor(seeded["emil"].nin, "citizen", "Emil", assurance="passkey_nurse")
    assert [r.service for r in service.recipients(engine, emil)] == ["youth", "youth"]
