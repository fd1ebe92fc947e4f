"""The school holidays section of "Min timeplan": the holidays at her schools (the
school's own and the municipality's), each with Fjern, and a form to add one. Shown only
to a nurse who works at a school."""

import reflex as rx

from digihelse.ui.components.conflicts import conflict_list
from digihelse.ui.components.layout import T
from digihelse.ui.presenters.nurse_schedule import Choice
from digihelse.ui.presenters.school_holidays import HolidayRow
from digihelse.ui.state.school_holidays import SchoolHolidayState

H = SchoolHolidayState


def _remove_box(row: HolidayRow) -> rx.Component:
    return rx.el.div(
        rx.el.p(T("hol.remove_confirm", name=row.name), class_name="strong"),
        rx.el.p(T("hol.remove_effect")),
        rx.el.div(
            rx.el.button(T("hol.remove_yes"), type="button", on_click=H.confirm_remove,
                         disabled=H.busy, class_name="btn nurse-btn-danger",
                         id="holiday-remove-yes"),
            rx.el.button(T("sched.delete_no"), type="button", on_click=H.keep,
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        role="group", aria_label=row.remove_label, class_name="confirm-box",
    )


def _holiday(row: HolidayRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(
                rx.el.p(row.name, class_name="strong item-title"),
                rx.el.p(row.dates, class_name="muted"),
                rx.el.p(row.where, class_name="muted"),
                class_name="item-text",
            ),
            rx.cond(H.removing_key != row.key,
                    rx.el.button(T("hol.remove"), type="button", aria_label=row.remove_label,
                                 on_click=H.ask_remove(row.key), class_name="nurse-small-btn")),
            class_name="item-row",
        ),
        rx.cond(H.removing_key == row.key, _remove_box(row)),
        class_name="sched-item",
    )


def _field(name: str, label_key: str, input_type: str, hint_key: str | None = None,
           **props) -> rx.Component:
    error = H.field_errors[name]
    hint_id = f"hh-{name}" if hint_key else ""
    described = rx.cond(error != "", f"{hint_id} he-{name}".strip(), hint_id or None)
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"hol-{name}", class_name="field-label"),
        rx.el.p(T(hint_key), id=hint_id, class_name="nurse-hint") if hint_key
        else rx.fragment(),
        rx.cond(error != "", rx.el.p(error, id=f"he-{name}", class_name="nurse-error")),
        rx.el.input(type=input_type, id=f"hol-{name}", name=name, default_value=H.draft[name],
                    aria_invalid=rx.cond(error != "", "true", "false"),
                    aria_describedby=described, class_name="nurse-input", **props),
        class_name=rx.cond(error != "", "nurse-field nurse-has-error", "nurse-field"),
    )


def _school_option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.value)


def _school_field() -> rx.Component:
    return rx.cond(
        H.schools.length() > 1,
        rx.el.div(
            rx.el.label(T("hol.school"), html_for="hol-school", class_name="field-label"),
            rx.el.select(rx.foreach(H.schools, _school_option), id="hol-school", name="school",
                         default_value=H.draft["school"], class_name="nurse-input"),
            class_name="nurse-field",
        ),
        rx.el.input(type="hidden", name="school", value=H.draft["school"]),
    )


def _form() -> rx.Component:
    return rx.el.form(
        rx.el.h3(T("hol.add"), class_name="sched-kind"),
        _field("name", "hol.name", "text", "hol.name_hint", max_length=60, autocomplete="off"),
        rx.el.div(
            _field("first_day", "hol.first_day", "date"),
            _field("last_day", "hol.last_day", "date"),
            class_name="time-pair",
        ),
        _school_field(),
        rx.el.label(
            rx.el.input(type="checkbox", name="whole", id="hol-whole"),
            rx.el.span(T("hol.whole")),
            class_name="check-chip hol-whole",
        ),
        rx.el.button(rx.cond(H.busy, T("sched.working"), T("hol.submit")), type="submit",
                     disabled=H.busy, class_name="btn btn-primary", id="save-holiday"),
        on_submit=H.add, key=H.form_version.to_string(), id="form-holiday",
        class_name="sched-form", no_validate=True,
    )


def holiday_section() -> rx.Component:
    return rx.cond(
        H.schools.length() > 0,
        rx.el.section(
            rx.el.h2(T("hol.title"), id="holidays-title"),
            rx.el.p(T("hol.intro"), class_name="muted nurse-small"),
            rx.cond(H.holidays.length() > 0,
                    rx.el.ul(rx.foreach(H.holidays, _holiday), class_name="sched-list",
                             id="holiday-list"),
                    rx.el.p(T("hol.none"), class_name="muted")),
            rx.el.div(rx.cond(H.message != "", rx.el.p(H.message, class_name="notice")),
                      role="status",
                      id="holiday-status", class_name="holiday-status"),
            rx.el.div(rx.cond(H.error != "", rx.el.p(H.error, class_name="error-box")),
                      role="alert", id="holiday-error"),
            conflict_list(H.conflicts, "holiday-conflicts"),
            _form(),
            aria_labelledby="holidays-title", class_name="card sched-place", id="holidays",
        ),
    )
