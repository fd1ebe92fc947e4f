"""Ønsker for fødselen: her wishes for the birth in a short form (every field may stay
empty), saved for her midwife to read and printed to bring along. Whoever may only read
(a partner with fullmakt, her midwife on the card) sees her answers as a list."""

from __future__ import annotations

import reflex as rx

from digihelse.healthcard.validation import BIRTH_PLAN_LIMITS
from digihelse.ui import routes
from digihelse.ui.components.client_actions import in_browser
from digihelse.ui.components.forms import keyed_form, save_bar
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.birth_plan import FEEDING_KEYS, PAIN_KEYS, BirthPlanState, PlanRow

B = BirthPlanState


def _error(name: str) -> rx.Component:
    return rx.cond(B.field_errors.contains(name),
                   rx.el.p(B.field_errors[name], id=f"birth-{name}-error", role="alert",
                           class_name="field-error"))


def _invalid(name: str) -> dict:
    bad = B.field_errors.contains(name)
    return {"aria_invalid": rx.cond(bad, "true", "false"),
            "aria_describedby": rx.cond(bad, f"birth-{name}-error", "")}


def _text(name: str, label_key: str, *, long: bool = False) -> rx.Component:
    field = rx.el.textarea if long else rx.el.input
    extra = {"rows": 3, "class_name": "textarea"} if long else {"type": "text",
                                                                "class_name": "input"}
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"birth-{name}", class_name="field-label"),
        field(id=f"birth-{name}", name=name, default_value=B.texts[name].to(str),
              max_length=BIRTH_PLAN_LIMITS[name], **_invalid(name), **extra),
        _error(name),
        class_name="field",
    )


def _pain() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(T("birth.pain.title")),
        rx.el.p(T("birth.pain.hint"), class_name="muted small"),
        *[rx.el.label(rx.el.input(type="checkbox", name=f"pain_{value}", value="1",
                                  default_checked=B.pain.contains(value)),
                      " ", T(key), class_name="check") for value, key in PAIN_KEYS.items()],
        _error("pain_relief"),
        _text("pain_relief_text", "birth.pain.other", long=True),
        id="birth-pain_relief", tab_index=-1, class_name="fieldset field",
    )


def _feeding() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(T("birth.feeding.title")),
        *[rx.el.label(rx.el.input(type="radio", name="feeding", value=value,
                                  default_checked=B.feeding == value),
                      " ", T(key), class_name="check") for value, key in FEEDING_KEYS.items()],
        _error("feeding"),
        id="birth-feeding", tab_index=-1, class_name="fieldset field",
    )


def plan_form() -> rx.Component:
    return keyed_form(
        _pain(),
        _text("companions", "birth.companions"),
        rx.el.div(
            _text("language", "birth.language"),
            rx.el.label(rx.el.input(type="checkbox", name="interpreter", value="1",
                                    default_checked=B.interpreter),
                        " ", T("birth.interpreter"), class_name="check"),
        ),
        _text("fears", "birth.fears", long=True),
        _feeding(),
        _text("other", "birth.other", long=True),
        rx.el.label(rx.el.input(type="checkbox", name="hidden", value="1",
                                default_checked=B.hidden),
                    " ", T("birth.hide"), class_name="check"),
        save_bar(B.saving, T("birth.save"), T("birth.saving"), "birth-save"),
        form_key=B.form_key, on_submit=B.save, class_name="card form no-print",
        id="birth-form", aria_labelledby="birth-form-title",
    )


def _row(row: PlanRow) -> rx.Component:
    return rx.el.div(rx.el.dt(row.label), rx.el.dd(row.value), class_name="plan-row")


def plan_summary(**props) -> rx.Component:
    """Her answers, each under its question."""
    return rx.cond(
        B.rows.length() > 0,
        rx.el.dl(rx.foreach(B.rows, _row), class_name="plan-list", **props),
        rx.el.p(T("birth.none"), **props),
    )


def carer_section() -> rx.Component:
    """On the midwife's and GP's view of the card."""
    return rx.cond(B.loaded & (B.error == ""), rx.el.section(
        rx.el.h2(T("birth.title"), id="carer-birth-title"),
        plan_summary(),
        rx.cond(B.updated != "", rx.el.p(B.updated, class_name="muted small")),
        class_name="card", id="carer-birth-plan", aria_labelledby="carer-birth-title",
    ))


def birth_plan_page() -> rx.Component:
    return shell(
        rx.el.p(page_link(T("birth.back"), href=routes.CARD), class_name="no-print"),
        rx.el.h1(T("birth.title")),
        loaded_or_error(
            B.loaded, B.error,
            rx.cond(
                B.may_edit,
                rx.fragment(
                    rx.el.p(T("birth.intro"), class_name="no-print"),
                    rx.el.p(rx.cond(B.hidden, T("birth.who_reads_hidden"),
                                    T("birth.who_reads")),
                            class_name="notice no-print", id="birth-who"),
                    rx.el.h2(T("birth.form_title"), id="birth-form-title",
                             class_name="no-print"),
                    plan_form(),
                    # Under the form, where her thumb was when she pressed Lagre.
                    rx.el.div(B.message, role="status", id="birth-status",
                              class_name="no-print strong"),
                    rx.el.div(plan_summary(), class_name="print-only"),
                    rx.cond(B.written, rx.el.button(
                        T("birth.print"), type="button", id="birth-print",
                        on_click=in_browser("() => window.print()"),
                        class_name="btn btn-secondary no-print space-top")),
                ),
                rx.fragment(plan_summary(id="birth-read"),
                            rx.cond(B.updated != "", rx.el.p(B.updated, class_name="muted"))),
            ),
        ),
    )
