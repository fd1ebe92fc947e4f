"""Helsekort for gravide i appen: what the card is, who reads it, her consent, and
withdrawing it in two steps, with what stays in her midwife's journal and why. Thin: the
rules and their sources are in digihelse.healthcard.consent."""

from __future__ import annotations

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.consent import ConsentState

C = ConsentState


def _about() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("consent.what_title"), id="consent-what"),
        rx.el.p(T("consent.what")),
        rx.el.h2(T("consent.who_title")),
        rx.el.ul(rx.el.li(T("consent.who_carers")), rx.el.li(T("consent.who_you")),
                 rx.el.li(T("consent.who_partner")), rx.el.li(T("consent.who_log")),
                 class_name="plain-list bullets"),
        rx.el.p(T("consent.withdraw_any_time")),
        class_name="card", aria_labelledby="consent-what",
    )


def _journal() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("consent.kept_title"), id="consent-kept"),
        rx.el.p(T("consent.kept_app")),
        rx.el.p(T("consent.kept_journal")),
        rx.el.p(T("consent.kept_why"), class_name="muted small"),
        class_name="card", aria_labelledby="consent-kept", id="consent-kept-box",
    )


def _give() -> rx.Component:
    return rx.el.div(
        rx.el.p(T("consent.ask")),
        rx.el.button(T("consent.give"), type="button", on_click=C.give, id="consent-give",
                     disabled=C.busy, class_name="btn btn-primary"),
    )


def _withdraw() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("consent.withdraw_title"), id="withdraw-title"),
        _journal(),
        rx.cond(
            C.confirming,
            rx.el.div(
                rx.el.h3(T("consent.confirm_title"), id="withdraw-confirm-title",
                         tab_index=-1),
                rx.el.p(rx.cond(C.card, T("consent.confirm_card"), T("consent.confirm_none"))),
                rx.el.button(T("consent.confirm_button"), type="button", on_click=C.withdraw,
                             id="withdraw-confirm", disabled=C.busy,
                             class_name="btn btn-danger"),
                rx.el.button(T("consent.keep"), type="button", on_click=C.keep,
                             id="withdraw-keep", class_name="btn btn-secondary"),
                role="group", aria_labelledby="withdraw-confirm-title",
                class_name="card warning-box", id="withdraw-confirm-box",
            ),
            rx.el.button(T("consent.withdraw"), type="button", on_click=C.ask_withdraw,
                         id="withdraw-open", class_name="btn btn-secondary"),
        ),
        aria_labelledby="withdraw-title",
    )


def consent_page() -> rx.Component:
    return shell(
        rx.el.p(page_link(T("consent.back"), href=routes.HOME)),
        rx.el.h1(T("consent.title")),
        loaded_or_error(
            C.loaded, C.error,
            rx.el.div(rx.cond(C.message != "", rx.el.p(C.message, class_name="notice")),
                      role="status", id="consent-status", tab_index=-1),
            rx.cond(
                C.confidential,
                rx.el.p(T("consent.confidential"), class_name="notice", id="consent-closed"),
                rx.fragment(
                    _about(),
                    rx.cond(
                        C.consented,
                        rx.fragment(
                            rx.el.p(C.line, id="consent-line", class_name="strong"),
                            rx.cond(C.card, rx.el.p(page_link(T("consent.to_card"),
                                                              href=routes.CARD))),
                            _withdraw(),
                        ),
                        _give(),
                    ),
                ),
            ),
        ),
    )
