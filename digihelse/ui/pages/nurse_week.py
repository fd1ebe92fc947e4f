"""The nurse's "Uke": the week at a glance; each day opens under I dag."""

import reflex as rx

from digihelse.ui.components.layout import T
from digihelse.ui.components.links import page_link
from digihelse.ui.pages.personnel import personnel_shell
from digihelse.ui.state.nurse import WEEK_PATH
from digihelse.ui.state.nurse_week import NurseWeekState, WeekBooking, WeekDay

W = NurseWeekState


def week_picker() -> rx.Component:
    return rx.el.div(
        page_link(rx.el.span("‹", aria_hidden="true"), T("week.prev"), href=W.prev_href,
                  class_name="pick-btn", id="prev-week"),
        page_link(T("week.next"), rx.el.span("›", aria_hidden="true"), href=W.next_href,
                  class_name="pick-btn", id="next-week"),
        class_name="day-picker", role="group", aria_label=W.title,
    )


def _booking(item: WeekBooking) -> rx.Component:
    return rx.el.li(
        rx.el.span(item.time, class_name="slot-time"),
        rx.el.span(item.pupil),
        rx.cond(item.visit != "", rx.el.span(" · ", item.visit, class_name="muted")),
        rx.cond(item.status_text != "", rx.el.span(" (", item.status_text, ")",
                                                   class_name="muted")),
    )


def _day(day: WeekDay) -> rx.Component:
    return rx.el.li(
        rx.el.h2(
            page_link(day.title, rx.cond(day.is_today, rx.el.span(" · ", T("week.today"))),
                      href=day.href, class_name="day-link"),
            class_name="week-day-title",
        ),
        rx.el.p(day.counts, class_name="muted"),
        rx.cond(day.waiting != "", rx.el.p(day.waiting, class_name="small earlier-waiting")),
        rx.cond(day.bookings.length() > 0,
                rx.el.ul(rx.foreach(day.bookings, _booking), class_name="week-bookings",
                         aria_label=T("week.booked"))),
        class_name=rx.cond(day.is_today, "card week-day is-today", "card week-day"),
        id="day-" + day.iso,
    )


def nurse_week_page() -> rx.Component:
    return personnel_shell(
        "week",
        rx.cond(
            W.loaded,
            rx.fragment(
                rx.el.div(
                    rx.el.h1(W.title, rx.el.span(W.range_text, class_name="nurse-h1-sub")),
                    rx.cond(~W.is_this_week, page_link(T("week.this"), href=WEEK_PATH,
                                                       class_name="chip-link", id="this-week")),
                    class_name="day-head",
                ),
                week_picker(),
                rx.cond(W.not_nurse != "", rx.el.p(W.not_nurse, class_name="notice")),
                rx.cond(W.error != "", rx.el.p(W.error, role="alert", class_name="error-box")),
                rx.el.ul(rx.foreach(W.days, _day), class_name="card-list week-list",
                         id="week-days"),
            ),
            rx.el.p(T("pnav.loading"), role="status"),
        ),
    )
