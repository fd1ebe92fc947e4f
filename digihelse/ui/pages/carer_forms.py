"""Midwives and GPs: "Ny prøve" (record or correct a test result) and "Svangerskapet og
bakgrunn" (dating, before pregnancy and the background sections), each a page of its own
opened from the woman's card view; and the links and confirmation on that view."""

import reflex as rx

from digihelse.core.i18n.families import keyed
from digihelse.healthcard.models import LabKind
from digihelse.healthcard.sections import CODE_SYSTEMS, CONTACT_ROLES, GENETIC_RELATIONS
from digihelse.healthcard.validation import (
    FETUSES,
    HABIT_CHOICES,
    HEALTH_TEXTS,
    LAB_RULES,
    LIFESTYLE_HABITS,
    LIFESTYLE_TIMES,
    PREVIOUS_COUNTS,
)
from digihelse.ui.components.forms import keyed_form, save_bar
from digihelse.ui.components.layout import T, loaded_or_error
from digihelse.ui.components.links import anchor_link, page_link
from digihelse.ui.pages.personnel import feedback, personnel_shell
from digihelse.ui.presenters.card_sections import (
    ENTRY_LABELS,
    HEALTH_LISTS,
    LIST_TITLES,
    POC,
    slots,
)
from digihelse.ui.presenters.carer_forms import field_id
from digihelse.ui.presenters.lab_form import lab_shape
from digihelse.ui.routes import CARER_CARD, CARER_LAB, CARER_PREGNANCY
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.lab_form import LabFormState
from digihelse.ui.state.pregnancy_form import PregnancyFormState

S = CarerFormsState  # what both forms share
L, P = LabFormState, PregnancyFormState

# --- Field helpers (the consultation form's style: label, hint, input, message) ----------


def _label_text(label) -> rx.Var | str:
    return T(label) if isinstance(label, str) else label


def _error(name: str) -> rx.Component:
    return rx.cond(S.field_errors.contains(name),
                   rx.el.p(S.field_errors[name].to(str), id=f"{field_id(name)}-error",
                           class_name="field-error"))


def _described(name: str, hint: str | None) -> rx.Var | str:
    fid = field_id(name)
    base = f"{fid}-hint " if hint else ""
    return rx.cond(S.field_errors.contains(name), f"{base}{fid}-error", base.strip())


def _input(name: str, label, *, kind: str = "text", mode: str = "text",
           hint: str | None = None, **props) -> rx.Component:
    fid = field_id(name)
    return rx.el.div(
        rx.el.label(_label_text(label), html_for=fid, class_name="field-label"),
        rx.el.p(T(hint), class_name="muted small", id=f"{fid}-hint") if hint
        else rx.fragment(),
        rx.el.input(id=fid, name=name, type=kind, input_mode=mode,
                    default_value=S.values[name].to(str),
                    aria_invalid=rx.cond(S.field_errors.contains(name), "true", "false"),
                    aria_describedby=_described(name, hint), class_name="input", **props),
        _error(name),
        class_name="field",
    )


def _number(name: str, label, *, whole: bool = False, **props) -> rx.Component:
    return _input(name, label, mode="numeric" if whole else "decimal", auto_complete="off",
                  **props)


def _date(name: str, label, *, future: bool = False, **props) -> rx.Component:
    """A date; not after today unless it is a due date."""
    if not future:
        props["max"] = S.today_iso
    return _input(name, label, kind="date", mode="none", **props)


def _textarea(name: str, label, rows: int = 2) -> rx.Component:
    fid = field_id(name)
    return rx.el.div(
        rx.el.label(_label_text(label), html_for=fid, class_name="field-label"),
        rx.el.textarea(id=fid, name=name, rows=rows, class_name="textarea",
                       default_value=S.values[name].to(str),
                       aria_invalid=rx.cond(S.field_errors.contains(name), "true", "false"),
                       aria_describedby=_described(name, None)),
        _error(name),
        class_name="field",
    )


def _select(name: str, label, options: list[tuple[str, rx.Var | str]], *,
            choose: bool = True, **props) -> rx.Component:
    fid = field_id(name)
    return rx.el.div(
        rx.el.label(_label_text(label), html_for=fid, class_name="field-label"),
        rx.el.select(
            rx.el.option(T("card.form.choose"), value="") if choose else rx.fragment(),
            *[rx.el.option(text, value=value) for value, text in options],
            id=fid, name=name, class_name="input", default_value=S.values[name].to(str),
            aria_invalid=rx.cond(S.field_errors.contains(name), "true", "false"),
            aria_describedby=_described(name, None), **props,
        ),
        _error(name),
        class_name="field",
    )


def _choices(name: str, legend, options: list[tuple[str, rx.Var | str]],
             hint: str | None = None, *, grid: bool = True) -> rx.Component:
    """A few choices as large radio chips, one tap each (a select takes two); in two even
    columns unless the choices' texts are long."""
    fid = field_id(name)
    current = S.values[name].to(str)
    return rx.el.fieldset(
        rx.el.legend(_label_text(legend)),
        rx.el.p(T(hint), class_name="muted small", id=f"{fid}-hint") if hint
        else rx.fragment(),
        rx.el.div(
            *[rx.el.label(
                rx.el.input(type="radio", name=name, value=value,
                            id=f"{fid}-{value or 'none'}",
                            default_checked=(current == value) if value
                            else (current == "") | ~S.values.contains(name)),
                text, class_name="check-chip") for value, text in options],
            class_name="check-chips choice-grid" if grid else "check-chips",
        ),
        _error(name),
        id=fid, class_name="fieldset field",
        aria_describedby=_described(name, hint),
    )


def _check(name: str, label_key: str, **props) -> rx.Component:
    fid = field_id(name)
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, value="1", id=fid,
                    default_checked=S.values[name].to(str) == "1", **props),
        " ", T(label_key), class_name="check")


def _message(reload) -> rx.Component:
    """What stops the save, at the top of the form (the page scrolls to it): every problem
    as a link to its field, or that somebody else saved first (the draft stays)."""
    return rx.cond(
        S.form_message != "",
        rx.el.div(
            rx.el.p(S.form_message, class_name="strong"),
            rx.cond(S.errors.length() > 0,
                    rx.fragment(
                        rx.el.p(T("cforms.errors_title")),
                        rx.el.ul(rx.foreach(S.errors, lambda e: rx.el.li(
                            anchor_link(e["text"], href=e["href"]))),
                            class_name="error-links"))),
            rx.cond(S.stale, rx.el.button(T("cforms.reload"), type="button", on_click=reload,
                                          class_name="btn btn-secondary space-top",
                                          id="reload-form")),
            role="alert", class_name="error-box", id="form-message",
        ),
    )


def _save_bar(label_key: str, button_id: str, cancel=None) -> rx.Component:
    return save_bar(S.saving, T(label_key), T("cforms.saving"), button_id, cancel)


def _frame(title, form: rx.Component, *after: rx.Component) -> rx.Component:
    return personnel_shell(
        "card",
        page_link(rx.el.span("‹\u00a0", aria_hidden="true"), T("cforms.back"), href=CARER_CARD,
                  class_name="back-link", id="back-to-card"),
        rx.el.h1(title, id="form-title"),
        rx.cond(S.woman_name != "",
                rx.el.p(T("cforms.whose", name=S.woman_name),
                        class_name="muted", id="whose-card")),
        loaded_or_error(S.loaded, S.error, form, *after),
    )


# --- "Ny prøve" -------------------------------------------------------------------------

def _value_label(text: str) -> str:
    return "card.value." + text


def _lab_value() -> rx.Component:
    """The result field for the chosen test: a number with its unit, or its choices."""
    shapes: dict[str, rx.Component] = {}
    for kind in LabKind:
        shape, rule = lab_shape(kind), LAB_RULES[kind]
        if shape in shapes:
            continue
        if rule.numeric:
            field = _number("value", T("cforms.lab.value_unit", unit=shape),
                            hint="cforms.lab.number_hint")
        else:
            options = [(c, T(_value_label(c)) if c.islower() else c) for c in rule.choices]
            field = _choices("value", "cforms.lab.value", options)
        # Keyed by shape: another unit or other choices give a fresh field.
        shapes[shape] = rx.el.div(field, key=shape)
    return rx.match(
        L.lab_shape,
        *[(shape, component) for shape, component in shapes.items()],
        rx.el.p(T("cforms.lab.choose_first"), class_name="muted", id="lab-choose-first"),
    )


def lab_form() -> rx.Component:
    kinds = [(kind.value, T(keyed("card.lab", kind.value))) for kind in LabKind]
    return keyed_form(
        _message(L.load_lab),
        _select("kind", "cforms.lab.kind", kinds, on_change=L.set_lab_kind),
        _lab_value(),
        _date("taken_on", "cforms.lab.taken_on"),
        _textarea("note", "card.field.note"),
        rx.cond(L.editing_lab != 0, _input("reason", "card.field.reason",
                                           hint="cforms.reason_hint")),
        rx.el.label(rx.el.input(type="checkbox", name="hidden_from_proxy", value="1"),
                    " ", T("card.field.hidden_from_proxy"), class_name="check"),
        _save_bar("cforms.lab.save", "save-lab",
                  cancel=(L.editing_lab != 0, T("cforms.lab.cancel_edit"), L.cancel_lab_edit)),
        on_submit=L.save_lab,
        form_key=S.form_key,
        id="lab-form",
        class_name="card form",
        aria_labelledby="form-title",
    )


def _lab_corrections() -> rx.Component:
    return rx.cond(
        L.lab_rows.length() > 0,
        rx.el.details(
            rx.el.summary(T("cforms.lab.correct_title")),
            rx.el.ul(rx.foreach(L.lab_rows, lambda row: rx.el.li(rx.el.button(
                T("cforms.lab.correct"), ": ", row["title"], type="button",
                on_click=L.start_lab_edit(row["id"].to(int)), class_name="btn-inline"))),
                class_name="plain-list", id="lab-corrections"),
            class_name="card",
        ),
    )


def lab_page() -> rx.Component:
    return _frame(rx.cond(L.editing_lab != 0, T("cforms.lab.edit"), T("cforms.lab.new")),
                  lab_form(), _lab_corrections())


# --- "Svangerskapet og bakgrunn" ---------------------------------------------------------

def _section(key: str, heading, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.el.h2(_label_text(heading), id=f"sec-{key}"),
        *children,
        aria_labelledby=f"sec-{key}",
        class_name="card form-section",
    )


def _dating() -> rx.Component:
    return _section(
        "dating", "cforms.preg.section.dating",
        rx.cond(P.due_line != "", rx.el.p(P.due_line, class_name="notice", id="due-now")),
        _date("last_period", "card.field.last_period"),
        rx.el.h3(T("cforms.preg.ultrasound")),
        rx.el.p(T("cforms.preg.ultrasound_hint"), class_name="muted small"),
        _date("due_date_ultrasound", "cforms.preg.us_report", future=True),
        _choices("scan_method", "cforms.preg.scan_method",
                 [("crl", T("cforms.preg.crl")), ("bpd", T("cforms.preg.bpd")),
                  ("", T("cforms.preg.no_scan"))], grid=False),
        rx.el.div(_date("scan_date", "card.field.scan_date"),
                  _number("scan_mm", "card.field.scan_mm"), class_name="two-fields"),
        _date("due_date_manual", "card.field.due_date_manual", hint="cforms.preg.manual_hint",
              future=True),
        rx.el.p(T("cforms.preg.due_hint"), class_name="muted small"),
    )


def _this_pregnancy() -> rx.Component:
    return _section(
        "pregnancy", "cforms.preg.section.pregnancy",
        _select("fetuses", "card.field.fetuses",
                [(str(n), str(n)) for n in range(FETUSES[0], FETUSES[1] + 1)], choose=False),
        _check("assisted_conception", "card.field.assisted_conception",
               on_change=P.set_assisted),
        rx.cond(P.assisted, rx.fragment(
            rx.el.p(T("cforms.preg.ivf_hint"), class_name="muted small"),
            _date("transfer_date", "card.field.transfer_date"),
            _number("embryo_age_days", "card.field.embryo_age_days", whole=True),
        )),
    )


def _before() -> rx.Component:
    return _section(
        "before", "card.section.before_pregnancy",
        _number("height_cm", "card.field.height_cm", on_blur=P.set_height),
        _number("weight_before_kg", "card.field.weight_before_kg", on_blur=P.set_weight),
        rx.el.p(P.bmi_text, id="bmi", aria_live="polite", class_name="strong"),
    )


def _previous() -> rx.Component:
    return _section(
        "previous", "card.section.previous_pregnancies",
        rx.el.p(T("cforms.preg.counts_hint"), class_name="muted small"),
        rx.el.div(*[_number(f"previous_pregnancies.{key}", keyed("card.previous", key), whole=True)
                    for key in PREVIOUS_COUNTS], class_name="two-fields align-fields"),
        _textarea("previous_pregnancies.notes", "card.previous.notes"),
    )


def _health() -> rx.Component:
    return _section(
        "health", "card.section.health",
        *[_textarea(f"health.{key}", keyed("card.health", key)) for key in HEALTH_TEXTS],
        _choices("health.folate", "card.health.folate",
                 [("yes", T("card.form.yes")), ("no", T("card.form.no")),
                  ("", T("cforms.not_stated"))]),
        *[_entry_list(column) for column in HEALTH_LISTS],
    )


# --- The list sections (healthcard/sections.py): a fixed number of rows per list ---------

def _entry_field(column: str, slot: int, key: str) -> rx.Component:
    name, label = f"{column}.{slot}.{key}", ENTRY_LABELS[(column, key)]
    if key in ("since", "started", "stopped"):
        return _date(name, label)
    if key == "system":
        return _select(name, label, [(system, T(keyed("card.system", system)))
                                     for system in CODE_SYSTEMS], choose=False)
    if key == "relation":
        return _select(name, label, [(relation, T(keyed("card.relation", relation)))
                                     for relation in GENETIC_RELATIONS])
    if key == "phone":
        return _input(name, label, kind="tel", mode="tel", auto_complete="off")
    return _input(name, label, auto_complete="off")


ENTRY_LABELS_BY_COLUMN = {column: [key for (c, key) in ENTRY_LABELS if c == column]
                          for column in (*HEALTH_LISTS, POC)}
# Which fields of a row share a line on a phone (short ones side by side).
_PAIRS = {"medical_conditions": (("system", "code"),), "medications": (("started", "stopped"),),
          "genetic_disorders": (("relation", "code"),)}


def _entry_row(column: str, slot: int, legend) -> rx.Component:
    keys = ENTRY_LABELS_BY_COLUMN[column]
    paired = {key for pair in _PAIRS.get(column, ()) for key in pair}
    parts: list[rx.Component] = []
    for key in keys:
        pair = next((p for p in _PAIRS.get(column, ()) if p[0] == key), None)
        if pair is not None:
            parts.append(rx.el.div(*[_entry_field(column, slot, k) for k in pair],
                                   class_name="two-fields"))
        elif key not in paired:
            parts.append(_entry_field(column, slot, key))
    return rx.el.fieldset(rx.el.legend(legend), *parts, class_name="fieldset entry-row",
                          id=f"{field_id(column)}-{slot}")



def _entry_list(column: str) -> rx.Component:
    """A list's rows under its own heading; an empty row is not saved."""
    return rx.fragment(
        rx.el.h3(T(LIST_TITLES[column])),
        rx.el.p(T("cforms.list.hint"), class_name="muted small"),
        *[_entry_row(column, slot,
                     rx.fragment(rx.el.span(T(LIST_TITLES[column]), ", ",
                                            class_name="visually-hidden"),
                                 T("card.list.row", n=str(slot + 1))))
          for slot in range(slots(column))],
    )


def _lifestyle() -> rx.Component:
    habits = [*[(choice, T(keyed("card.habit", choice))) for choice in HABIT_CHOICES],
              ("", T("cforms.not_stated"))]

    def when(time: str) -> rx.Component:
        return rx.fragment(
            rx.el.h3(T(keyed("card.lifestyle", time))),
            # "Røyk" under the heading "Uke 36"; a screen reader hears "Uke 36: Røyk".
            *[_choices(f"lifestyle.{time}.{habit}",
                       rx.fragment(rx.el.span(T(keyed("card.lifestyle", time)), ": ",
                                              class_name="visually-hidden"),
                                   T(keyed("card.lifestyle", habit))),
                       habits) for habit in LIFESTYLE_HABITS],
            _input(f"lifestyle.{time}.activity", "card.lifestyle.activity"),
            _input(f"lifestyle.{time}.notes", "card.lifestyle.notes"),
        )

    return _section("lifestyle", "card.section.lifestyle",
                    *[when(time) for time in LIFESTYLE_TIMES])


def _contacts() -> rx.Component:
    """The points of contact: one row per role (fastlege, jordmor, fødested, annen)."""
    return _section("contacts", "card.section.contacts",
                    *[_entry_row(POC, slot, T(keyed("card.contact", role)))
                      for slot, role in enumerate(CONTACT_ROLES)])


def pregnancy_form() -> rx.Component:
    return keyed_form(
        _message(P.load_pregnancy),
        _dating(),
        _this_pregnancy(),
        _before(),
        _previous(),
        _health(),
        _lifestyle(),
        _contacts(),
        rx.el.div(
            _input("reason", "card.field.reason", hint="cforms.reason_hint"),
            _save_bar("cforms.preg.save", "save-pregnancy"),
            class_name="card form-section",
        ),
        on_submit=P.save_pregnancy,
        form_key=S.form_key,
        id="pregnancy-form",
        class_name="form",
        aria_labelledby="form-title",
    )


def pregnancy_page() -> rx.Component:
    return _frame(T("cforms.preg.title"), pregnancy_form())


# --- On the carer's card view -------------------------------------------------------------

def card_links() -> rx.Component:
    """"Ny prøve" and "Endre svangerskap og bakgrunn" by "Ny kontroll", and the
    confirmation after either form saved (at the bottom, where the thumb is)."""
    return rx.fragment(
        rx.el.div(
            page_link(T("cforms.lab.button"), href=CARER_LAB, class_name="btn btn-secondary",
                      id="new-lab"),
            page_link(T("cforms.preg.button"), href=CARER_PREGNANCY,
                      class_name="btn btn-secondary", id="edit-pregnancy"),
            class_name="card-actions",
        ),
        feedback(S.saved_message, "", S.dismiss_saved),
    )
