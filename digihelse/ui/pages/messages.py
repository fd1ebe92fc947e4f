"""Secure messages, the citizen's pages: her conversations (unread marked), a new message
(who reads it, when she gets an answer, and the numbers to call when it is urgent, always
on screen), and a conversation with live answers. Text is shown as text, never as HTML."""

from __future__ import annotations

import reflex as rx

from digihelse.messages.models import MAX_BODY
from digihelse.ui import routes
from digihelse.ui.components.client_actions import in_browser
from digihelse.ui.components.forms import keyed_form
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.messages import (
    Choice,
    ConversationState,
    Line,
    ListRow,
    MessagesState,
    NewMessageState,
    NotifySettingsState,
)


def _loaded(loaded, *content: rx.Component) -> rx.Component:
    return rx.cond(loaded, rx.fragment(*content), rx.el.p(T("home.loading"), role="status"))


def urgent() -> rx.Component:
    """What to do when it cannot wait: shown on the page, never behind a link."""
    def number(label: str, digits: str, tel: str) -> rx.Component:
        return rx.el.li(T(label), " ", rx.el.a(digits, href=f"tel:{tel}", class_name="inline-link"))

    return rx.el.div(
        rx.el.h2(T("msg.urgent.title"), class_name="small-heading"),
        rx.el.ul(
            number("msg.urgent.emergency", "113", "113"),
            number("msg.urgent.legevakt", "116 117", "116117"),
            number("msg.urgent.alarm", "116 111", "116111"),
            class_name="plain-list",
        ),
        class_name="notice urgent", id="urgent",
    )


def _row(row: ListRow) -> rx.Component:
    return rx.el.li(
        page_link(
            rx.el.span(
                rx.cond(row.unread, rx.el.span(T("msg.new"), class_name="badge")),
                rx.el.strong(row.place), class_name="conv-head"),
            rx.el.span(row.topic, class_name="conv-topic"),
            rx.el.span(row.when, rx.cond(row.closed, rx.el.span(" · ", T("msg.closed"))),
                       class_name="muted small"),
            href=row.href, aria_label=row.label,
            class_name=rx.cond(row.unread, "conv-link unread", "conv-link"),
        ),
        class_name="conv-item",
    )


def messages_page() -> rx.Component:
    return shell(
        rx.el.h1(T("msg.title")),
        loaded_or_error(
            MessagesState.loaded, MessagesState.error,
            rx.cond(MessagesState.may_write,
                    page_link(T("msg.write_new"), href=routes.MESSAGE_NEW,
                              class_name="btn btn-primary", id="new-message")),
            rx.cond(MessagesState.rows.length() > 0,
                    rx.el.ul(rx.foreach(MessagesState.rows, _row), class_name="conv-list",
                             id="conversations"),
                    rx.el.p(T("msg.none"), id="no-conversations")),
            page_link(T("msg.settings_link"), href=routes.NOTIFY_SETTINGS,
                      class_name="inline-link space-top"),
        ),
    )


def _place_option(choice: Choice) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="radio", name="place", value=choice.value,
                    checked=NewMessageState.place == choice.value,
                    on_change=NewMessageState.choose_place(choice.value)),
        rx.el.span(choice.label), class_name="radio-row",
    )


def _category_chip(choice: Choice) -> rx.Component:
    return rx.el.button(
        choice.label, type="button",
        aria_pressed=rx.cond(NewMessageState.category == choice.value, "true", "false"),
        on_click=NewMessageState.choose_category(choice.value), class_name="chip",
    )


def new_message_page() -> rx.Component:
    return shell(
        rx.el.h1(T("msg.new_title")),
        _loaded(
            NewMessageState.loaded,
            rx.cond(
                NewMessageState.places.length() == 0,
                rx.el.p(T("msg.nowhere"), class_name="notice", id="nowhere"),
                rx.el.form(
                    rx.cond(NewMessageState.places.length() > 1,
                            rx.el.fieldset(rx.el.legend(T("msg.to")),
                                           rx.foreach(NewMessageState.places, _place_option),
                                           class_name="fieldset")),
                    rx.el.fieldset(
                        rx.el.legend(T("msg.topic_optional")),
                        rx.el.div(rx.foreach(NewMessageState.categories, _category_chip),
                                  class_name="chips"),
                        class_name="fieldset",
                    ),
                    rx.el.p(NewMessageState.readers, class_name="notice", id="readers"),
                    rx.el.p(T("msg.answer_line", answer=NewMessageState.answer),
                            class_name="muted", id="answer-time"),
                    rx.el.label(T("msg.your_message"), html_for="text", class_name="field-label"),
                    rx.el.textarea(id="text", name="text", rows=6, max_length=MAX_BODY,
                                   default_value=NewMessageState.text,
                                   aria_describedby="readers answer-time",
                                   class_name="textarea"),
                    rx.cond(NewMessageState.error != "",
                            rx.el.p(NewMessageState.error, role="alert", class_name="error-box",
                                    id="send-error")),
                    urgent(),
                    rx.el.button(rx.cond(NewMessageState.busy, T("msg.sending"), T("msg.send")),
                                 type="submit", disabled=NewMessageState.busy,
                                 class_name="btn btn-primary space-top", id="send"),
                    on_submit=NewMessageState.send, id="new-message-form",
                ),
            ),
        ),
    )


def message_bubble(line: Line) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(line.who), " ", rx.el.span(line.when, class_name="muted small"),
                class_name="bubble-head"),
        rx.el.p(line.body, class_name="bubble-text"),
        class_name=rx.cond(line.mine, "bubble mine", "bubble theirs"),
    )


def conversation_page() -> rx.Component:
    s = ConversationState
    return shell(
        page_link(T("msg.back"), href=routes.MESSAGES, class_name="inline-link"),
        rx.el.h1(rx.cond(s.place != "", s.place, T("msg.conversation"))),
        _loaded(
            s.loaded,
            rx.el.p(s.topic, rx.cond(s.closed, rx.el.span(" · ", s.status_text)),
                    class_name="muted", id="conv-topic"),
            rx.cond(s.just_sent, rx.el.p(T("msg.sent_line", answer=s.answer),
                                         role="status", class_name="notice", id="sent")),
            rx.el.ol(rx.foreach(s.lines, message_bubble), class_name="bubbles",
                     id="messages", aria_live="polite"),
            rx.cond(s.info, rx.el.p(T("msg.info_no_reply"), class_name="muted", id="info-only")),
            rx.cond(s.book_href != "",
                    page_link(T("msg.book"), href=s.book_href, class_name="btn btn-secondary",
                              id="book-from-conversation")),
            rx.el.div(rx.cond(s.message != "", rx.el.p(s.message)), role="status",
                      class_name="live-status"),
            rx.cond(s.error != "", rx.el.p(s.error, role="alert", class_name="error-box")),
            rx.cond(
                s.may_reply,
                keyed_form(
                    rx.el.label(T("msg.reply"), html_for="reply", class_name="field-label"),
                    rx.el.textarea(id="reply", name="reply", rows=4, max_length=MAX_BODY,
                                   default_value=s.reply_text, class_name="textarea"),
                    rx.el.button(rx.cond(s.busy, T("msg.sending"), T("msg.send")),
                                 type="submit", disabled=s.busy, class_name="btn btn-primary",
                                 id="send-reply"),
                    form_key=s.form_key, on_submit=s.send_reply, id="reply-form",
                ),
            ),
            rx.cond(s.may_share, rx.el.div(
                rx.el.p(rx.cond(s.shared, T("msg.share_on"), T("msg.share_off")),
                        class_name="muted", id="share-state"),
                rx.el.button(rx.cond(s.shared, T("msg.unshare"), T("msg.share")),
                             type="button", on_click=s.toggle_share,
                             class_name="btn btn-secondary", id="share"),
                class_name="space-top")),
            rx.cond(s.may_close, rx.cond(
                s.confirm_close,
                rx.el.div(
                    rx.el.p(T("msg.close_confirm"), class_name="strong"),
                    rx.el.button(T("msg.close_yes"), type="button", on_click=s.close,
                                 class_name="btn btn-primary", id="close-yes"),
                    rx.el.button(T("msg.close_no"), type="button", on_click=s.keep_open,
                                 class_name="btn btn-secondary space-top"),
                    role="group", class_name="confirm-box"),
                rx.el.button(T("msg.close"), type="button", on_click=s.ask_close,
                             class_name="btn btn-secondary space-top", id="close"))),
            urgent(),
        ),
    )


def notify_settings_page() -> rx.Component:
    s = NotifySettingsState

    def check(name: str, checked, label: str) -> rx.Component:
        return rx.el.label(rx.el.input(type="checkbox", name=name, value="1",
                                       default_checked=checked),
                           " ", T(label), class_name="check-row")

    return shell(
        page_link(T("msg.back"), href=routes.MESSAGES, class_name="inline-link"),
        rx.el.h1(T("notify.title")),
        rx.el.p(T("notify.intro"), class_name="lead"),
        _loaded(
            s.loaded,
            keyed_form(
                rx.el.fieldset(
                    rx.el.legend(T("notify.how")),
                    check("sms", s.sms, "notify.sms"),
                    check("email_on", s.email_on, "notify.email"),
                    rx.el.label(T("notify.email_address"), html_for="email",
                                class_name="field-label"),
                    rx.el.input(id="email", name="email", type="email", auto_complete="email",
                                default_value=s.email, max_length=254, class_name="input"),
                    check("push_on", s.push_on, "notify.push"),
                    class_name="fieldset",
                ),
                rx.el.button(T("notify.save"), type="submit", class_name="btn btn-primary",
                             id="save-notify"),
                form_key=s.form_key, on_submit=s.save, id="notify-form",
            ),
            rx.el.div(rx.cond(s.message != "", rx.el.p(s.message, class_name="notice")),
                      role="status"),
            rx.el.div(rx.cond(s.error != "", rx.el.p(s.error, class_name="error-box")),
                      role="alert"),
            rx.cond(s.push_available, rx.el.div(
                rx.el.h2(T("notify.device")),
                rx.el.p(T("notify.device_hint"), class_name="muted"),
                rx.el.button(T("notify.device_add"), type="button",
                             on_click=in_browser("() => window.digihelsePush()"),
                             class_name="btn btn-secondary", id="push-subscribe"),
                rx.el.p(id="push-result", data_texts=s.push_texts, aria_live="polite"),
                rx.cond(s.push_devices > 0, rx.el.button(
                    T("notify.devices_forget"), type="button", on_click=s.forget_devices,
                    class_name="btn btn-secondary space-top")),
                class_name="space-top")),
        ),
    )
