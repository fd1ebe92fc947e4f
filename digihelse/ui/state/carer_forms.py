"""State for the carer's own forms on the pregnancy card, each on its own page:

* "Ny prøve": record a test result, or correct one with a reason;
* "Svangerskapet og bakgrunn": the record's dating, the measurements before pregnancy and
  the background sections, written whole with a reason.

The woman is the one open on the carer's card view (CarerState keeps her national id number
in a backend var; it never reaches the browser or a URL). The rules are the service's: a
refused draft comes back as {field: message key}, and the form keeps what was typed (its
inputs are uncontrolled and are not re-created on an error)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import day_month, long_date
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import (
    CONTACT_TEXTS,
    HEALTH_TEXTS,
    LAB_RULES,
    LIFESTYLE_HABITS,
    LIFESTYLE_TIMES,
    PREVIOUS_COUNTS,
    LabDraft,
    PregnancyDraft,
    bmi,
    parse_number,
    validate_pregnancy,
    validate_reason,
)
from digihelse.ui.routes import CARER_CARD, CARER_LIST
from digihelse.ui.state.card import CarerState
from digihelse.ui.state.guard import PERSONNEL, audience
from digihelse.ui.state.session import SessionState

Values = dict[str, str]

# --- The forms' fields, in the order the forms show them ---------------------------------

LAB_FIELDS = ("kind", "taken_on", "value", "note", "reason")
LAB_LABELS = {"kind": "cforms.lab.kind", "taken_on": "cforms.lab.taken_on",
              "value": "cforms.lab.value", "note": "card.field.note",
              "reason": "card.field.reason"}

DATE_FIELDS = ("last_period", "due_date_ultrasound", "scan_date", "transfer_date",
               "due_date_manual")
PREGNANCY_FIELDS = (
    "last_period", "due_date_ultrasound", "scan_method", "scan_date", "scan_mm",
    "due_date_manual", "fetuses", "assisted_conception", "transfer_date", "embryo_age_days",
    "height_cm", "weight_before_kg",
    *(f"previous_pregnancies.{key}" for key in (*PREVIOUS_COUNTS, "notes")),
    *(f"health.{key}" for key in (*HEALTH_TEXTS, "folate")),
    *(f"lifestyle.{time}.{key}" for time in LIFESTYLE_TIMES
      for key in (*LIFESTYLE_HABITS, "activity", "notes")),
    *(f"contacts.{key}" for key in CONTACT_TEXTS),
    "reason",
)
PREGNANCY_LABELS = {
    "last_period": "card.field.last_period", "due_date_ultrasound": "cforms.preg.us_report",
    "scan_method": "cforms.preg.scan_method", "scan_date": "card.field.scan_date",
    "scan_mm": "card.field.scan_mm", "due_date_manual": "card.field.due_date_manual",
    "fetuses": "card.field.fetuses", "assisted_conception": "card.field.assisted_conception",
    "transfer_date": "card.field.transfer_date",
    "embryo_age_days": "card.field.embryo_age_days", "height_cm": "card.field.height_cm",
    "weight_before_kg": "card.field.weight_before_kg", "reason": "card.field.reason",
}
_SECTION_LABEL = {"previous_pregnancies": "card.previous", "health": "card.health",
                  "contacts": "card.contact"}


def field_id(name: str) -> str:
    """The HTML id of a field ("lifestyle.first.smoking" -> "f-lifestyle-first-smoking")."""
    return "f-" + name.replace(".", "-")


def field_label(name: str, lang: str) -> str:
    """A field's label as the form shows it, for the list of errors."""
    if name in PREGNANCY_LABELS:
        return t(PREGNANCY_LABELS[name], lang)
    if name in LAB_LABELS:
        return t(LAB_LABELS[name], lang)
    parts = name.split(".")
    if parts[0] == "lifestyle" and len(parts) == 3 and parts[1] in LIFESTYLE_TIMES:
        when = t(keyed("card.lifestyle", parts[1]), lang)
        what = t(keyed("card.lifestyle", parts[2]), lang)
        return f"{when}: {what}"
    if len(parts) == 2 and parts[0] in _SECTION_LABEL:
        return t(keyed(_SECTION_LABEL[parts[0]], parts[1]), lang)
    return name


def error_list(errors: Mapping[str, str], order: tuple[str, ...], lang: str
               ) -> list[dict[str, str]]:
    """Every problem as a link to its field, in the form's order."""
    def position(name: str) -> int:
        return order.index(name) if name in order else len(order)

    def message(key: str) -> str:
        return t(key, lang) if key.startswith("card.") else key

    def line(name: str, key: str) -> str:
        label = field_label(name, lang)
        return f"{label} {message(key)}" if label.endswith("?") else f"{label}: {message(key)}"

    return [{"href": "#" + field_id(name), "text": line(name, key)}
            for name, key in sorted(errors.items(), key=lambda item: position(item[0]))]


def _number_text(value: float | int | None, lang: str) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def _method_text(method: str, lang: str) -> str:
    text = t(keyed("card.dating", method), lang)
    return text[:1].lower() + text[1:]


# --- Test results ---------------------------------------------------------------------

def lab_shape(kind: str) -> str:
    """What a test's result looks like: its unit ("g/dL") or its choices ("neg|pos"). The
    form shows one kind of field per shape, and keeps what was typed while the shape stays."""
    rule = LAB_RULES.get(kind)
    if rule is None:
        return ""
    return (rule.unit or "") if rule.numeric else "|".join(rule.choices)


def lab_values(row: card.LabResultView) -> Values:
    """A recorded test result as the form's strings, to correct it."""
    return {"kind": row.kind, "taken_on": row.taken_on.isoformat(), "value": row.value,
            "note": row.note, "version": str(row.version)}


def lab_title(row: card.LabResultView, lang: str) -> str:
    """ "Hb, første trimester: 12,4 g/dL (3. oktober)"."""
    value = t(keyed("card.value", row.value), lang) if row.value.islower() else row.value
    unit = f" {row.unit}" if row.unit else ""
    return f"{t(row.label_key, lang)}: {value}{unit} ({day_month(row.taken_on, lang)})"


def parse_lab(form: Mapping[str, Any]) -> tuple[LabDraft | None, dict[str, str]]:
    """The form's strings as a draft; a missing test or an unreadable date are field errors
    (the service checks the rest)."""
    errors: dict[str, str] = {}
    kind = str(form.get("kind", "")).strip()
    if not kind:
        errors["kind"] = "card.error.choice"
    try:
        taken_on = dt.date.fromisoformat(str(form.get("taken_on", "")).strip())
    except ValueError:
        errors["taken_on"] = "card.error.invalid"
    if errors:
        return None, errors
    return LabDraft(kind=kind, taken_on=taken_on, value=str(form.get("value", "")).strip(),
                    note=str(form.get("note", "")).strip(),
                    hidden_from_proxy=bool(form.get("hidden_from_proxy"))), {}


# --- The pregnancy and its background ---------------------------------------------------

def pregnancy_values(draft: PregnancyDraft, lang: str) -> Values:
    """The record's draft as the form's strings (service.draft_of gives the draft)."""
    values: Values = {name: (getattr(draft, name).isoformat() if getattr(draft, name) else "")
                      for name in DATE_FIELDS}
    values.update({
        "scan_method": draft.scan_method or "", "scan_mm": _number_text(draft.scan_mm, lang),
        "embryo_age_days": "" if draft.embryo_age_days is None else str(draft.embryo_age_days),
        "fetuses": str(draft.fetuses),
        "assisted_conception": "1" if draft.assisted_conception else "",
        "height_cm": _number_text(draft.height_cm, lang),
        "weight_before_kg": _number_text(draft.weight_before_kg, lang),
    })
    previous = draft.previous_pregnancies
    for key in PREVIOUS_COUNTS:
        values[f"previous_pregnancies.{key}"] = "" if previous.get(key) is None \
            else str(previous[key])
    values["previous_pregnancies.notes"] = str(previous.get("notes") or "")
    for key in HEALTH_TEXTS:
        values[f"health.{key}"] = str(draft.health.get(key) or "")
    folate = draft.health.get("folate")
    values["health.folate"] = "" if folate is None else ("yes" if folate else "no")
    for time in LIFESTYLE_TIMES:
        entry = draft.lifestyle.get(time) or {}
        for key in (*LIFESTYLE_HABITS, "activity", "notes"):
            values[f"lifestyle.{time}.{key}"] = str(entry.get(key) or "")
    for key in CONTACT_TEXTS:
        values[f"contacts.{key}"] = str(draft.contacts.get(key) or "")
    return values


def parse_pregnancy(form: Mapping[str, Any]) -> tuple[PregnancyDraft, dict[str, str]]:
    """The form's strings as a whole draft. Unreadable dates and numbers become field errors
    and are left out of the draft, so that the draft can still be checked for everything
    else at once. Empty fields are left out of the background sections."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(form.get(name, "") or "").strip()

    def day(name: str) -> dt.date | None:
        raw = text(name)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = "card.error.invalid"
            return None

    def number(name: str) -> float | None:
        raw = text(name)
        value = parse_number(raw) if raw else None
        if raw and value is None:
            errors[name] = "card.error.lab_number"
        return value

    def whole(name: str, key: str) -> int | None:
        raw = text(name)
        if raw and not (raw.isascii() and raw.isdigit()):
            errors[name] = key
            return None
        return int(raw) if raw else None

    previous: dict[str, Any] = {}
    for key in PREVIOUS_COUNTS:
        count = whole(f"previous_pregnancies.{key}", "card.error.count_range")
        if count is not None:
            previous[key] = count
    health: dict[str, Any] = {key: text(f"health.{key}") for key in HEALTH_TEXTS
                              if text(f"health.{key}")}
    folate = {"yes": True, "no": False}.get(text("health.folate"))
    if folate is not None:
        health["folate"] = folate
    lifestyle: dict[str, Any] = {}
    for time in LIFESTYLE_TIMES:
        entry = {key: text(f"lifestyle.{time}.{key}")
                 for key in (*LIFESTYLE_HABITS, "activity", "notes")
                 if text(f"lifestyle.{time}.{key}")}
        if entry:
            lifestyle[time] = entry
    notes = text("previous_pregnancies.notes")
    if notes:
        previous["notes"] = notes
    draft = PregnancyDraft(
        last_period=day("last_period"), due_date_ultrasound=day("due_date_ultrasound"),
        scan_date=day("scan_date"), scan_method=text("scan_method") or None,
        scan_mm=number("scan_mm"), transfer_date=day("transfer_date"),
        embryo_age_days=whole("embryo_age_days", "card.error.embryo_age"),
        due_date_manual=day("due_date_manual"),
        fetuses=whole("fetuses", "card.error.fetuses_range") or 1,
        assisted_conception=bool(text("assisted_conception")),
        height_cm=number("height_cm"), weight_before_kg=number("weight_before_kg"),
        previous_pregnancies=previous, health=health, lifestyle=lifestyle,
        contacts={key: text(f"contacts.{key}") for key in CONTACT_TEXTS
                  if text(f"contacts.{key}")},
    )
    return draft, errors


def bmi_line(height: str, weight: str, lang: str) -> str:
    value = bmi(parse_number(height), parse_number(weight))
    if value is None:
        return t("cforms.preg.bmi_missing", lang)
    return t("cforms.preg.bmi", lang, bmi=_number_text(value, lang))


# --- Blocking calls, run in a thread ------------------------------------------------------

def _labs(actor, woman_pid: str, lang: str) -> tuple[str, bool, list[dict[str, str]],
                                                       dict[int, Values]]:
    view = card.get_card(get_engine(), actor, woman_pid)
    rows = sorted(view.lab_results, key=lambda r: (r.taken_on, r.id), reverse=True)
    return (view.overview.woman_name, view.can_edit,
            [{"id": str(r.id), "title": lab_title(r, lang)} for r in rows],
            {r.id: lab_values(r) for r in rows})


@audience(PERSONNEL)
class CarerFormsState(SessionState):
    """The two forms, and the confirmation the card view shows after a save."""

    woman_name: str = ""
    loaded: bool = False
    error: str = ""  # the page cannot be shown (no card, refused)
    form_message: str = ""
    field_errors: dict[str, str] = {}
    errors: list[dict[str, str]] = []  # the same problems as links to their fields
    values: dict[str, str] = {}
    form_key: int = 0  # bumped to re-create a form with other starting values
    saving: bool = False
    stale: bool = False  # somebody else saved first; the draft is still in the form
    # "Ny prøve"
    lab_kind: str = ""
    lab_shape: str = ""
    editing_lab: int = 0  # the result being corrected, 0 for a new one
    lab_rows: list[dict[str, str]] = []
    today_iso: str = ""
    # "Svangerskapet og bakgrunn"
    due_line: str = ""
    bmi_text: str = ""
    assisted: bool = False
    # The confirmation on the card view after a save.
    saved_message: str = ""
    _saved_fresh: bool = False
    _saved_pid: str = ""
    _woman_pid: str = ""
    _version: int = 0
    _labs_raw: dict[int, dict[str, str]] = {}
    _height: str = ""
    _weight: str = ""

    async def _start(self) -> SessionState | None:
        """Reset the page; the session when a personnel login is here."""
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.stale, self.saving = False, "", False, False
        self.form_message, self.field_errors, self.errors = "", {}, []
        self.saved_message, self._saved_fresh = "", False
        self.today_iso = today_oslo().isoformat()
        if not session.logged_in or not session.is_personnel:
            return None
        carer = await self.get_state(CarerState)
        self._woman_pid = carer._woman_pid
        return session

    def _show_errors(self, errors: Mapping[str, str], order: tuple[str, ...],
                     lang: str) -> None:
        self.field_errors = {name: t(key, lang) if key.startswith("card.") else key
                             for name, key in errors.items()}
        self.errors = error_list(errors, order, lang)
        self.form_message = t("card.error.validation", lang)

    def _saved(self, message: str):
        self.saved_message, self._saved_fresh = message, True
        self._saved_pid = self._woman_pid
        self.field_errors, self.errors, self.form_message = {}, [], ""
        return rx.redirect(CARER_CARD)

    # --- On the card view -------------------------------------------------------------

    @rx.event
    async def card_shown(self):
        """on_load of the card view: the confirmation shows once, for the woman saved."""
        carer = await self.get_state(CarerState)
        if not (self._saved_fresh and carer._woman_pid == self._saved_pid):
            self.saved_message = ""
        self._saved_fresh = False

    @rx.event
    def dismiss_saved(self):
        self.saved_message = ""

    # --- "Ny prøve" ---------------------------------------------------------------------

    def _new_lab(self) -> None:
        self.editing_lab, self.lab_kind, self.lab_shape = 0, "", ""
        self.values = {"taken_on": self.today_iso}
        self.form_key += 1

    async def _load_labs(self, session: SessionState) -> None:
        try:
            self.woman_name, can_edit, self.lab_rows, self._labs_raw = await asyncio.to_thread(
                _labs, session._actor(), self._woman_pid, session.lang)
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return
        if not can_edit:
            self.error = t("access.denied", session.lang)

    @rx.event
    async def load_lab(self):
        session = await self._start()
        if session is None:
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        await self._load_labs(session)
        self._new_lab()
        self.loaded = True

    @rx.event
    def set_lab_kind(self, kind: str):
        self.lab_kind = kind
        if lab_shape(kind) != self.lab_shape:
            # Another kind of result (a number in another unit, other choices): what was
            # typed for the first test does not carry over.
            self.lab_shape = lab_shape(kind)
            self.values = {**self.values, "value": ""}
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != "value"}

    @rx.event
    def start_lab_edit(self, lab_id: int):
        if lab_id in self._labs_raw:
            self.values = dict(self._labs_raw[lab_id])
            self.editing_lab, self.lab_kind = lab_id, self.values["kind"]
            self.lab_shape = lab_shape(self.lab_kind)
            self.field_errors, self.errors, self.form_message = {}, [], ""
            self.stale = False
            self.form_key += 1
            return rx.scroll_to("lab-form")

    @rx.event
    def cancel_lab_edit(self):
        self._new_lab()
        self.field_errors, self.errors, self.form_message, self.stale = {}, [], "", False

    @rx.event
    async def save_lab(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft, errors = parse_lab(form)
        if draft is not None:
            self.saving = True
            yield
            try:
                if self.editing_lab:
                    version = self.values.get("version", "")
                    await asyncio.to_thread(
                        card.edit_lab_result, get_engine(), session._actor(), self._woman_pid,
                        self.editing_lab, draft, str(form.get("reason", "")), now=utcnow(),
                        expected_version=int(version) if version.isdigit() else None)
                else:
                    await asyncio.to_thread(card.record_lab_result, get_engine(),
                                            session._actor(), self._woman_pid, draft,
                                            now=utcnow())
            except card.ValidationFailed as exc:
                errors = dict(exc.errors)
            except card.StaleEdit:
                self.stale, self.field_errors, self.errors = True, {}, []
                self.form_message = t("cforms.stale", lang)
                yield rx.scroll_to("form-message")
                return
            except ServiceError as exc:
                self.form_message = t(exc.message_key, lang)
                yield rx.scroll_to("form-message")
                return
            finally:
                self.saving = False
        if errors:
            self._show_errors(errors, LAB_FIELDS, lang)
            yield rx.scroll_to("form-message")
            return
        yield self._saved(t("cforms.lab.saved", lang))

    # --- "Svangerskapet og bakgrunn" ------------------------------------------------------

    @rx.event
    async def load_pregnancy(self):
        session = await self._start()
        if session is None:
            return
        if not self._woman_pid:
            return rx.redirect(CARER_LIST)
        lang = session.lang
        try:
            form = await asyncio.to_thread(card.pregnancy_form, get_engine(), session._actor(),
                                           self._woman_pid)
        except ServiceError as exc:
            self.error = t(exc.message_key, lang)
            self.loaded = True
            return
        self.woman_name, self._version = form.woman_name, form.version
        self.values = pregnancy_values(form.draft, lang)
        self.due_line = t("cforms.preg.due_now", lang, date=long_date(form.due_date, lang),
                          method=_method_text(form.dating_method, lang)) \
            if form.due_date else ""
        self._height, self._weight = self.values["height_cm"], self.values["weight_before_kg"]
        self.bmi_text = bmi_line(self._height, self._weight, lang)
        self.assisted = form.draft.assisted_conception
        self.form_key += 1
        self.loaded = True

    @rx.event
    async def set_height(self, value: str):
        session = await self.get_state(SessionState)
        self._height = value
        self.bmi_text = bmi_line(self._height, self._weight, session.lang)

    @rx.event
    async def set_weight(self, value: str):
        session = await self.get_state(SessionState)
        self._weight = value
        self.bmi_text = bmi_line(self._height, self._weight, session.lang)

    @rx.event
    def set_assisted(self, checked: bool):
        self.assisted = bool(checked)

    @rx.event
    async def save_pregnancy(self, form: dict):
        session = await self.get_state(SessionState)
        lang = session.lang
        draft, errors = parse_pregnancy(form)
        reason = str(form.get("reason", ""))
        if errors:
            # Unreadable values: show them with everything else that is wrong, at once.
            errors = {**validate_pregnancy(draft, today=today_oslo()),
                      **validate_reason(reason), **errors}
        else:
            self.saving = True
            yield
            try:
                record = await asyncio.to_thread(
                    card.update_pregnancy, get_engine(), session._actor(), self._woman_pid,
                    draft, reason, now=utcnow(), expected_version=self._version)
            except card.ValidationFailed as exc:
                errors = dict(exc.errors)
            except card.StaleEdit:
                self.stale, self.field_errors, self.errors = True, {}, []
                self.form_message = t("cforms.stale", lang)
                yield rx.scroll_to("form-message")
                return
            except ServiceError as exc:
                self.form_message = t(exc.message_key, lang)
                yield rx.scroll_to("form-message")
                return
            finally:
                self.saving = False
        if errors:
            self._show_errors(errors, PREGNANCY_FIELDS, lang)
            yield rx.scroll_to("form-message")
            return
        self._version = record.version
        yield self._saved(t("cforms.preg.saved", lang, date=long_date(record.due_date, lang),
                            method=_method_text(record.dating_method, lang)))
