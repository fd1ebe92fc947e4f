"""The booking screen: where, which time, an optional note, confirm. For a pupil, or (with
?svangerskap=1) a pregnant woman booking her next consultation with her midwife."""

import json
from dataclasses import asdict

import reflex as rx
from reflex.vars.base import Var, VarData

from digihelse.access.actors import Service
from digihelse.booking.rules import MAX_NOTE, TOPICS
from digihelse.core.i18n.families import keyed
from digihelse.ui import routes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import document_link, page_link
from digihelse.ui.state.booking import BookingState, DayGroup, PlaceOption, SlotButton


def chosen_place() -> rx.Var:
    """The chosen place, found in the browser: a computed var would keep the same data
    twice in the tab's state (and touch the state on every hydrate)."""
    places, place_id = BookingState.places, BookingState.place_id
    empty = json.dumps(asdict(PlaceOption(0, "", "", "", "", "", "")))
    return Var(_js_expr=f"({places}.find((p) => p.place_id === {place_id}) ?? {empty})",
               _var_type=PlaceOption,
               _var_data=VarData.merge(places._get_all_var_data(),
                                       place_id._get_all_var_data())).to(PlaceOption)


def _place_tab(option: PlaceOption) -> rx.Component:
    return rx.el.button(
        option.name,
        type="button",
        aria_pressed=rx.cond(BookingState.place_id == option.place_id, "true", "false"),
        on_click=BookingState.choose_place(option.place_id.to_string()),
        class_name="chip",
    )


def carer_line(name) -> rx.Component:
    """"Helsesykepleier Kari Lund", or "Jordmor Lise Haugen" for a pregnancy consultation."""
    return rx.cond(BookingState.pregnancy, T("book.card.midwife", name=name),
                   T("book.card.nurse", name=name))


def place_card() -> rx.Component:
    place = chosen_place()
    return rx.el.section(
        rx.el.div(
            rx.el.span(place.initials, class_name="avatar", aria_hidden="true"),
            rx.el.div(
                rx.el.h2(place.name, class_name="place-name"),
                rx.el.p(carer_line(place.nurse)),
            ),
            class_name="place-head",
        ),
        rx.el.p(place.address, class_name="muted"),
        rx.cond(place.drop_in != "", rx.el.p(place.drop_in, class_name="drop-in")),
        rx.cond(place.phone != "", rx.el.p(
            T("place.phone"), " ", rx.el.a(place.phone, href=place.tel, id="place-phone",
                                           class_name="inline-link"),
            rx.cond(place.phone_hours != "", rx.el.span(" (", place.phone_hours, ")")),
            class_name="muted")),
        class_name="card",
        aria_label=place.name,
    )


def _time_button(slot: SlotButton) -> rx.Component:
    return rx.el.li(rx.el.button(
        slot.time,
        type="button",
        aria_label=slot.label,
        on_click=BookingState.choose_slot(slot),
        class_name="time-btn",
    ))


def _day(group: DayGroup) -> rx.Component:
    return rx.el.section(
        rx.el.h3(group.title, class_name="day-title"),
        rx.el.ul(rx.foreach(group.slots, _time_button), class_name="time-grid"),
    )


def week_strip() -> rx.Component:
    return rx.el.div(
        rx.el.button("‹", type="button", aria_label=T("book.prev_week"),
                     on_click=BookingState.previous_week,
                     disabled=BookingState.week_offset == 0, class_name="week-btn"),
        rx.el.p(BookingState.week_title, class_name="week-title", aria_live="polite"),
        rx.el.button("›", type="button", aria_label=T("book.next_week"),
                     on_click=BookingState.next_week, class_name="week-btn"),
        class_name="week-strip",
    )


def _alternative(slot: SlotButton) -> rx.Component:
    return rx.el.li(rx.el.button(slot.label, type="button",
                                 on_click=BookingState.choose_slot(slot),
                                 class_name="btn btn-secondary"))


def _pregnancy_head() -> rx.Component:
    return rx.fragment(
        rx.el.h1(BookingState.visit_title),
        rx.cond(BookingState.window_line != "",
                rx.el.p(BookingState.window_line, class_name="lead", id="visit-window")),
        rx.cond(BookingState.after_window,
                rx.el.p(T("card.book.after_window"), class_name="notice")),
    )


def choose_step() -> rx.Component:
    return rx.cond(
        BookingState.blocked != "",
        rx.fragment(
            rx.el.h1(rx.cond(BookingState.pregnancy, BookingState.visit_title,
                             T("book.title"))),
            rx.el.p(BookingState.blocked, class_name="notice", id="booking-blocked"),
            rx.cond(BookingState.blocked_by_booking,
                    page_link(T("card.book.change"), href=routes.APPOINTMENTS,
                              class_name="btn btn-secondary")),
            rx.cond(BookingState.pregnancy,
                    page_link(T("book.preg.back"), href=routes.CARD,
                              class_name="btn btn-secondary space-top"),
                    page_link(T("book.see_appointments"), href=routes.APPOINTMENTS,
                              class_name="btn btn-secondary space-top")),
        ),
        _choose_times(),
    )


def _choose_times() -> rx.Component:
    return rx.fragment(
        rx.cond(BookingState.pregnancy, _pregnancy_head(),
                rx.el.h1(rx.cond(BookingState.moving_title != "", BookingState.moving_title,
                                 T("book.title")), tab_index=-1, id="step-heading")),
        rx.cond(
            BookingState.places.length() > 1,
            rx.el.div(rx.foreach(BookingState.places, _place_tab), role="group",
                      aria_label=T("book.where"), class_name="chips"),
        ),
        place_card(),
        rx.cond(
            BookingState.error != "",
            rx.el.div(
                rx.el.p(BookingState.error),
                rx.el.ul(rx.foreach(BookingState.alternatives, _alternative),
                         class_name="stack"),
                role="alert", class_name="error-box", id="booking-error",
            ),
        ),
        week_strip(),
        rx.el.p(T("book.published", weeks=BookingState.published_weeks.to_string()),
                class_name="muted small", id="published-ahead"),
        rx.cond(
            BookingState.days.length() > 0,
            rx.el.div(rx.foreach(BookingState.days, _day), id="free-times"),
            rx.el.p(T("book.no_times"), class_name="notice"),
        ),
    )


def _topic_chip(value: str) -> rx.Component:
    return rx.el.button(
        T(keyed("topic", value)), type="button",
        aria_pressed=rx.cond(BookingState.topic == value, "true", "false"),
        on_click=BookingState.toggle_topic(value),
        class_name="chip",
    )


def _who_sees() -> rx.Component:
    """Who can see the booking: hers alone (youth), her midwife's words (pregnancy), or
    the parents' (basic service, a parent booking for a child)."""
    return rx.cond(BookingState.pregnancy, BookingState.visibility,
                   rx.cond(BookingState.service == Service.BASIC.value, T("book.private.basic"),
                           T("book.private")))


def confirm_step() -> rx.Component:
    return rx.fragment(
        # Leaving the screen (another page) lets the held time go at once.
        rx.el.h1(T("book.confirm.title"), tab_index=-1, id="step-heading",
                 on_unmount=BookingState.leave_confirm),
        rx.el.div(
            rx.el.p(rx.el.strong(BookingState.chosen.label), class_name="when"),
            rx.el.p(chosen_place().name),
            rx.el.p(carer_line(chosen_place().nurse)),
            class_name="card",
        ),
        rx.el.p(_who_sees(), class_name="notice", id="private-line"),
        rx.cond(~BookingState.pregnancy,
                rx.el.p(T("book.who_else"), class_name="muted", id="who-else")),
        rx.cond(BookingState.cancel_line != "",
                rx.el.p(BookingState.cancel_line, class_name="muted", id="cancel-line")),
        rx.cond(BookingState.held_line != "",
                rx.el.p(BookingState.held_line, class_name="muted small", id="held-line")),
        rx.cond(
            BookingState.pregnancy & (BookingState.moving_id == 0),
            rx.el.div(
                rx.el.label(T("book.preg.note"), html_for="note", class_name="field-label"),
                rx.el.p(T("book.preg.note_hint"), id="note-hint", class_name="muted small"),
                rx.el.textarea(id="note", value=BookingState.note,
                               on_change=BookingState.set_note, max_length=MAX_NOTE, rows=3,
                               aria_describedby="note-hint", class_name="textarea"),
                class_name="fieldset",
            ),
        ),
        rx.cond(
            ~BookingState.pregnancy & (BookingState.moving_id == 0),
            rx.el.fieldset(
                rx.el.legend(T("book.confirm.topic")),
                rx.cond(BookingState.service == Service.BASIC.value,
                        rx.el.div(*[_topic_chip(v) for v in TOPICS[Service.BASIC]],
                                  class_name="chips"),
                        rx.el.div(*[_topic_chip(v) for v in TOPICS[Service.YOUTH]],
                                  class_name="chips")),
                rx.el.label(T("book.confirm.note"), html_for="note", class_name="field-label"),
                rx.el.textarea(id="note", value=BookingState.note,
                               on_change=BookingState.set_note, max_length=MAX_NOTE, rows=3,
                               class_name="textarea"),
                class_name="fieldset",
            ),
        ),
        rx.cond(
            ~BookingState.pregnancy & (BookingState.moving_id == 0),
            rx.el.label(
                rx.el.input(type="checkbox", on_change=BookingState.set_earlier, id="earlier"),
                " ", T("appts.earlier.wish"), class_name="check space-top",
            ),
        ),
        rx.cond(BookingState.error != "",
                rx.el.p(BookingState.error, role="alert", class_name="error-box")),
        rx.el.div(
            rx.el.button(
                rx.cond(BookingState.busy, T("book.working"), T("book.confirm.button")),
                type="button", on_click=BookingState.confirm, disabled=BookingState.busy,
                aria_busy=BookingState.busy.to_string(), class_name="btn btn-primary",
                id="confirm",
            ),
            class_name="sticky-action",
        ),
        rx.el.button(T("book.confirm.back"), type="button", on_click=BookingState.back_to_times,
                     class_name="btn btn-secondary space-top"),
    )


def done_step() -> rx.Component:
    return rx.fragment(
        rx.el.h1(rx.cond(BookingState.moving_id != 0, T("book.move.done"),
                         T("book.done.title")), tab_index=-1, id="step-heading"),
        rx.el.div(
            rx.el.p(rx.el.strong(BookingState.booked_label)),
            rx.el.p(chosen_place().name),
            rx.cond(BookingState.pregnancy,
                    rx.el.p(carer_line(chosen_place().nurse)), rx.fragment()),
            rx.el.p(_who_sees()),
            rx.cond(~BookingState.pregnancy, rx.el.p(T("book.who_else"), class_name="small")),
            class_name="notice", role="status", id="booked",
        ),
        document_link(T("book.done.calendar"),
                      href="/timer/" + BookingState.booked_id.to_string() + ".ics",
                      class_name="btn btn-secondary"),
        page_link(T("book.done.change"), href=routes.APPOINTMENTS,
                  class_name="btn btn-secondary space-top"),
        rx.cond(BookingState.pregnancy,
                page_link(T("book.preg.back"), href=routes.CARD,
                          class_name="btn btn-secondary space-top", id="back-to-card")),
    )


def booking_page() -> rx.Component:
    return shell(
        rx.cond(
            BookingState.loaded,
            rx.match(
                BookingState.step,
                ("confirm", confirm_step()),
                ("done", done_step()),
                choose_step(),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
    )
