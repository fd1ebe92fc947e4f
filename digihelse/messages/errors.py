"""Why a message action was refused: a code for logs and the API, an i18n key for pages."""

from __future__ import annotations

from digihelse.core.errors import ServiceError
from digihelse.core.i18n.families import keyed


class MessageError(ServiceError):
    code = "message_error"
    message_key = "msg.err.generic"

    def __init__(self, code: str | None = None) -> None:
        super().__init__(code or self.code)
        if code:
            self.code = code
            self.message_key = keyed("msg.err", code)


class InvalidText(MessageError):
    """Empty, too long, or with control characters."""


class ConversationNotFound(MessageError):
    """No such conversation, or not one the actor may see: the same answer for both."""

    code = "not_found"
    message_key = "msg.err.not_found"


class ConversationClosed(MessageError):
    """Closed, or information that takes no reply."""

    code = "closed"
    message_key = "msg.err.closed"


class NoRecipient(MessageError):
    """She may not write there (not her place, or not in this service)."""

    code = "no_recipient"
    message_key = "msg.err.no_recipient"
