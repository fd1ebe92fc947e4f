"""Who may read and write a conversation, given the access policy's decision for its
subject: pure functions, so that a property test can try every relation and age.

A conversation is an item of its service (access.policy.ItemFacts): parents never see the
youth service ("foreldre ser ikke timene ungdom får", KS; § 3-4 second paragraph), a
fullmakt receiver never the youth service, and a pregnant woman's messages only when she
chose to share them with those holding her fullmakt (then to read, never to write)."""

from __future__ import annotations

import re

from digihelse.access.actors import Action, Service
from digihelse.access.policy import Decision, ItemFacts, RelationKind, item_visible
from digihelse.core.text import plain_text
from digihelse.messages.errors import InvalidText
from digihelse.messages.models import MAX_BODY


def item(service: str, shared_with_proxy: bool = False) -> ItemFacts:
    return ItemFacts(service=Service(service), hidden_from_proxy=not shared_with_proxy)


def may_read(decision: Decision, conversation: ItemFacts) -> bool:
    """The subject herself, a parent or proxy the policy lets send messages for her in
    that service, her carers; and a proxy she shared her pregnancy messages with."""
    try:
        if not item_visible(decision.relation, conversation):
            return False
    except ValueError:
        return False
    if decision.allows(Action.SEND_MESSAGE):
        return True
    return (decision.relation == RelationKind.FULLMAKT
            and conversation.service == Service.PREGNANCY
            and not conversation.hidden_from_proxy and decision.allows(Action.VIEW_CARD))


def may_write(decision: Decision, conversation: ItemFacts) -> bool:
    """Writing needs SEND_MESSAGE in the conversation's service, besides reading."""
    return may_read(decision, conversation) and decision.allows(Action.SEND_MESSAGE)


# Control characters other than line break and tab, and the bidirectional overrides:
# refused with a message rather than silently removed, so she knows what was sent.
_CONTROL = re.compile("[" + "".join(chr(c) for c in range(32) if chr(c) not in "\n\t\r")
                      + "\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_body(text: str | None, *, limit: int = MAX_BODY) -> str:
    """The message as stored (core.text.plain_text), or InvalidText: empty, too long, or
    holding control characters."""
    raw = text or ""
    if _CONTROL.search(raw):
        raise InvalidText("control_characters")
    body = plain_text(raw)
    if not body:
        raise InvalidText("empty")
    if len(body) > limit:
        raise InvalidText("too_long")
    return body
