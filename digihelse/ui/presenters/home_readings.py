"""Her own measurements at home on the page: the form's strings as a draft, a reading as
a display row, and the one sentence a refusal gives. Pure: no Reflex, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.formatting import clock, day_month, number
from digihelse.core.timeutil import OSLO, to_oslo
from digihelse.healthcard.errors import ItemNotFound, StaleEdit, ValidationFailed
from digihelse.healthcard.home_readings import HomeReadingView
from digihelse.healthcard.validation import NO_READING, HomeReadingDraft, validate_home_reading

# The form's fields, in its order; a field's error is shown under it by this name.
FIELDS = ("measured_on", "measured_time", "bp_systolic", "bp_diastolic", "pulse", "weight_kg")
_INTS = ("bp_systolic", "bp_diastolic", "pulse")


@dataclass
class ReadingRow:
    """One of her readings in a list: when, what, and whether it is at or above 140/90."""

    id: int
    when: str  # "5. desember kl. 07.30 – uke 27+3"
    lines: list[str]  # "Blodtrykk: 145/95 (puls 78)", "Vekt: 71,2 kg"
    high: bool
    hidden: bool  # hidden from those she gave fullmakt, on its own
    version: int = 1


def refusal_text(exc: ServiceError, lang: str) -> str:
    """Whatever refused a read (no access, no such woman, no card): the same words, so a
    refusal tells nothing. A refused save keeps its own words (stale form, gone item)."""
    if isinstance(exc, StaleEdit | ItemNotFound | ValidationFailed):
        return t(exc.message_key, lang)
    return t("card.error.not_found", lang)


def now_fields(now: dt.datetime) -> dict[str, str]:
    """The form's starting values: the date and time now in Oslo, nothing measured."""
    local = to_oslo(now)
    return {"measured_on": local.date().isoformat(), "measured_time": local.strftime("%H:%M"),
            "bp_systolic": "", "bp_diastolic": "", "pulse": "", "weight_kg": "",
            "version": ""}


def reading_fields(r: HomeReadingView) -> dict[str, str]:
    """A reading as the form's strings, to correct it."""
    local = to_oslo(r.measured_at)

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return {"measured_on": local.date().isoformat(), "measured_time": local.strftime("%H:%M"),
            "bp_systolic": text(r.bp_systolic), "bp_diastolic": text(r.bp_diastolic),
            "pulse": text(r.pulse), "weight_kg": text(r.weight_kg).replace(".", ","),
            "version": str(r.version)}


def parse_reading(form: dict) -> tuple[HomeReadingDraft | None, dict[str, str]]:
    """The form's strings as a draft (date and time in Oslo); what cannot be read becomes
    the field's error, with the key of its message."""
    errors: dict[str, str] = {}
    values: dict[str, float | int | None] = {}
    for name in (*_INTS, "weight_kg"):
        raw = str(form.get(name, "")).strip().replace(",", ".").replace(" ", "")
        if raw == "":
            values[name] = None
            continue
        try:
            number_ = float(raw)
            if name in _INTS and not number_.is_integer():
                raise ValueError(raw)
            values[name] = int(number_) if name in _INTS else number_
        except ValueError:
            # What to type instead, not only that it is wrong: "120", "71,5".
            errors[name] = ("card.error.home_whole_number" if name in _INTS
                            else "card.error.home_weight_number")
    measured_at = None
    raw_day = str(form.get("measured_on", "")).strip()
    raw_time = str(form.get("measured_time", "")).strip()
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        errors["measured_on"] = "card.error.invalid" if raw_day else \
            "card.error.home_when_missing"
    else:
        try:
            at = dt.time.fromisoformat(raw_time) if raw_time else None
        except ValueError:
            errors["measured_time"] = "card.error.invalid"
        else:
            if at is None:
                errors["measured_time"] = "card.error.home_when_missing"
            else:
                measured_at = dt.datetime.combine(day, at.replace(second=0, microsecond=0),
                                                  tzinfo=OSLO).astimezone(dt.UTC)
    if errors:
        return None, errors
    return HomeReadingDraft(measured_at, values["bp_systolic"], values["bp_diastolic"],
                            values["pulse"], values["weight_kg"]), {}


def every_problem(form: dict, errors: dict[str, str], now: dt.datetime) -> dict[str, str]:
    """When part of the form cannot be read (`errors` from parse_reading), what is wrong
    with the rest as well, so that she is told every problem at once and not one after
    another. What could not be read keeps its own message; nothing is said that only
    follows from leaving it out (a blood pressure without its other number, a pulse without
    a blood pressure, an empty form)."""
    unread = {name: "" for name in errors if name in (*_INTS, "weight_kg")}
    stand_in = {} if "measured_on" not in errors and "measured_time" not in errors else \
        {name: now_fields(now)[name] for name in ("measured_on", "measured_time")}
    draft, _ = parse_reading({**form, **unread, **stand_in})
    if draft is None:
        return dict(errors)
    bp_unread = bool({"bp_systolic", "bp_diastolic"} & set(unread))
    found = {field_of(name): key for name, key in validate_home_reading(draft, now=now).items()
             if name != NO_READING and not (bp_unread and key in (
                 "card.error.bp_pair", "card.error.pulse_alone"))}
    return {**found, **errors}


def field_of(error_field: str) -> str:
    """Where a service error is shown: the time belongs to the date field."""
    return {"measured_at": "measured_on"}.get(error_field, error_field)


def reading_row(r: HomeReadingView, lang: str) -> ReadingRow:
    local = to_oslo(r.measured_at)
    when = f"{day_month(local.date(), lang)} {t('time.at', lang)} {clock(r.measured_at)}"
    if r.ga_text:
        when += f" – {t('card.field.ga', lang)} {r.ga_text}"
    lines = []
    if r.bp_systolic is not None and r.bp_diastolic is not None:
        bp = f"{t('card.field.bp', lang)}: {r.bp_systolic}/{r.bp_diastolic}"
        if r.pulse is not None:
            bp += f" ({t('card.home.pulse_short', lang)} {r.pulse})"
        lines.append(bp)
    if r.weight_kg is not None:
        lines.append(f"{t('card.field.weight_kg', lang)}: {number(r.weight_kg, lang, 1)}")
    return ReadingRow(r.id, when, lines, r.high, r.hidden_from_proxy, r.version)
