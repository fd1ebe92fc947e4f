"""The access log page: who has seen or changed the information, and when, by day."""

import reflex as rx

from digihelse.audit import codes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.state.access_log import AccessLogState, LogRow
from digihelse.ui.state.session import SessionState


def _row(row: LogRow) -> rx.Component:
    return rx.el.li(
        rx.cond(row.day != "", rx.el.h2(row.day, class_name="log-day")),
        rx.el.div(
            rx.el.p(rx.el.strong(row.who), " ", row.what),
            rx.el.p(row.when, rx.cond(row.where != "", rx.fragment(" · ", row.where)),
                    class_name="muted"),
            class_name="card log-row",
        ),
    )


def _filter(fid: str, label: str, labels: dict, value, on_change) -> rx.Component:
    return rx.el.div(
        rx.el.label(T(label), html_for=fid, class_name="field-label"),
        rx.el.select(
            *[rx.el.option(T(key), value=option.value) for option, key in labels.items()],
            id=fid, value=value, on_change=on_change, class_name="input",
        ),
        class_name="log-filter",
    )


def _filters() -> rx.Component:
    return rx.el.div(
        _filter("log-who", "log.filter.who", codes.WHO_LABELS, AccessLogState.who,
                AccessLogState.set_who),
        _filter("log-what", "log.filter.what", codes.WHAT_LABELS, AccessLogState.what,
                AccessLogState.set_what),
        class_name="log-filters", role="group", aria_label=T("log.filter.legend"),
    )


def _list() -> rx.Component:
    return rx.fragment(
        rx.el.ul(rx.foreach(AccessLogState.rows, _row), class_name="card-list log-days",
                 id="access-log"),
        rx.el.p(rx.cond(AccessLogState.has_more, T("log.shown", n=AccessLogState.shown.to_string()),
                        T("log.shown_all", n=AccessLogState.shown.to_string())),
                role="status", id="log-count", class_name="muted"),
        rx.cond(AccessLogState.has_more, rx.el.button(
            T("log.more"), type="button", on_click=AccessLogState.more,
            disabled=AccessLogState.loading_more, class_name="btn btn-secondary",
            id="log-more")),
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
            rx.fragment(
                _filters(),
                rx.cond(
                    AccessLogState.loaded,
                    rx.cond(
                        AccessLogState.rows.length() > 0,
                        _list(),
                        rx.cond((AccessLogState.who == "all") & (AccessLogState.what == "all"),
                                rx.el.p(T("log.empty")), rx.el.p(T("log.no_match"))),
                    ),
                    rx.el.p(T("home.loading"), role="status"),
                ),
            ),
        ),
    )
