"""The accessibility statement the regulation requires every public service to publish."""

import reflex as rx

from digihelse.ui.components.layout import T, shell


def accessibility_page() -> rx.Component:
    return shell(
        rx.el.h1(T("a11y.title")),
        rx.el.p(T("a11y.intro"), class_name="lead"),
        rx.el.h2(T("a11y.how.title")),
        rx.el.p(T("a11y.how.text")),
        rx.el.h2(T("a11y.report.title")),
        rx.el.p(T("a11y.report.text")),
        signed_in=False,
    )
