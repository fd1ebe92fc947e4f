"""Communication: the secure messages through FHIR R4, over the same message service and
rules as the pages (digihelse/messages/service.py). Communication/{Message.id}; a message
to a place has its HealthcareService as recipient, an answer has the Patient; the
conversation is the identifier (urn:digihelse:conversation) and the message before it
inResponseTo. Create starts a conversation (recipient HealthcareService) or answers one
(inResponseTo); search by subject and recipient. Refusals are the unknown id's 404."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.communication import Communication
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import weekday_day_month
from digihelse.http.fhir import mapping
from digihelse.http.fhir.context import Ctx, ResourceSpec, Result, SearchParam
from digihelse.http.fhir.outcome import FhirError, not_found
from digihelse.http.fhir.patient import person_by_id
from digihelse.http.fhir.search import int_id, paging, reference_id, searchset
from digihelse.messages import service
from digihelse.messages.errors import ConversationClosed, InvalidText, MessageError
from digihelse.messages.models import Category, Conversation, Message
from digihelse.people.models import Person

CATEGORY_SYSTEM = "urn:digihelse:message-category"
CONVERSATION_SYSTEM = "urn:digihelse:conversation"


def communication(item: service.CommunicationItem) -> Communication:
    patient = {"reference": f"Patient/{item.person_id}"}
    place = {"reference": f"HealthcareService/{item.place_id}"}
    if item.author_kind == "citizen":
        sender: dict[str, Any] = {"display": item.author_name} if item.author_name else place
        recipient = [place]
        body = item.body
    elif item.author_kind == "auto":
        sender, recipient = place, [patient]
        body = t("msg.auto_reply", "nb", day=weekday_day_month(item.back_on, "nb")) \
            if item.back_on else ""
    else:
        sender = {"display": item.author_name}
        if item.author_hpr:
            sender["identifier"] = {"system": mapping.HPR_SYSTEM, "value": item.author_hpr}
        recipient, body = [patient], item.body
    return Communication.model_validate({
        "id": str(item.message_id),
        "identifier": [{"system": CONVERSATION_SYSTEM, "value": str(item.conversation_id)}],
        "status": "completed",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": item.category}]}]
        if item.category else None,
        "subject": patient,
        "sender": sender,
        "recipient": recipient,
        "sent": mapping.oslo(item.at),
        "inResponseTo": [{"reference": f"Communication/{item.in_response_to}"}]
        if item.in_response_to else None,
        "payload": [{"contentString": body}] if body else None,
    })


def _owner_pid(message_id: int, engine) -> str | None:
    """Whose conversation a message is in (to act for her); no access decision here."""
    with db.session(engine) as s:
        row = s.exec(select(Person.nin).join(Conversation, Conversation.person_id == Person.id)
                     .join(Message, Message.conversation_id == Conversation.id)
                     .where(Message.id == message_id)).first()
    return row


def _as(actor: Actor, pid: str | None) -> Actor:
    return actor if actor.is_personnel or pid is None else actor.acting_for(pid)


def read(ctx: Ctx) -> Result:
    number = int_id(ctx.resource_id or "")
    if number is None:
        raise not_found()
    actor = _as(ctx.actor, _owner_pid(number, ctx.engine))
    items = service.communications(ctx.engine, actor, message_id=number)
    if not items:
        raise not_found()
    return Result(communication(items[0]))


def _subject(ctx: Ctx) -> Person | None:
    value = ctx.query.one("subject") or ctx.query.one("patient")
    if value is None:
        return None
    with db.session(ctx.engine) as s:
        person = person_by_id(s, reference_id(value, "Patient"))
    if person is None:
        raise not_found()
    return person


def search(ctx: Ctx) -> Result:
    query = ctx.query
    count, offset = paging(query)
    person = _subject(ctx)
    actor = _as(ctx.actor, person.nin if person is not None else None)
    recipient = query.one("recipient")
    place_id = None
    to_patient: int | None = None
    if recipient is not None:
        if "HealthcareService/" in recipient:
            place_id = int_id(reference_id(recipient, "HealthcareService"))
            if place_id is None:
                raise not_found()
        else:
            to_patient = int_id(reference_id(recipient, "Patient"))
            if to_patient is None:
                raise not_found()
    items = service.communications(ctx.engine, actor, place_id=place_id)
    if person is not None:
        items = [i for i in items if i.person_id == person.id]
    if place_id is not None:
        items = [i for i in items if i.author_kind == "citizen"]
    if to_patient is not None:
        items = [i for i in items if i.author_kind != "citizen" and i.person_id == to_patient]
    categories = query.tokens("category")
    if categories:
        items = [i for i in items if i.category and any(
            tok.matches(CATEGORY_SYSTEM, i.category) for tok in categories)]
    resources = [communication(i) for i in items]
    return Result(searchset(ctx.base, "Communication", query, resources, count, offset))


def _text(body: dict) -> str:
    payload = body.get("payload") or []
    texts = [p.get("contentString") for p in payload if isinstance(p, dict)]
    if len(texts) != 1 or not isinstance(texts[0], str):
        raise FhirError(400, "Send exactly one payload with contentString (plain text).")
    return texts[0]


def _category(body: dict) -> str | None:
    for concept in body.get("category") or []:
        for coding in (concept or {}).get("coding") or []:
            if coding.get("system") == CATEGORY_SYSTEM and coding.get("code") in {
                    c.value for c in Category}:
                return coding["code"]
    return None


def _refs(body: dict, field: str) -> list[str]:
    values = body.get(field) or []
    return [v.get("reference", "") for v in values if isinstance(v, dict)]


def create(ctx: Ctx) -> Result:
    body = ctx.json_body()
    if not isinstance(body, dict) or body.get("resourceType") != "Communication":
        raise FhirError(400, "Send a Communication.")
    text = _text(body)
    answers = [int_id(reference_id(r, "Communication")) for r in _refs(body, "inResponseTo")]
    try:
        if answers:
            message = answers[0]
            conversation = service.conversation_of(ctx.engine, message) if message else None
            if conversation is None:
                raise not_found()
            actor = _as(ctx.actor, _owner_pid(message, ctx.engine))
            new_id = service.reply(ctx.engine, actor, conversation, text, now=ctx.now)
        else:
            if ctx.actor.is_personnel:
                raise FhirError(422, "Personnel answer with inResponseTo; they start no "
                                     "conversation here.", code="processing")
            person = None
            subject = (body.get("subject") or {}).get("reference")
            if subject:
                with db.session(ctx.engine) as s:
                    person = person_by_id(s, reference_id(subject, "Patient"))
                if person is None:
                    raise not_found()
            actor = _as(ctx.actor, person.nin if person is not None else None)
            places = [int_id(reference_id(r, "HealthcareService"))
                      for r in _refs(body, "recipient") if "HealthcareService/" in r]
            if len(places) != 1 or places[0] is None:
                raise FhirError(400, "Name one recipient: HealthcareService/<id>.")
            category = _category(body)
            found = [r for r in service.recipients(ctx.engine, actor, now=ctx.now)
                     if r.place_id == places[0]]
            found.sort(key=lambda r: (category == "card") != (r.service == "pregnancy"))
            if not found:
                raise not_found()
            conversation = service.start(ctx.engine, actor, recipient=found[0].key, body=text,
                                         category=category, now=ctx.now)
            with db.session(ctx.engine) as s:
                new_id = s.exec(select(Message.id).where(
                    Message.conversation_id == conversation)).first()
    except InvalidText as exc:
        raise FhirError(400, f"The text is refused ({exc.code}).", code="invalid") from exc
    except ConversationClosed as exc:
        raise FhirError(409, "The conversation is closed.", code="conflict") from exc
    except MessageError as exc:
        raise not_found() from exc
    items = service.communications(ctx.engine, actor, message_id=new_id)
    if not items:  # pragma: no cover - she just wrote it
        raise not_found()
    return Result(communication(items[0]), status=201,
                  headers={"Location": f"{ctx.base}/Communication/{new_id}"})


SPEC = ResourceSpec(
    type="Communication",
    documentation=("Secure messages with the school health service, the youth clinic, the "
                   "health station and the midwife, by the same rules as the pages (parents "
                   "never see the youth service; a fullmakt sees a pregnancy conversation "
                   "only when she shares it). Create with recipient HealthcareService/<id> "
                   "starts a conversation; with inResponseTo Communication/<id> it answers. "
                   "The payload is one plain-text contentString (at most 2000 characters, no "
                   "control characters). Every read is in the access log."),
    interactions={"read": read, "search-type": search, "create": create},
    search_params=(
        SearchParam("subject", "reference", "Patient/<id>: her messages (she, or someone "
                                            "acting for her); without it, the caller's."),
        SearchParam("recipient", "reference", "HealthcareService/<id> (messages to a place) "
                                              "or Patient/<id> (answers to her)."),
        SearchParam("category", "token", f"{CATEGORY_SYSTEM}|<code>."),
    ),
)
