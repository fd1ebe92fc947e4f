"""The SMS texts a booking sends, and the bokmål dates and clock times they (and the
calendar file) are written with. Plain words: no topic, no note, no place name, no health
content."""

from __future__ import annotations

import datetime as dt

from digihelse.access.actors import Service
from digihelse.core.timeutil import to_oslo
from digihelse.people.models import PlaceKind

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov",
                "des")


def clock(at: dt.datetime) -> str:
    """"10.15": Norwegian writes the clock with a full stop."""
    return f"{to_oslo(at):%H.%M}"


def format_when(at: dt.datetime) -> str:
    """"tirsdag 25. november kl. 10.15" (Oslo time)."""
    local = to_oslo(at)
    return f"{WEEKDAYS[local.weekday()]} {local.day}. {MONTHS[local.month - 1]} kl. {clock(at)}"


def slot_label(at: dt.datetime) -> str:
    """"Tirsdag 25. nov 10.15": the short form on a time button."""
    local = to_oslo(at)
    weekday = WEEKDAYS[local.weekday()].capitalize()
    return f"{weekday} {local.day}. {MONTHS_SHORT[local.month - 1]} {clock(at)}"


def _day_words(start: dt.datetime, seen_on: dt.date) -> str:
    day = to_oslo(start).date()
    if day == seen_on:
        return "i dag"
    if day == seen_on + dt.timedelta(days=1):
        return "i morgen"
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]}"


# Message bodies: plain words, no topic, no note, no place name, no health content.
# `where` says with whom or where: "hos helsesykepleier" for pupils; see sms_where().
NURSE_WORDS = "hos helsesykepleier"


def _words(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def sms_where(service: str, place_kind: str | None) -> str:
    """Where an SMS says the time is. Pupils and families: "hos helsesykepleier". A
    pregnancy consultation names only the kind of place ("på helsestasjonen", which serves
    children and families too), never "jordmor": others may read an SMS, and it must not
    tell that she is pregnant."""
    if service != Service.PREGNANCY:
        return NURSE_WORDS
    return "på helsestasjonen" if place_kind == PlaceKind.HEALTH_STATION else ""


def confirmation_text(start: dt.datetime, where: str = NURSE_WORDS) -> str:
    return f"{_words('Timen din', where)} er bestilt: {format_when(start)}."


def moved_text(start: dt.datetime, where: str = NURSE_WORDS) -> str:
    return f"{_words('Timen din', where)} er flyttet til {format_when(start)}."


def reminder_text(start: dt.datetime, sent_on: dt.date, where: str = NURSE_WORDS) -> str:
    return f"{_words('Du har en time', where, _day_words(start, sent_on))} kl. {clock(start)}."


def cancelled_text(start: dt.datetime, by_nurse: bool, where: str = NURSE_WORDS) -> str:
    if by_nurse:
        # The nurse's reason may say more than an SMS should; the pupil reads it in the app.
        first = (f"Helsesykepleieren måtte avlyse timen din {format_when(start)}."
                 if where == NURSE_WORDS else
                 f"{_words('Timen din', where, format_when(start))} må dessverre avlyses.")
        return f"{first} Logg inn for å se beskjeden og bestille en ny time."
    return f"{_words('Timen din', where, format_when(start))} er avbestilt."
