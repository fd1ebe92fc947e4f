"""The SMS texts a booking sends, and the dates and clock times they (and the calendar
file) are written with: the catalogs' sms.* messages, dates by Babel. Plain words: no
topic, no note, no place name, no health content."""

from __future__ import annotations

import datetime as dt

from digihelse.access.actors import Service
from digihelse.core.i18n import DEFAULT_LANG, formatting, t
from digihelse.core.timeutil import to_oslo
from digihelse.people.kinds import PlaceKind


def clock(at: dt.datetime) -> str:
    """"10.15": Norwegian writes the clock with a full stop."""
    return formatting.clock(at)


def format_when(at: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """"tirsdag 25. november kl. 10.15" (Oslo time)."""
    day = formatting.weekday_day_month(to_oslo(at).date(), lang)
    return f"{day} {t('time.at', lang)} {clock(at)}"


def slot_label(at: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """"Tirsdag 25. nov 10.15": the short form on a time button."""
    day = formatting.weekday_day_short_month(to_oslo(at).date(), lang)
    return f"{day.capitalize()} {clock(at)}"


def _day_words(start: dt.datetime, seen_on: dt.date, lang: str) -> str:
    day = to_oslo(start).date()
    if day == seen_on:
        return t("sms.day.today", lang)
    if day == seen_on + dt.timedelta(days=1):
        return t("sms.day.tomorrow", lang)
    return formatting.weekday_day_month(day, lang)


# Message bodies: plain words, no topic, no note, no place name, no health content, in the
# recipient's language (bokmål until a person can choose one). `where` is the message that
# says with whom or where: "hos helsesykepleier" for pupils; see sms_where().
NURSE_WORDS = "sms.where.nurse"


def _sms(key: str, where: str, lang: str, **values: object) -> str:
    text = t(key, lang, where=t(where, lang) if where else "", **values)
    return " ".join(text.split())  # no double space where `where` is empty


def sms_where(service: str, place_kind: str | None) -> str:
    """Where an SMS says the time is. Pupils and families: "hos helsesykepleier". A
    pregnancy consultation names only the kind of place ("på helsestasjonen", which serves
    children and families too), never "jordmor": others may read an SMS, and it must not
    tell that she is pregnant."""
    if service != Service.PREGNANCY:
        return NURSE_WORDS
    return "sms.where.health_station" if place_kind == PlaceKind.HEALTH_STATION else ""


def confirmation_text(start: dt.datetime, where: str = NURSE_WORDS,
                      lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.booked", where, lang, when=format_when(start, lang))


def moved_text(start: dt.datetime, where: str = NURSE_WORDS, lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.moved", where, lang, when=format_when(start, lang))


def reminder_text(start: dt.datetime, sent_on: dt.date, where: str = NURSE_WORDS,
                  lang: str = DEFAULT_LANG) -> str:
    return _sms("sms.reminder", where, lang, day=_day_words(start, sent_on, lang),
                clock=clock(start))


def cancelled_text(start: dt.datetime, by_nurse: bool, where: str = NURSE_WORDS,
                   lang: str = DEFAULT_LANG) -> str:
    when = format_when(start, lang)
    if by_nurse:
        # The nurse's reason may say more than an SMS should; the pupil reads it in the app.
        key = "sms.cancelled.by_nurse" if where == NURSE_WORDS else "sms.cancelled.by_place"
        return _sms(key, where, lang, when=when)
    return _sms("sms.cancelled", where, lang, when=when)
