"""The access log page: who has seen or changed the information, and when."""

import reflex as rx

from digihelse.ui.components.layout import T, shell
from digihelse.ui.state.access_log import AccessLogState, LogRow
from digihelse.ui.state.session import SessionState


def _row(row: LogRow) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.who), " ", row.what),
        rx.el.p(row.when, class_name="muted"),
        class_name="card log-row",
    )


def access_log_page() -> rx.Component:
    return shell(
        rx.el.h1(rx.cond(
            SessionState.acting_for_other,
            T("log.title_for", name=SessionState.acting_given_name),
            T("log.title"),
        )),
        rx.el.p(T("log.intro"), class_name="lead"),
        rx.cond(
            AccessLogState.error != "",
            rx.el.div(AccessLogState.error, role="alert", class_name="error-box"),
            rx.cond(
                AccessLogState.loaded,
                rx.cond(
                    AccessLogState.rows.length() > 0,
                    rx.el.ul(rx.foreach(AccessLogState.rows, _row), class_name="card-list",
                             id="access-log"),
                    rx.el.p(T("log.empty")),
                ),
                rx.el.p(T("home.loading"), role="status"),
            ),
        ),
    )
