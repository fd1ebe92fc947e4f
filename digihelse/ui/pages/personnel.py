"""The nurse's or midwife's "I dag": today's bookings with Møtt, Ikke møtt and Avlys, free
and blocked slots, and a day picker. Also the personnel menu and message area that every
personnel page shares."""

import reflex as rx

from digihelse.access.personnel_areas import PAGE_AREAS, Area
from digihelse.booking.rules import MAX_CANCEL_REASON
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.routes import CARER_LIST, INBOX, PERSONNEL_ACTIVATION
from digihelse.ui.state.nurse import DAY_PATH, SCHEDULE_PATH, WEEK_PATH, DayRow, NurseDayState
from digihelse.ui.state.session import SessionState

PERSONNEL_PAGES = [("today", DAY_PATH, "pnav.today"), ("schedule", SCHEDULE_PATH, "pnav.schedule"),
                   ("week", WEEK_PATH, "pnav.week"), ("inbox", INBOX, "pnav.inbox")]


def in_menu(area: Area):
    """Whether the signed-in role's menu has this area (SessionState.personnel_menu)."""
    return SessionState.personnel_menu.contains(area.value)


def personnel_nav(current: str) -> rx.Component:
    """I dag · Min timeplan · Uke for those who keep a booking schedule (school nurses,
    midwives), Mine gravide for those who keep pregnancy cards (midwives, GPs); the current
    page marked for everyone (not by colour)."""
    def item(key: str, href: str, text_key: str) -> rx.Component:
        props = {"aria_current": "page"} if key == current else {}
        return rx.el.li(page_link(T(text_key), href=href, class_name="pnav-link", **props))

    schedule, cards = in_menu(Area.SCHEDULE), in_menu(Area.CARDS)
    onboarding = in_menu(Area.ONBOARDING)
    return rx.cond(
        schedule | cards,
        rx.el.nav(
            rx.el.ul(
                rx.cond(schedule, rx.fragment(*[item(*page) for page in PERSONNEL_PAGES])),
                rx.cond(cards, item("women", CARER_LIST, "pnav.women")),
                rx.cond(onboarding, item("activation", PERSONNEL_ACTIVATION, "pnav.activation")),
                class_name="pnav-list"),
            aria_label=T("pnav.label"),
            class_name="pnav",
        ),
    )


# Who a page of each area is for, and where the refusal's link leads.
_AREA_AUDIENCE = {Area.SCHEDULE: "pnav.only_schedule", Area.CARDS: "pnav.only_cards",
                  Area.ONBOARDING: "pnav.only_onboarding"}


def wrong_role(area: Area) -> rx.Component:
    """What a person whose role may not use the page sees instead of it: who it is for,
    and the way to her own start page. Nothing of the page is loaded."""
    own_start = rx.cond(in_menu(Area.SCHEDULE), DAY_PATH, CARER_LIST)
    return rx.el.div(
        rx.el.h1(T("pnav.wrong_role.title")),
        rx.el.p(T(_AREA_AUDIENCE[area]), class_name="lead"),
        page_link(T("pnav.wrong_role.home"), href=own_start, class_name="btn btn-primary"),
        id="wrong-role",
    )


def personnel_shell(current: str, *children: rx.Component) -> rx.Component:
    """A personnel page: the personnel menu with this page marked, then the page (no
    citizen navigation); for a role that may not use the page, a plain refusal instead."""
    area = PAGE_AREAS[current]
    allowed = in_menu(area)
    return shell(personnel_nav(current),
                 rx.cond(SessionState.is_personnel & ~allowed, wrong_role(area),
                         rx.fragment(*children)),
                 citizen_nav=False)


def feedback(message, error, dismiss) -> rx.Component:
    """What an action did, at the bottom of the screen where the thumb is. The live
    regions stay in the page so screen readers announce each new message."""
    shown = (message != "") | (error != "")
    return rx.el.div(
        rx.el.div(rx.cond(message != "", rx.el.p(message, class_name="nurse-toast-text")),
                  role="status", id="nurse-status"),
        rx.el.div(rx.cond(error != "", rx.el.p(error, class_name="nurse-toast-text")),
                  role="alert", id="nurse-error"),
        rx.cond(shown, rx.el.button(T("pnav.dismiss"), type="button", on_click=dismiss,
                                    class_name="nurse-toast-close")),
        class_name=rx.cond(error != "", "nurse-toast nurse-toast-error",
                           rx.cond(message != "", "nurse-toast nurse-toast-ok",
                                   "nurse-toast nurse-toast-empty")),
    )


def personnel_heading() -> rx.Component:
    return rx.fragment(
        rx.el.h1(T("personnel.hello", name=SessionState.given_name)),
        rx.el.p(SessionState.organisation, " · ", T("personnel.hpr"), ": ",
                SessionState.hpr_number, class_name="muted nurse-who"),
    )


def day_picker() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.h2(NurseDayState.title, id="day-title", class_name="day-heading"),
            rx.cond(~NurseDayState.is_today,
                    page_link(T("day.go_today"), href=DAY_PATH, class_name="chip-link",
                              id="go-today")),
            class_name="day-head",
        ),
        rx.el.div(
            page_link(rx.el.span("‹", aria_hidden="true"), T("day.prev"),
                      href=NurseDayState.prev_href, class_name="pick-btn", id="prev-day"),
            page_link(T("day.next"), rx.el.span("›", aria_hidden="true"),
                      href=NurseDayState.next_href, class_name="pick-btn", id="next-day"),
            class_name="day-picker",
            role="group",
            aria_label=T("day.picker"),
        ),
        rx.cond(NurseDayState.rows.length() > 0,
                rx.el.p(NurseDayState.summary, class_name="muted day-summary", id="day-summary")),
    )


def _cancel_form(row: DayRow) -> rx.Component:
    has_error = NurseDayState.cancel_error != ""
    return rx.el.form(
        rx.el.label(T("day.cancel.reason"), html_for="cancel-reason", class_name="field-label"),
        rx.el.p(T("day.cancel.hint"), id="cancel-hint", class_name="nurse-hint"),
        rx.cond(has_error, rx.el.p(NurseDayState.cancel_error, id="cancel-error",
                                   class_name="nurse-error", role="alert")),
        rx.el.textarea(id="cancel-reason", name="reason", rows=3, max_length=MAX_CANCEL_REASON,
                       auto_focus=True, aria_required="true",
                       aria_invalid=rx.cond(has_error, "true", "false"),
                       aria_describedby=rx.cond(has_error, "cancel-hint cancel-error",
                                                "cancel-hint"),
                       class_name="textarea"),
        rx.el.div(
            rx.el.button(T("day.cancel.confirm"), type="submit", class_name="btn nurse-btn-danger",
                         id="confirm-cancel", disabled=NurseDayState.busy),
            rx.el.button(T("day.cancel.keep"), type="button", on_click=NurseDayState.keep,
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        on_submit=NurseDayState.confirm_cancel,
        class_name="cancel-form",
    )


def _move_times(row: DayRow) -> rx.Component:
    """Her free times, day by day; a tap moves the booking there."""
    first = row.pupil.split(" ")[0]
    return rx.el.div(
        rx.el.h4(T("day.move.title", name=first), class_name="move-title",
                 id="move-title"),
        # "Ikke flytt" first: four weeks of times make a long list on a phone.
        rx.el.button(T("day.move.keep"), type="button", on_click=NurseDayState.keep_move,
                     class_name="btn btn-secondary"),
        rx.cond(
            NurseDayState.move_choices.length() > 0,
            rx.fragment(
                rx.el.p(T("day.move.hint", name=first), class_name="nurse-hint"),
                rx.foreach(NurseDayState.move_choices, lambda day: rx.el.div(
                    rx.el.p(day.title, class_name="move-day"),
                    rx.el.div(rx.foreach(day.times, lambda time: rx.el.button(
                        time.time, type="button", aria_label=time.label,
                        disabled=NurseDayState.busy,
                        on_click=NurseDayState.confirm_move(time.slot_id),
                        class_name="btn time-btn")), class_name="time-grid"),
                )),
            ),
            rx.el.p(T("day.move.none"), class_name="notice"),
        ),
        class_name="move-panel",
        role="group",
        aria_labelledby="move-title",
    )


def _booking(row: DayRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.span(rx.el.strong(row.time), "–", row.end, class_name="slot-time"),
            rx.el.span(row.status_text, class_name="nurse-badge nurse-badge-" + row.status),
            class_name="slot-head",
        ),
        rx.el.h3(row.pupil, class_name="pupil"),
        rx.cond(row.pupil_detail != "", rx.el.p(row.pupil_detail, class_name="pupil-detail")),
        rx.cond(row.place != "", rx.el.p(row.place, class_name="muted")),
        rx.cond(row.topic != "", rx.el.p(
            rx.el.span(T("day.topic"), ": ", class_name="visually-hidden"),
            rx.el.span(row.topic, class_name="nurse-tag"), class_name="pupil-topic")),
        rx.cond(row.note != "", rx.el.div(
            rx.el.p(T("day.note"), class_name="pupil-note-label"),
            rx.el.p(row.note, class_name="pupil-note"), class_name="pupil-note-box")),
        rx.cond(row.can_attend, rx.el.div(
            rx.el.button(T("day.attended"), type="button", aria_label=row.attended_label,
                         aria_pressed=rx.cond(row.status == "attended", "true", "false"),
                         on_click=NurseDayState.mark(row.booking_id, "attended"),
                         class_name="btn mark-btn"),
            rx.cond(row.can_no_show, rx.el.button(
                T("day.no_show"), type="button", aria_label=row.no_show_label,
                aria_pressed=rx.cond(row.status == "no_show", "true", "false"),
                on_click=NurseDayState.mark(row.booking_id, "no_show"),
                class_name="btn mark-btn")),
            class_name="row-actions",
        )),
        rx.cond(row.mark_from != "", rx.el.p(row.mark_from, class_name="nurse-hint mark-from")),
        rx.cond(row.card_label != "", rx.el.button(
            T("day.open_card"), type="button", aria_label=row.card_label,
            on_click=NurseDayState.open_card(row.booking_id),
            class_name="btn btn-secondary space-top open-card-btn")),
        rx.cond(row.can_cancel, rx.cond(
            NurseDayState.cancelling_id == row.booking_id,
            _cancel_form(row),
            rx.cond(
                NurseDayState.moving_id == row.booking_id,
                _move_times(row),
                rx.el.div(
                    rx.el.button(T("day.move"), type="button", aria_label=row.move_label,
                                 on_click=NurseDayState.ask_move(row.booking_id),
                                 class_name="btn btn-secondary move-btn"),
                    rx.el.button(T("day.cancel"), type="button", aria_label=row.cancel_label,
                                 on_click=NurseDayState.ask_cancel(row.booking_id),
                                 class_name="btn btn-secondary cancel-btn"),
                    class_name="row-actions space-top",
                ),
            ),
        )),
        class_name="card slot-booked",
        id="booking-" + row.booking_id.to_string(),
    )


def _slot(row: DayRow) -> rx.Component:
    return rx.el.li(
        rx.el.span(row.time, class_name="slot-time"),
        rx.el.span(row.status_text, rx.cond(row.place != "", ", " + row.place, ""),
                   class_name="slot-state"),
        rx.cond(row.can_change, rx.el.button(
            rx.cond(row.kind == "blocked", T("day.unblock"), T("day.block")),
            type="button", aria_label=row.slot_label,
            on_click=NurseDayState.block(row.slot_id), class_name="nurse-small-btn")),
        class_name="slot-line slot-" + row.kind,
        id="slot-" + row.slot_id.to_string(),
    )


def _row(row: DayRow) -> rx.Component:
    return rx.cond(row.kind == "booking", _booking(row), _slot(row))


def day_list() -> rx.Component:
    return rx.cond(
        NurseDayState.rows.length() > 0,
        rx.el.ul(rx.foreach(NurseDayState.rows, _row), class_name="card-list day-list",
                 id="day-list", aria_labelledby="day-title"),
        rx.cond(NurseDayState.error == "", rx.el.div(
            rx.el.p(T("day.empty")),
            rx.el.p(page_link(T("day.empty_hint"), href=SCHEDULE_PATH)),
            class_name="notice", id="day-empty")),
    )


def personnel_home_page() -> rx.Component:
    return personnel_shell(
        "today",
        rx.cond(
            SessionState.logged_in,
            rx.fragment(
                personnel_heading(),
                rx.cond(
                    NurseDayState.loaded,
                    rx.cond(NurseDayState.not_nurse != "",
                            rx.el.p(NurseDayState.not_nurse, class_name="notice"),
                            rx.el.section(day_picker(), day_list(),
                                          aria_labelledby="day-title")),
                    rx.el.p(T("pnav.loading"), role="status"),
                ),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
        feedback(NurseDayState.message, NurseDayState.error, NurseDayState.dismiss),
    )
