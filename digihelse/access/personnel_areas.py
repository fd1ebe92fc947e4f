"""Which personnel pages a role may use: the booking schedule (I dag, Min timeplan, Uke) for
those who publish hours, the pregnancy cards (Mine gravide and a card's pages) for those
who write them, passkey activation (Aktivering) for the school and youth-clinic nurses.
The menu and every personnel page ask the same question here, so a menu never offers a
page that then refuses, and a page never half-loads for the wrong role."""

from __future__ import annotations

import enum

from digihelse.access import policy


class Area(enum.StrEnum):
    SCHEDULE = "schedule"
    CARDS = "cards"
    ONBOARDING = "onboarding"  # passkey activation codes for pupils without MinID


# Each personnel page (by the key its page marks in the menu) and the area it belongs to.
PAGE_AREAS: dict[str, Area] = {
    "today": Area.SCHEDULE, "schedule": Area.SCHEDULE, "week": Area.SCHEDULE,
    "inbox": Area.SCHEDULE,  # the place's messages: those who keep its hours answer them
    "women": Area.CARDS, "card": Area.CARDS,
    "activation": Area.ONBOARDING,
}


def may_use(role: str, area: Area) -> bool:
    if area == Area.SCHEDULE:
        return policy.keeps_schedule(role)
    if area == Area.ONBOARDING:
        return policy.onboards_pupils(role)
    return policy.keeps_cards(role)


def areas_for(role: str) -> list[Area]:
    """The areas of the role's menu, in menu order."""
    return [area for area in Area if may_use(role, area)]


def may_open(role: str, page_key: str) -> bool:
    return may_use(role, PAGE_AREAS[page_key])
