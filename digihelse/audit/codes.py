"""From access-log codes to what a person reads under Innsyn, and the filter groups.

One place maps each (action, object_type) the app writes to a message key, so no raw code
ever reaches a person; tests/unit/audit/test_codes.py checks every written pair has a
text in nb, nn and en. A text may name whom it concerns ({name}) where the row has it."""

from __future__ import annotations

import enum

CITIZEN = "citizen"


class Who(enum.StrEnum):
    """Whom the citizen filters by: herself, health personnel, or family and proxies."""

    ALL = "all"
    ME = "me"
    PERSONNEL = "personnel"
    FAMILY = "family"  # parents acting for her, and those she gave a fullmakt


class What(enum.StrEnum):
    ALL = "all"
    APPOINTMENTS = "appointments"
    CARD = "card"
    SHARING = "sharing"
    LOGIN = "login"
    LOG = "log"
    MESSAGES = "messages"


# Which object types each "what" filter covers (the query filters on these).
WHAT_OBJECTS: dict[What, tuple[str, ...]] = {
    What.APPOINTMENTS: ("appointment", "booking"),
    What.CARD: ("pregnancy_record", "consultation", "lab_result", "own_note", "birth_plan",
                "history", "pregnancy_list", "home_reading", "pregnancy_consent"),
    What.SHARING: ("fullmakt", "fullmakt_list", "fullmakt_receiver"),
    What.LOGIN: ("session", "passkey", "passkey_activation"),
    What.LOG: ("access_log",),
    What.MESSAGES: ("conversation", "conversation_list", "message"),
}

_HIDEABLE = ("pregnancy_record", "consultation", "lab_result", "own_note", "birth_plan",
             "home_reading")

# (action, object_type) -> the key of its verb phrase ("leste helsekortet"). Keys ending in
# ".named" take {name}: the other person the row is about (the fullmakt's receiver or giver).
TEXTS: dict[tuple[str, str], str] = {
    ("login", "session"): "log.do.login",
    ("create", "passkey_activation"): "log.do.create_passkey_activation",
    ("create", "passkey"): "log.do.create_passkey",
    ("revoke", "passkey"): "log.do.revoke_passkey",
    ("logout", "session"): "log.do.logout",
    ("read", "access_log"): "log.do.read_log",
    ("view_access_log", "access_log"): "log.do.read_log",
    ("read", "appointment"): "log.do.read_appointment",
    ("read", "patient"): "log.do.read_patient",
    ("create", "appointment"): "log.do.create_appointment",
    ("update", "appointment"): "log.do.update_appointment",
    ("read", "pregnancy_record"): "log.do.read_card",
    ("create", "pregnancy_record"): "log.do.create_card",
    ("update", "pregnancy_record"): "log.do.update_card",
    ("create", "consultation"): "log.do.create_consultation",
    ("update", "consultation"): "log.do.update_consultation",
    ("create", "lab_result"): "log.do.create_lab",
    ("update", "lab_result"): "log.do.update_lab",
    ("create", "own_note"): "log.do.create_note",
    ("update", "own_note"): "log.do.update_note",
    ("delete", "own_note"): "log.do.delete_note",
    ("read", "birth_plan"): "log.do.read_birth_plan",
    ("create", "birth_plan"): "log.do.write_birth_plan",
    ("update", "birth_plan"): "log.do.write_birth_plan",
    ("read", "home_reading"): "log.do.read_home_readings",
    ("create", "home_reading"): "log.do.create_home_reading",
    ("update", "home_reading"): "log.do.update_home_reading",
    ("delete", "home_reading"): "log.do.delete_home_reading",
    ("read", "history"): "log.do.read_history",
    # Her consent to the card in the app, and the card removed when she withdraws it.
    ("read", "pregnancy_consent"): "log.do.read_consent",
    ("create", "pregnancy_consent"): "log.do.give_consent",
    ("withdraw", "pregnancy_consent"): "log.do.withdraw_consent",
    ("delete", "pregnancy_record"): "log.do.remove_card",
    ("read", "pregnancy_list"): "log.do.read_pregnancy_list",
    ("read", "fullmakt_list"): "log.do.read_fullmakt_list",
    ("read", "fullmakt_receiver"): "log.do.read_fullmakt_receiver",
    ("read", "conversation"): "log.do.read_message",
    ("read", "conversation_list"): "log.do.read_message_list",
    ("create", "message"): "log.do.create_message",
    ("close", "conversation"): "log.do.close_message",
    ("update", "conversation"): "log.do.update_message",
    ("show", "conversation"): "log.do.share_message",
    ("hide", "conversation"): "log.do.unshare_message",
    ("update", "notify_preference"): "log.do.update_notify",
    ("create", "push_subscription"): "log.do.add_push",
    ("delete", "push_subscription"): "log.do.remove_push",
    **{("hide", o): "log.do.hide" for o in _HIDEABLE},
    **{("show", o): "log.do.show" for o in _HIDEABLE},
}

# Fullmakt rows read differently for the giver ("ga Jon Hansen tilgang") and for the
# receiver ("ga deg tilgang"): (action, viewer is the giver) -> key.
FULLMAKT_TEXTS: dict[tuple[str, bool], str] = {
    ("give", True): "log.do.give.named",
    ("give", False): "log.do.give_you",
    ("update", True): "log.do.update_fullmakt.named",
    ("update", False): "log.do.update_fullmakt_you",
    ("revoke", True): "log.do.revoke.named",
    ("revoke", False): "log.do.revoke_you",
}

LOGIN_FAILED = "log.do.login_failed"
OTHER = "log.do.other"


def what_of(object_type: str) -> What | None:
    return next((w for w, objs in WHAT_OBJECTS.items() if object_type in objs), None)


DENIED: dict[What | None, str] = {
    What.APPOINTMENTS: "log.denied.appointments",
    What.CARD: "log.denied.card",
    What.SHARING: "log.denied.sharing",
    What.LOGIN: "log.denied.login",
    What.LOG: "log.denied.log",
    What.MESSAGES: "log.denied.messages",
    None: "log.denied.other",
}

# The filters' labels, by value (written out so the catalogue extraction finds them).
WHO_LABELS = {Who.ALL: "log.who.all", Who.ME: "log.who.me",
              Who.PERSONNEL: "log.who.personnel", Who.FAMILY: "log.who.family"}
WHAT_LABELS = {What.ALL: "log.what.all", What.APPOINTMENTS: "log.what.appointments",
               What.CARD: "log.what.card", What.SHARING: "log.what.sharing",
               What.LOGIN: "log.what.login", What.LOG: "log.what.log",
               What.MESSAGES: "log.what.messages"}


def denied_key(object_type: str) -> str:
    return DENIED[what_of(object_type)]


def text_key(action: str, object_type: str, outcome: str, *, viewer_gave: bool = True
             ) -> str:
    """The message key of one row's verb phrase; never the raw code."""
    if object_type == "session" and action == "login" and outcome != "ok":
        return LOGIN_FAILED
    if outcome == "denied":
        return denied_key(object_type)
    if object_type == "fullmakt":
        return FULLMAKT_TEXTS.get((action, viewer_gave), OTHER)
    return TEXTS.get((action, object_type), OTHER)


def all_keys() -> set[str]:
    """Every key text_key can give (for the catalogue test)."""
    keys = set(TEXTS.values()) | set(FULLMAKT_TEXTS.values()) | {LOGIN_FAILED, OTHER}
    keys |= set(DENIED.values())
    return keys
