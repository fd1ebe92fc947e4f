"""The card's access checks and its access log, in the terms of the pregnancy service.

Every operation goes through require() (digihelse.access.enforcement: the woman views and
writes her own notes; her midwife or GP views and edits; a fullmakt receiver with scope
"pregnancy" views; parents never) and logs what it read or wrote with log()."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from digihelse.access import policy
from digihelse.access.actors import Action, Actor, Service
from digihelse.access.enforcement import record_access
from digihelse.access.enforcement import require as require_access
from digihelse.people.models import Personnel
from digihelse.people.registry import personnel_by_pid

# The count of earlier pregnancies a partner with fullmakt never sees (validation's
# PREVIOUS_COUNTS names them).
PREVIOUS_NEVER_TO_PROXY = "terminations"


def require(s: Session, actor: Actor, woman_pid: str, action: Action, *, object_type: str,
            object_id: int | None = None) -> policy.Decision:
    return require_access(s, actor, woman_pid, Service.PREGNANCY, action,
                          object_type=object_type,
                          object_id=None if object_id is None else str(object_id))


def log(s: Session, actor: Actor, woman_pid: str, action: str, object_type: str,
        object_id: int | None) -> None:
    # The card is the woman's, also when she is a minor: its log rows are never shown to
    # parents (DOMAIN.md: "the card is hers, parents see nothing by default").
    record_access(s, actor, woman_pid, action=action, object_type=object_type,
                  object_id=None if object_id is None else str(object_id),
                  service=Service.PREGNANCY, hidden_from_parents=True)


def visible(relation: str, hidden_from_proxy: bool) -> bool:
    """Whether an item of the card may be shown to a viewer with this relation."""
    return policy.item_visible(relation, policy.ItemFacts(Service.PREGNANCY,
                                                          hidden_from_proxy=hidden_from_proxy))


def notes_visible(relation: str) -> bool:
    """Her own notes and questions are between her and her carers: a fullmakt receiver sees
    neither them nor that she wrote any (in the card or its history)."""
    return not is_proxy(relation)


def previous_for(previous: dict[str, Any] | None, proxy: bool) -> dict[str, Any]:
    """Her earlier pregnancies as the viewer may see them. Induced abortions are never
    shown to a partner with fullmakt, not even when she shows him the section: that is
    hers alone to tell (abortloven § 1 and helsepersonelloven § 21 keep it confidential;
    a fullmakt is for following the pregnancy, not her history)."""
    shown = dict(previous or {})
    if proxy:
        shown.pop(PREVIOUS_NEVER_TO_PROXY, None)
    return shown


def is_proxy(relation: str) -> bool:
    """A fullmakt receiver: the one viewer who does not see what the woman hid."""
    return relation == policy.RelationKind.FULLMAKT


def carer_staff(s: Session, actor: Actor) -> Personnel | None:
    """The actor's registry row when she is in a role that keeps pregnancy cards (the
    policy says which), logged in as that role; else None."""
    if not actor.is_personnel:
        return None
    found = personnel_by_pid(s, actor.pid)
    if (found is None or not policy.keeps_cards(found[1].role)
            or found[1].role != actor.role):
        return None
    return found[1]


# --- When a pregnancy ends (healthcard/ending.py) ---
# The record's columns about the ending: never in a fullmakt receiver's history.
ENDING_FIELDS = frozenset({"ended_on", "end_kind", "ending_shown_to_proxy"})
# The ending a fullmakt receiver never sees, as PREVIOUS_NEVER_TO_PROXY for earlier ones.
ENDING_NEVER_TO_PROXY = "termination"


def ending_visible(proxy: bool, end_kind: str | None, shown_to_proxy: bool) -> bool:
    """Whether the viewer may see how (and that) the pregnancy ended. She and her carers
    always; a fullmakt receiver never a termination (abortloven § 1, helsepersonelloven
    § 21), any other ending only when she chose to show it (privacy by default)."""
    if not proxy or end_kind is None:
        return True
    return end_kind != ENDING_NEVER_TO_PROXY and shown_to_proxy


def check_ended_card(relation: str, record: Any) -> None:
    """An ended card the viewer may not see the ending of is, for him, no card at all:
    the same CardNotFound as for a woman without one (a refusal that tells nothing)."""
    from digihelse.healthcard.errors import CardNotFound

    if record.ended_on is not None and not ending_visible(
            is_proxy(relation), record.end_kind, record.ending_shown_to_proxy):
        raise CardNotFound()
