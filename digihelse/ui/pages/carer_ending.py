"""Midwives and GPs: "Svangerskapet er avsluttet" (record how and when the pregnancy
ended, after a confirmation step; or correct a wrong entry with a reason)."""

import reflex as rx

from digihelse.core.i18n.families import keyed
from digihelse.healthcard.models import EndKind
from digihelse.ui.components.forms import keyed_form
from digihelse.ui.components.layout import T
from digihelse.ui.pages.carer_forms import S, _choices, _frame, _input
from digihelse.ui.state.ending_form import MISTAKE, EndingFormState

E = EndingFormState


def _form() -> rx.Component:
    kinds = [(kind.value, T(keyed("card.end.kind", kind.value))) for kind in EndKind]
    return keyed_form(
        rx.cond(E.current_line != "", rx.el.p(E.current_line, class_name="notice",
                                              id="ending-now")),
        rx.el.p(T("cforms.end.intro"), class_name="muted"),
        rx.cond(E.correcting,
                _choices("end_kind", "cforms.end.kind",
                         [*kinds, (MISTAKE, T("cforms.end.mistake"))], grid=False),
                _choices("end_kind", "cforms.end.kind", kinds, grid=False)),
        _input("ended_on", "cforms.end.date", kind="date"),
        rx.cond(E.correcting, _input("reason", "card.field.reason")),
        rx.cond(S.form_message != "",
                rx.el.div(rx.el.p(S.form_message), role="alert", class_name="error-box",
                          id="form-message")),
        rx.el.button(T("cforms.end.next"), type="submit", class_name="btn btn-primary",
                     id="ending-next"),
        on_submit=E.ask_confirm,
        form_key=S.form_key,
        class_name="card",
        id="ending-form",
    )


def _confirm() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("cforms.end.confirm_title"), id="confirm-title"),
        rx.el.p(rx.el.strong(E.confirm_line), id="confirm-line"),
        rx.cond(~E.undoing, rx.el.ul(
            rx.el.li(T("cforms.end.stops")),
            rx.cond(E.cancels_line != "", rx.el.li(E.cancels_line, id="confirm-cancels")),
            rx.el.li(T("cforms.end.still_read")),
            class_name="plain-list")),
        rx.el.div(
            rx.el.button(rx.cond(S.saving, T("cforms.end.saving"), T("cforms.end.yes")),
                         type="button", on_click=E.confirm, disabled=S.saving,
                         class_name="btn btn-primary", id="ending-confirm"),
            rx.el.button(T("cforms.end.back"), type="button", on_click=E.back,
                         class_name="btn btn-secondary", id="ending-back"),
            class_name="card-actions"),
        aria_labelledby="confirm-title",
        class_name="card",
        id="ending-confirmation",
    )


def ending_page() -> rx.Component:
    return _frame(T("cforms.end.title"), rx.cond(E.confirming, _confirm(), _form()))


__all__ = ["ending_page"]
