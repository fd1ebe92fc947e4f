"""The appointments list: upcoming first, with who can see each one."""

import reflex as rx

from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.appointments import (
    AppointmentRow,
    AppointmentsState,
    DayChip,
    OfferRow,
)
from digihelse.ui.state.session import SessionState


def _actions(item: AppointmentRow) -> rx.Component:
    return rx.cond(
        AppointmentsState.confirming_id == item.booking_id,
        rx.el.div(
            rx.el.p(T("appts.cancel_confirm"), class_name="strong"),
            rx.el.button(T("appts.cancel_yes"), type="button",
                         on_click=AppointmentsState.cancel(item.booking_id),
                         class_name="btn btn-primary"),
            rx.el.button(T("appts.cancel_no"), type="button", on_click=AppointmentsState.keep,
                         class_name="btn btn-secondary space-top"),
            role="group", class_name="confirm-box",
        ),
        rx.el.div(
            page_link(T("appts.move"), href=item.move_href, class_name="btn btn-secondary"),
            rx.el.button(T("appts.cancel"), type="button",
                         on_click=AppointmentsState.ask_cancel(item.booking_id),
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
    )


def _call(item: AppointmentRow) -> rx.Component:
    """Too late to change on line: say so before she tries, with the number to call."""
    return rx.el.p(
        item.too_late,
        rx.cond(item.phone != "", rx.fragment(
            " ", T("place.phone"), " ",
            rx.el.a(item.phone, href=item.tel, class_name="inline-link"),
            rx.cond(item.phone_hours != "", rx.el.span(" (", item.phone_hours, ")")))),
        class_name="notice too-late",
    )


def _day_chip(item: AppointmentRow, chip: DayChip) -> rx.Component:
    return rx.el.button(
        chip.name, type="button",
        aria_pressed=rx.cond(item.days.contains(chip.index), "true", "false"),
        on_click=AppointmentsState.toggle_day(item.booking_id, chip.index),
        class_name="chip",
    )


def _earlier(item: AppointmentRow) -> rx.Component:
    """"Gi meg beskjed om en tidligere time blir ledig", and when: mornings, weekdays."""
    box = "earlier-" + item.booking_id.to_string()
    return rx.el.div(
        rx.el.label(
            rx.el.input(type="checkbox", checked=item.earlier, id=box,
                        on_change=lambda checked: AppointmentsState.set_earlier(
                            item.booking_id, checked)),
            " ", T("appts.earlier.wish"), class_name="check",
        ),
        rx.cond(item.earlier, rx.fragment(
            rx.el.p(T("appts.earlier.how"), class_name="muted small"),
            rx.el.label(
                rx.el.input(type="checkbox", checked=item.mornings,
                            on_change=lambda checked: AppointmentsState.set_mornings(
                                item.booking_id, checked)),
                " ", T("appts.earlier.mornings"), class_name="check",
            ),
            rx.el.div(
                rx.el.p(T("appts.earlier.days"), class_name="field-label"),
                rx.el.div(rx.foreach(AppointmentsState.day_chips,
                                     lambda chip: _day_chip(item, chip)),
                          class_name="chips"),
                role="group", aria_label=T("appts.earlier.days"),
            ),
        )),
        class_name="earlier",
    )


def _offer(offer: OfferRow) -> rx.Component:
    return rx.el.li(
        rx.el.h3(offer.when),
        rx.el.p(offer.place),
        rx.el.p(offer.nurse),
        rx.el.p(offer.instead),
        rx.el.p(offer.until, class_name="muted small"),
        rx.el.div(
            rx.el.button(T("appts.offers.accept"), type="button",
                         on_click=AppointmentsState.accept_offer(offer.offer_id),
                         class_name="btn btn-primary"),
            rx.el.button(T("appts.offers.decline"), type="button",
                         on_click=AppointmentsState.decline_offer(offer.offer_id),
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        class_name="card appointment offer",
    )


def _appointment(item: AppointmentRow, upcoming: bool) -> rx.Component:
    return rx.el.li(
        rx.el.h3(item.when),
        rx.cond(item.visit != "", rx.el.p(item.visit, class_name="strong")),
        rx.el.p(item.place),
        rx.el.p(item.nurse),
        rx.el.p(item.status_text, class_name="status"),
        rx.cond(item.cancel_reason != "", rx.el.p(item.cancel_reason)),
        rx.el.p(item.visibility, class_name="visibility"),
        rx.cond(item.show_actions, _actions(item)) if upcoming else rx.fragment(),
        rx.cond(item.can_wish, _earlier(item)) if upcoming else rx.fragment(),
        rx.cond(item.too_late != "", _call(item)) if upcoming else rx.fragment(),
        class_name="card appointment",
    )


def appointments_page() -> rx.Component:
    return shell(
        rx.el.h1(rx.cond(SessionState.acting_for_other,
                         T("appts.title_for", name=SessionState.acting_given_name),
                         T("appts.title"))),
        rx.cond(AppointmentsState.message != "",
                rx.el.p(AppointmentsState.message, role="status", class_name="notice")),
        rx.cond(AppointmentsState.error != "",
                rx.el.p(AppointmentsState.error, role="alert", class_name="error-box")),
        rx.cond(
            AppointmentsState.loaded,
            rx.fragment(
                rx.cond(
                    AppointmentsState.offers.length() > 0,
                    rx.el.section(
                        rx.el.h2(T("appts.offers.title")),
                        rx.el.ul(rx.foreach(AppointmentsState.offers, _offer),
                                 class_name="card-list"),
                        id="offers", aria_label=T("appts.offers.title"),
                    ),
                ),
                rx.el.h2(T("appts.upcoming")),
                rx.cond(
                    AppointmentsState.upcoming.length() > 0,
                    rx.el.ul(rx.foreach(AppointmentsState.upcoming,
                                        lambda a: _appointment(a, True)),
                             class_name="card-list", id="upcoming"),
                    rx.el.p(T("appts.none")),
                ),
                rx.cond(
                    AppointmentsState.cancelled.length() > 0,
                    rx.fragment(
                        rx.el.h2(T("appts.cancelled")),
                        rx.el.ul(rx.foreach(AppointmentsState.cancelled,
                                            lambda a: _appointment(a, False)),
                                 class_name="card-list", id="cancelled"),
                    ),
                ),
                rx.el.h2(T("appts.past")),
                rx.cond(
                    AppointmentsState.past.length() > 0,
                    rx.el.ul(rx.foreach(AppointmentsState.past, lambda a: _appointment(a, False)),
                             class_name="card-list", id="past"),
                    rx.el.p(T("appts.none")),
                ),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
    )
