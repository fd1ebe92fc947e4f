"""The pregnancy card's refusals: each has a `code` for logs and the API and a
`message_key` for the page."""

from __future__ import annotations

from typing import Any

from digihelse.core.errors import ServiceError
from digihelse.healthcard.validation import Errors


class CardError(ServiceError):
    """A refused card action. `code` is for logs and the API, `message_key` an i18n key."""

    code = "card_error"
    message_key = "card.error.generic"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)


class CardNotFound(CardError):
    """The woman has no active pregnancy card."""

    code = "card_not_found"
    message_key = "card.error.not_found"


class CardExists(CardError):
    """The woman already has an active pregnancy card."""

    code = "card_exists"
    message_key = "card.error.card_exists"


class ItemNotFound(CardError):
    """No such consultation, test or note on this woman's card."""

    code = "item_not_found"
    message_key = "card.error.item_not_found"


class StaleEdit(CardError):
    """Somebody changed the item since the form was opened; reload and try again."""

    code = "stale_edit"
    message_key = "card.error.stale"


class ValidationFailed(CardError):
    """The draft has implausible or missing values; nothing was written.

    `errors` maps each field to the i18n key of its message, so the form keeps the draft
    and shows every message by its field."""

    code = "validation_failed"
    message_key = "card.error.validation"

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"invalid: {', '.join(f'{k}={v}' for k, v in sorted(errors.items()))}")
        self.errors = dict(errors)


def fail_if(errors: Errors) -> None:
    """Refuse a draft with every problem found in it; nothing is written."""
    if errors:
        raise ValidationFailed(errors)


def check_version(row: Any, expected: int | None) -> None:
    """Refuse an edit made from a form read at another version than the row has now."""
    if expected is not None and row.version != expected:
        raise StaleEdit()
