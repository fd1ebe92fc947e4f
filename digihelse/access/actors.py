"""Who acts, in which service, doing what: the vocabulary every service call uses.

Services take an Actor and call digihelse.access.enforcement.require() before they read or
write anything; a refusal raises AccessDenied, which pages show as a friendly message
and the API as 403."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from digihelse.core.errors import ServiceError


class Service(enum.StrEnum):
    YOUTH = "youth"  # the youth service: school nurse and youth clinic, pupils from 12
    BASIC = "basic"  # the health station and school health service for families
    PREGNANCY = "pregnancy"  # the pregnancy health card


class Action(enum.StrEnum):
    VIEW_APPOINTMENTS = "view_appointments"
    BOOK = "book"
    CANCEL = "cancel"
    SEND_MESSAGE = "send_message"
    VIEW_CARD = "view_card"
    EDIT_CARD = "edit_card"  # personnel: midwife or GP
    WRITE_OWN_NOTES = "write_own_notes"  # the woman's own notes on her card
    VIEW_ACCESS_LOG = "view_access_log"
    MANAGE_SCHEDULE = "manage_schedule"  # personnel: slots and bookings at their place


class Channel(enum.StrEnum):
    WEB = "web"
    API = "api"
    SYSTEM = "system"


CITIZEN_ROLE = "citizen"  # everyone who is not health personnel (a StaffRole)


@dataclass(frozen=True)
class Actor:
    """The logged-in person, and on whose behalf they act (None: themselves)."""

    pid: str
    role: str  # "citizen", or a StaffRole value for personnel
    name: str = ""
    hpr_number: str | None = None
    organisation: str | None = None
    on_behalf_of_pid: str | None = None
    channel: Channel = Channel.WEB
    acr: str | None = None
    # How the session's login proved who she is (an access.policy.Assurance value): the
    # policy caps what a nurse-verified passkey login reaches.
    assurance: str = "eid"

    @property
    def is_personnel(self) -> bool:
        return self.role != CITIZEN_ROLE

    @property
    def subject_pid(self) -> str:
        """Whose data a citizen's call is about by default."""
        return self.on_behalf_of_pid or self.pid

    def acting_for(self, pid: str | None) -> Actor:
        from dataclasses import replace

        return replace(self, on_behalf_of_pid=None if pid == self.pid else pid)


class AccessDenied(PermissionError, ServiceError):
    """A refused call. `code` is for logs and the API; `message_key` is an i18n key for
    the friendly sentence a page shows."""

    def __init__(self, code: str, message: str, message_key: str = "access.denied") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_key = message_key
