"""What "Min timeplan" shows and reads, without Reflex: the submitted form turned into the
service's opening-hours edits (or one plain error per field), the nurse's hours as items
per place, and the sentences saying what a change did or would do."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date

from digihelse.booking.opening_hours import (
    Closure,
    DropIn,
    ExtraHours,
    MySchedule,
    ScheduleEdit,
    WeeklyHours,
)
from digihelse.booking.rules import (
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    breaks_inside,
    slot_length_ok,
    weekday_ok,
)
from digihelse.booking.schedule import Conflict, parse_breaks
from digihelse.core.i18n import normalise_lang, t, tn
from digihelse.core.i18n.formatting import day_month, weekday_day_month

KINDS = ("weekly", "one_off", "closed", "drop_in")
ALL_PLACES = "all"  # a closure for every place the nurse serves
WEEKDAY_FIELDS = tuple(f"wd{i}" for i in range(7))
FIELDS = ("place", "weekdays", "weekday", "start", "end", "slot", "breaks", "valid_from",
          "day", "first_day", "last_day", "label")
# The id of the input each field's error points at (the error summary links to it).
FIELD_IDS = {name: f"f-{name}" for name in FIELDS} | {"weekdays": "f-wd0"}
NO_ERRORS = {name: "" for name in FIELDS}
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def default_draft(today: dt.date, place: str = "") -> dict[str, str]:
    """What a fresh form shows."""
    return {"place": place, "weekday": "0", "start": "", "end": "", "slot": "20",
            "breaks": "", "valid_from": today.isoformat(), "day": "", "first_day": "",
            "last_day": "", "label": ""} | {name: "" for name in WEEKDAY_FIELDS}


def weekday_name(index: int, lang: str) -> str:
    """'mandag' … 'søndag' (or 'Monday' …), from CLDR like the other dates."""
    lang = normalise_lang(lang)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=index)  # a Monday
    return format_date(day, "EEEE", locale="en_GB" if lang == "en" else lang)


def hm(value: dt.time) -> str:
    return f"{value:%H.%M}"


def breaks_text(text: str) -> str:
    return ", ".join(f"{hm(a)}–{hm(b)}" for a, b in parse_breaks(text))


def effect_text(created: int, withdrawn: int, lang: str) -> str:
    """'Dette lager 15 nye ledige tider og fjerner 3 ledige tider.'"""
    new, gone = tn("sched.n_new", created, lang), tn("sched.n_free", withdrawn, lang)
    if created and withdrawn:
        return t("sched.effect.both", lang, new=new, gone=gone)
    if created:
        return t("sched.effect.new", lang, new=new)
    if withdrawn:
        return t("sched.effect.gone", lang, gone=gone)
    return t("sched.effect.none", lang)


def done_text(created: int, withdrawn: int, lang: str, first: str = "sched.done",
              role: str = "") -> str:
    """'Lagret. Elevene kan nå bestille 2 nye ledige tider.' (in the role's words)"""
    parts = [t(first, lang)]
    if created:
        parts.append(t("sched.done.new", lang, role=role, new=tn("sched.n_new", created, lang)))
    if withdrawn:
        parts.append(t("sched.done.gone", lang, gone=tn("sched.n_free", withdrawn, lang)))
    return " ".join(parts)


# --- reading the form --------------------------------------------------------------------


def _time(text: str) -> dt.time | None:
    match = _TIME.match(text or "")
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def error_text(key: str, lang: str) -> str:
    """A field's error key from parse_edits() as its sentence; the slot length's range is
    the booking rules' own, not written again in the texts."""
    return t(key, lang, min=MIN_SLOT_MINUTES, max=MAX_SLOT_MINUTES)


def clash_text(clashes: list, lang: str, place_names: dict[int, str]) -> str:
    """'Tiden overlapper med timer du alt har: mandag 09.00–14.00, Fjordvik ungdomsskole.'"""
    named = "; ".join(f"{weekday_name(row.weekday, lang)} {hm(row.start_time)}–"
                      f"{hm(row.end_time)}, {place_names.get(row.place_id, '')}".rstrip(", ")
                      for row in clashes)
    return t("sched.err.clash", lang, hours=named)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def parse_edits(kind: str, form: dict[str, str], place_ids: list[int],
                today: dt.date) -> tuple[list[ScheduleEdit], dict[str, str]]:
    """The service edits a submitted form asks for, or the error text keys per field.
    Every check a nurse can fail gets its own plain sentence; the service checks again."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    place_text = text("place") or (str(place_ids[0]) if len(place_ids) == 1 else "")
    place_id: int | None = None
    if place_text == ALL_PLACES and kind == "closed":
        place_id = None
    elif place_text.isdigit() and int(place_text) in place_ids:
        place_id = int(place_text)
    else:
        errors["place"] = "sched.err.place"

    start = end = None
    if kind in ("weekly", "one_off", "drop_in"):
        start, end = _time(text("start")), _time(text("end"))
        if start is None:
            errors["start"] = "sched.err.start"
        if end is None:
            errors["end"] = "sched.err.end"
        elif start is not None and end <= start:
            errors["end"] = "sched.err.end_before"

    slot = 0
    breaks = ""
    if kind in ("weekly", "one_off"):
        slot_text = text("slot")
        slot = int(slot_text) if slot_text.isdigit() else 0
        if not slot_length_ok(slot):
            errors["slot"] = "sched.err.slot"
        elif start and end and end > start and _minutes(end) - _minutes(start) < slot:
            errors["slot"] = "sched.err.slot_long"
        breaks = text("breaks")
        try:
            parsed = parse_breaks(breaks)
        except ValueError:
            errors["breaks"] = "sched.err.breaks"
        else:
            if start and end and not breaks_inside(parsed, start, end):
                errors["breaks"] = "sched.err.break_inside"

    edits: list[ScheduleEdit] = []
    if kind == "weekly":
        weekdays = [i for i, name in enumerate(WEEKDAY_FIELDS) if text(name)]
        if not weekdays:
            errors["weekdays"] = "sched.err.weekday"
        valid_from = _date(text("valid_from"), errors, "valid_from", required=False) or today
        if not errors:
            edits = [WeeklyHours(place_id, day, start, end, slot_minutes=slot,
                                         breaks=breaks, valid_from=valid_from)
                     for day in weekdays]
    elif kind == "one_off":
        day = _date(text("day"), errors, "day", required=True)
        if day is not None and day < today:
            errors["day"] = "sched.err.past"
        if not errors:
            edits = [ExtraHours(place_id, day, start, end, slot_minutes=slot)]
    elif kind == "closed":
        first = _date(text("first_day"), errors, "first_day", required=True)
        last = _date(text("last_day"), errors, "last_day", required=False) or first
        if first is not None and last is not None:
            if last < first:
                errors["last_day"] = "sched.err.last_before"
            elif last < today:
                errors["first_day"] = "sched.err.past"
        if not errors:
            edits = [Closure(first, last, label=text("label")[:100],
                                     place_id=place_id)]
    elif kind == "drop_in":
        weekday = int(text("weekday")) if text("weekday").isdigit() else -1
        if not weekday_ok(weekday):
            errors["weekday"] = "sched.err.weekday"
        if not errors:
            edits = [DropIn(place_id, start, end, weekday=weekday,
                                    label=text("label")[:100])]
    return edits, errors


def _date(text: str, errors: dict[str, str], name: str, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            errors[name] = "sched.err.date"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "sched.err.date"
        return None


# --- what the page shows -----------------------------------------------------------------


@dataclass
class ScheduleItem:
    key: str  # "weekly:3"
    title: str
    detail: str
    can_delete: bool
    delete_label: str


@dataclass
class PlaceBlock:
    place_id: int
    name: str
    weekly: list[ScheduleItem]
    one_offs: list[ScheduleItem]
    closed: list[ScheduleItem]
    drop_ins: list[ScheduleItem]


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class ConflictRow:
    label: str  # "Torsdag 27. november kl. 09.00"
    href: str  # that day under I dag, where the nurse cancels or moves it


@dataclass
class FieldError:
    href: str
    text: str


@dataclass
class Loaded:
    places: list[tuple[int, str]]
    blocks: list[PlaceBlock]
    shared: list[ScheduleItem]


def _item(kind: str, item_id: int, title: str, details: list[str], can_delete: bool,
          lang: str) -> ScheduleItem:
    return ScheduleItem(f"{kind}:{item_id}", title, " · ".join(d for d in details if d),
                        can_delete, t("sched.delete_label", lang, what=title))


def _range(first: dt.date, last: dt.date, lang: str) -> str:
    if first == last:
        return weekday_day_month(first, lang)
    return f"{day_month(first, lang)} – {day_month(last, lang)}"


def build(mine: MySchedule, places: list[tuple[int, str]], nurse_id: int,
           lang: str, today: dt.date) -> Loaded:
    blocks = {pid: PlaceBlock(pid, name, [], [], [], []) for pid, name in places}
    shared: list[ScheduleItem] = []
    for row in mine.weekly:
        details = [t("sched.item.minutes", lang, n=row.slot_minutes),
                   t("sched.item.breaks", lang, breaks=breaks_text(row.breaks))
                   if row.breaks else "",
                   t("sched.item.from", lang, date=day_month(row.valid_from, lang))
                   if row.valid_from > today else "",
                   t("sched.item.to", lang, date=day_month(row.valid_to, lang))
                   if row.valid_to else ""]
        title = (f"{weekday_name(row.weekday, lang).capitalize()} "
                 f"{hm(row.start_time)}–{hm(row.end_time)}")
        if row.place_id in blocks:
            blocks[row.place_id].weekly.append(_item("weekly", row.id, title, details, True,
                                                     lang))
    for row in mine.one_offs:
        if row.day < today or row.place_id not in blocks:
            continue
        when = f"{weekday_day_month(row.day, lang)} {hm(row.start_time)}–{hm(row.end_time)}"
        details = [t("sched.item.minutes", lang, n=row.slot_minutes),
                   t("sched.item.breaks", lang, breaks=breaks_text(row.breaks))
                   if row.breaks else "", row.label]
        blocks[row.place_id].one_offs.append(_item(
            "one_off", row.id, t("sched.item.extra", lang, when=when), details, True, lang))
    for row in mine.closed:
        if row.last_day < today:
            continue
        title = f"{row.label or t('sched.item.closed', lang)}: " \
                f"{_range(row.first_day, row.last_day, lang)}"
        details = [t("sched.item.whole_place", lang) if row.personnel_id is None else ""]
        item = _item("closed", row.id, title, details, True, lang)
        if row.place_id is None:
            shared.append(item)
        elif row.place_id in blocks:
            blocks[row.place_id].closed.append(item)
    for row in mine.drop_ins:
        if row.day is not None:
            if row.day < today:
                continue
            when = weekday_day_month(row.day, lang).capitalize()
        else:
            when = weekday_name(row.weekday or 0, lang).capitalize()
        title = f"{when} {hm(row.start_time)}–{hm(row.end_time)}"
        if row.place_id in blocks:
            blocks[row.place_id].drop_ins.append(_item(
                "drop_in", row.id, title, [row.label],
                row.personnel_id in (None, nurse_id), lang))
    return Loaded(places, list(blocks.values()), shared)


def unique(conflicts: list[Conflict]) -> list[Conflict]:
    seen: dict[int, Conflict] = {}
    for conflict in conflicts:
        seen.setdefault(conflict.slot_id, conflict)
    return sorted(seen.values(), key=lambda c: c.start_at)
