"""The nurse's or midwife's messages: the inbox of one of her places (unanswered first,
how long each has waited against the answer time, who it is from), a conversation with
reply, templates, a suggested booking, handled, journal mark and hand-over, and a message
to a class or year group."""

from __future__ import annotations

import reflex as rx

from digihelse.messages.models import MAX_BODY, MAX_TEMPLATE_TITLE
from digihelse.ui.components.forms import keyed_form
from digihelse.ui.components.layout import T
from digihelse.ui.components.links import page_link
from digihelse.ui.pages.messages import message_bubble
from digihelse.ui.pages.personnel import personnel_shell
from digihelse.ui.state.messages import (
    BookingRow,
    Choice,
    InboxRow,
    InboxState,
    StaffConversationState,
)


def _option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.value)


def _row(row: InboxRow) -> rx.Component:
    return rx.el.li(
        page_link(
            rx.el.span(rx.cond(row.unanswered, rx.el.span(row.state, class_name="badge"),
                               rx.el.span(row.state, class_name="muted small")),
                       " ", rx.el.strong(row.name), class_name="conv-head"),
            rx.el.span(row.detail, class_name="conv-topic"),
            rx.el.span(row.topic, " · ", row.when, class_name="muted small"),
            rx.cond(row.waiting != "",
                    rx.el.span(row.waiting, class_name=rx.cond(row.overdue, "overdue small",
                                                               "small"))),
            rx.cond(row.assigned != "", rx.el.span(row.assigned, class_name="muted small")),
            href=row.href,
            class_name=rx.cond(row.unanswered, "conv-link unread", "conv-link"),
        ),
        page_link(row.bookings_label, href=row.href + "#bookings",
                  class_name="inline-link small"),
        class_name="conv-item",
    )


def _broadcast() -> rx.Component:
    s = InboxState
    return rx.cond(s.groups.length() > 0, rx.el.details(
        rx.el.summary(T("inbox.broadcast")),
        rx.el.form(
            rx.el.label(T("inbox.group"), html_for="group", class_name="field-label"),
            rx.el.select(rx.foreach(s.groups, lambda g: rx.el.option(g, value=g)), id="group",
                         value=s.group, on_change=s.set_group, class_name="select"),
            rx.el.label(T("inbox.broadcast_text"), html_for="broadcast",
                        class_name="field-label"),
            rx.el.p(T("inbox.broadcast_hint"), id="broadcast-hint", class_name="muted small"),
            rx.el.textarea(id="broadcast", name="broadcast", rows=3, max_length=MAX_BODY,
                           aria_describedby="broadcast-hint", class_name="textarea"),
            rx.el.button(T("inbox.broadcast_send"), type="submit", disabled=s.busy,
                         class_name="btn btn-primary", id="send-broadcast"),
            on_submit=s.send_broadcast, reset_on_submit=True,
        ),
        class_name="card", id="broadcast-box"))


def _templates() -> rx.Component:
    s = InboxState
    return rx.el.details(
        rx.el.summary(T("inbox.templates")),
        rx.el.ul(rx.foreach(s.templates, lambda c: rx.el.li(
            rx.el.span(c.label), " ",
            rx.el.button(T("inbox.template_remove"), type="button",
                         on_click=s.remove_template(c.value),
                         aria_label=T("inbox.template_remove") + ": " + c.label,
                         class_name="link-button"))), class_name="plain-list"),
        rx.el.form(
            rx.el.label(T("inbox.template_title"), html_for="template-title",
                        class_name="field-label"),
            rx.el.input(id="template-title", name="title", max_length=MAX_TEMPLATE_TITLE,
                        class_name="input"),
            rx.el.label(T("inbox.template_body"), html_for="template-body",
                        class_name="field-label"),
            rx.el.textarea(id="template-body", name="body", rows=3, max_length=MAX_BODY,
                           class_name="textarea"),
            rx.el.button(T("inbox.template_add"), type="submit", class_name="btn btn-secondary"),
            on_submit=s.add_template, reset_on_submit=True,
        ),
        class_name="card", id="templates-box")


def _status(message, error) -> rx.Component:
    return rx.fragment(
        rx.el.div(rx.cond(message != "", rx.el.p(message, class_name="notice")), role="status"),
        rx.el.div(rx.cond(error != "", rx.el.p(error, class_name="error-box")), role="alert"))


def inbox_page() -> rx.Component:
    s = InboxState
    return personnel_shell(
        "inbox",
        rx.el.h1(T("inbox.title")),
        rx.cond(s.places.length() > 1, rx.el.div(
            rx.el.label(T("inbox.place"), html_for="inbox-place", class_name="field-label"),
            rx.el.select(rx.foreach(s.places, _option), id="inbox-place", value=s.place,
                         on_change=s.choose_place, class_name="select"))),
        rx.cond(s.answer != "", rx.el.p(T("inbox.promise", answer=s.answer),
                                        class_name="muted", id="promise")),
        _status(s.message, s.error),
        rx.cond(s.loaded, rx.cond(
            s.rows.length() > 0,
            rx.el.ul(rx.foreach(s.rows, _row), class_name="conv-list", id="inbox"),
            rx.el.p(T("inbox.empty"), id="inbox-empty")),
            rx.el.p(T("home.loading"), role="status")),
        _broadcast(),
        _templates(),
    )


def _booking(row: BookingRow) -> rx.Component:
    return rx.el.li(page_link(row.when, href=row.href, class_name="inline-link"), " · ",
                    row.status)


def staff_conversation_page() -> rx.Component:
    s = StaffConversationState
    return personnel_shell(
        "inbox",
        page_link(T("inbox.back"), href=s.back_href, class_name="inline-link"),
        rx.el.h1(rx.cond(s.person != "", s.person, T("msg.conversation"))),
        rx.cond(s.loaded, rx.fragment(
            rx.el.p(s.detail, class_name="muted", id="person-detail"),
            rx.el.p(s.topic, rx.cond(s.closed, rx.el.span(" · ", s.status_text)),
                    class_name="muted"),
            rx.cond(s.assigned != "", rx.el.p(s.assigned, class_name="muted")),
            rx.el.ol(rx.foreach(s.lines, message_bubble), class_name="bubbles",
                     id="messages", aria_live="polite"),
            _status(s.message, s.error),
            rx.cond(s.may_reply, keyed_form(
                rx.cond(s.templates.length() > 0, rx.el.div(
                    rx.el.label(T("inbox.use_template"), html_for="template",
                                class_name="field-label"),
                    rx.el.select(rx.el.option(T("inbox.choose"), value=""),
                                 rx.foreach(s.templates, _option), id="template", value="",
                                 on_change=s.use_template, class_name="select"))),
                rx.el.label(T("msg.reply"), html_for="reply", class_name="field-label"),
                rx.el.textarea(id="reply", name="reply", rows=4, max_length=MAX_BODY,
                               default_value=s.reply_text, class_name="textarea"),
                rx.el.label(rx.el.input(type="checkbox", name="suggest", value="1"),
                            " ", T("inbox.suggest_booking"), class_name="check-row"),
                rx.el.button(rx.cond(s.busy, T("msg.sending"), T("msg.send")), type="submit",
                             disabled=s.busy, class_name="btn btn-primary", id="send-reply"),
                form_key=s.form_key, on_submit=s.send_reply, id="reply-form")),
            rx.el.div(
                rx.cond(~s.handled & ~s.closed,
                        rx.el.button(T("inbox.mark_handled"), type="button",
                                     on_click=s.mark_handled, class_name="btn btn-secondary",
                                     id="handled")),
                rx.cond(s.journal != "", rx.el.p(s.journal, class_name="muted", id="journal"),
                        rx.el.button(T("inbox.mark_journal"), type="button",
                                     on_click=s.mark_journal, class_name="btn btn-secondary",
                                     id="mark-journal")),
                rx.cond(s.may_close, rx.el.button(T("msg.close"), type="button",
                                                  on_click=s.close,
                                                  class_name="btn btn-secondary", id="close")),
                class_name="row-actions space-top"),
            rx.cond(s.colleagues.length() > 0, rx.el.form(
                rx.el.label(T("inbox.hand_over"), html_for="colleague", class_name="field-label"),
                rx.el.select(rx.foreach(s.colleagues, _option), id="colleague", name="colleague",
                             class_name="select"),
                rx.el.button(T("inbox.hand_over_button"), type="submit",
                             class_name="btn btn-secondary"),
                on_submit=s.hand_over, class_name="space-top")),
            rx.el.h2(T("inbox.bookings"), id="bookings"),
            rx.cond(s.bookings.length() > 0,
                    rx.el.ul(rx.foreach(s.bookings, _booking), class_name="plain-list"),
                    rx.el.p(T("inbox.no_bookings"), class_name="muted")),
        ), rx.el.p(T("home.loading"), role="status")),
    )
