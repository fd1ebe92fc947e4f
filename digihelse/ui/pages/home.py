"""The citizen's home screen: the booking card first, then notices and appointments."""

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.appointments import AppointmentRow
from digihelse.ui.state.booking import PlaceOption
from digihelse.ui.state.home import ChangeNotice, HomeState
from digihelse.ui.state.session import SessionState


def booking_card() -> rx.Component:
    place = HomeState.booking_places[0]  # the first is hers (the booking card shows it)
    return page_link(
        rx.el.span(place.initials, class_name="avatar", aria_hidden="true"),
        rx.el.span(
            rx.el.span(T("book.card.title"), class_name="big-card-title"),
            rx.el.span(place.name, class_name="big-card-line"),
            rx.el.span(T("book.card.nurse", name=place.nurse),
                       class_name="big-card-line"),
            rx.cond(place.drop_in != "",
                    rx.el.span(place.drop_in, class_name="big-card-line drop-in")),
            class_name="big-card-text",
        ),
        href=routes.BOOK,
        class_name="big-card",
        id="book-card",
    )


def _other_place(option: PlaceOption) -> rx.Component:
    return rx.el.li(page_link(
        T("home.other_place", name=option.name),
        href=routes.BOOK + "?sted=" + option.place_id.to_string(),
    ))


def _appointment(item: AppointmentRow) -> rx.Component:
    return rx.el.li(
        rx.el.h3(item.when), rx.el.p(item.place), rx.el.p(item.visibility,
                                                          class_name="visibility"),
        class_name="card",
    )


def _change(item: ChangeNotice) -> rx.Component:
    return rx.el.li(
        rx.el.p(item.text, class_name="strong"),
        rx.cond(item.reason != "", rx.el.p(item.reason)),
        rx.el.div(
            page_link(item.link_text, href=item.link_href, class_name="btn btn-primary"),
            rx.el.button(T("home.change.ok"), type="button",
                         on_click=HomeState.seen(item.booking_id),
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        class_name="card notice change-notice",
    )


def changes() -> rx.Component:
    """What her nurse moved or cancelled, first on the page until she has seen it."""
    return rx.cond(
        HomeState.changes.length() > 0,
        rx.el.section(
            rx.el.h2(T("home.change.title"), id="changes-title"),
            rx.el.ul(rx.foreach(HomeState.changes, _change), class_name="card-list"),
            id="changes", aria_labelledby="changes-title",
        ),
    )


def next_checkup() -> rx.Component:
    """The next recommended check-up under the card, to book in one tap (once booked, it
    is under Neste timer)."""
    visit = HomeState.visit
    return rx.cond(
        (visit.state == "book") & visit.can_book,
        page_link(
            rx.el.span(
                rx.el.span(visit.heading, class_name="big-card-title"),
                rx.el.span(visit.window, class_name="big-card-line"),
                class_name="big-card-text",
            ),
            rx.el.span(T("card.book.button"), class_name="chip-link"),
            href=routes.BOOK + "?svangerskap=1", class_name="card next-checkup",
            id="next-checkup",
        ),
    )


def offers_link() -> rx.Component:
    """An earlier time held for her (the SMS said only "DigiHelse"): to /timer, where she
    takes it or lets it go."""
    return rx.cond(
        HomeState.offer_line != "",
        page_link(HomeState.offer_line, href=routes.APPOINTMENTS + "#offers",
                  class_name="btn btn-primary", id="offers-link"),
    )


def messages_link() -> rx.Component:
    """Something new in her messages, at the top; else a quiet way to write."""
    return rx.cond(
        HomeState.unread_line != "",
        page_link(HomeState.unread_line, href=routes.MESSAGES, class_name="btn btn-primary",
                  id="unread-messages"),
        rx.cond(HomeState.may_message,
                rx.el.p(page_link(T("home.write"), href=routes.MESSAGE_NEW, id="write-link"))),
    )


def home_page() -> rx.Component:
    return shell(
        rx.el.h1(T("home.hello", name=SessionState.given_name)),
        rx.cond(~SessionState.acting_for_other,
                rx.match(SessionState.acting_hint,
                         ("children", rx.el.p(T("home.choose_child"), class_name="notice")),
                         ("fullmakt", rx.el.p(T("home.choose_fullmakt"), class_name="notice")),
                         rx.fragment())),
        rx.cond(
            HomeState.loaded,
            rx.fragment(
                changes(),
                offers_link(),
                messages_link(),
                rx.cond(
                    HomeState.booking_places.length() > 0,
                    rx.fragment(
                        booking_card(),
                        rx.el.ul(rx.foreach(HomeState.booking_places[1:], _other_place),
                                 class_name="plain-list"),
                    ),
                ),
                rx.cond(
                    SessionState.has_card,
                    page_link(
                        rx.el.span("♡", class_name="avatar", aria_hidden="true"),
                        rx.el.span(
                            rx.el.span(T("card.overview.title"), class_name="big-card-title"),
                            rx.el.span(HomeState.card_line, class_name="big-card-line"),
                            class_name="big-card-text",
                        ),
                        href=routes.CARD, class_name="big-card", id="card-link",
                    ),
                ),
                next_checkup(),
                rx.cond(
                    HomeState.notices.length() > 0,
                    rx.el.section(
                        rx.el.h2(T("home.messages")),
                        rx.foreach(HomeState.notices,
                                   lambda text: rx.el.p(text, class_name="notice")),
                    ),
                ),
                rx.el.h2(rx.cond(SessionState.acting_for_other,
                                 T("appts.title_for", name=SessionState.acting_given_name),
                                 T("home.next"))),
                rx.cond(
                    HomeState.next_appointments.length() > 0,
                    rx.el.ul(rx.foreach(HomeState.next_appointments, _appointment),
                             class_name="card-list", id="next-appointments"),
                    rx.el.p(rx.cond(SessionState.acting_for_other,
                                    T("home.no_upcoming_for", name=SessionState.acting_given_name),
                                    T("home.no_upcoming"))),
                ),
                page_link(T("home.all_appointments"), href=routes.APPOINTMENTS,
                          class_name="btn btn-secondary"),
                rx.el.p(page_link(T("home.passkeys"), href=routes.PASSKEYS, id="passkeys-link")),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
    )
