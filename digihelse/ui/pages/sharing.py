"""Del med partner: who can see her card, give a view (fullmakt) or take it back, and what
is hidden. Only the woman herself; anyone acting for her gets the friendly refusal."""

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.sharing import ReceivedRow, SectionToggle, ShareRow, SharingState

S = SharingState


def _person(row: ShareRow) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.name), class_name="share-name"),
        rx.el.p(row.since, " ", row.until),
        rx.cond(
            S.confirm_id == row.id,
            rx.el.div(
                rx.el.p(row.confirm_text, class_name="share-confirm"),
                rx.el.div(
                    rx.el.button(T("sharing.confirm.yes"), type="button",
                                 on_click=S.remove(row.id),
                                 class_name="btn nurse-btn-danger", id="confirm-remove"),
                    rx.el.button(T("sharing.confirm.no"), type="button",
                                 on_click=S.cancel_remove, class_name="btn btn-secondary"),
                    class_name="row-actions",
                ),
                role="group", aria_label=row.remove_label, class_name="confirm-box",
            ),
            rx.el.button(T("sharing.now.remove"), type="button", aria_label=row.remove_label,
                         on_click=S.ask_remove(row.id),
                         class_name="btn btn-secondary space-top"),
        ),
        class_name="card",
    )


def now_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("sharing.now.title"), id="now-title"),
        rx.cond(
            S.people.length() > 0,
            rx.el.ul(rx.foreach(S.people, _person), class_name="card-list", id="shared-with"),
            rx.el.p(T("sharing.now.none"), class_name="card", id="shared-with-none"),
        ),
        aria_labelledby="now-title",
    )


def _explanation() -> rx.Component:
    return rx.el.div(
        rx.el.p(T("sharing.give.what"), class_name="strong"),
        rx.el.ul(
            *[rx.el.li(T(key)) for key in ("sharing.give.view_only", "sharing.give.hidden",
                                            "sharing.give.only_card", "sharing.give.message",
                                            "sharing.give.age")],
            class_name="explain-list",
        ),
        class_name="notice", id="share-explain",
    )


def _field_error(field: str) -> rx.Component:
    return rx.cond(S.error_field == field,
                   rx.el.p(S.form_error, id=f"share-{field}-error", role="alert",
                           class_name="field-error"))


def give_form() -> rx.Component:
    nin_bad, until_bad = S.error_field == "nin", S.error_field == "until"
    return rx.el.form(
        rx.el.div(
            rx.el.label(T("sharing.give.nin"), html_for="share-nin", class_name="field-label"),
            rx.el.input(id="share-nin", name="nin", type="text", input_mode="numeric",
                        auto_complete="off", spell_check=False, default_value=S.nin,
                        aria_invalid=rx.cond(nin_bad, "true", "false"),
                        aria_describedby=rx.cond(nin_bad, "share-nin-error", ""),
                        class_name="input"),
            _field_error("nin"),
            class_name="field",
        ),
        rx.el.div(
            rx.el.label(T("sharing.give.until"), html_for="share-until",
                        class_name="field-label"),
            rx.el.p(T("sharing.give.until_hint"), id="share-until-hint",
                    class_name="muted small"),
            rx.el.input(id="share-until", name="until", type="date", min=S.today_iso,
                        default_value=S.until,
                        aria_invalid=rx.cond(until_bad, "true", "false"),
                        aria_describedby=rx.cond(until_bad,
                                                 "share-until-hint share-until-error",
                                                 "share-until-hint"),
                        class_name="input"),
            _field_error("until"),
            class_name="field",
        ),
        rx.cond((S.form_error != "") & (S.error_field == ""),
                rx.el.p(S.form_error, role="alert", class_name="field-error")),
        rx.el.button(rx.cond(S.busy, T("sharing.check.working"), T("sharing.give.button")),
                     type="submit", disabled=S.busy, aria_busy=S.busy.to_string(),
                     class_name="btn btn-primary space-top", id="give-access"),
        on_submit=S.check,
        class_name="card form", id="give-form", aria_labelledby="give-title",
    )


def check_step() -> rx.Component:
    """To whom, and what he will see, before anything is given."""
    return rx.el.div(
        rx.el.h3(S.check_title, id="share-check-title", tab_index=-1),
        rx.el.ul(rx.foreach(S.check_lines, lambda line: rx.el.li(line)),
                 class_name="explain-list"),
        rx.cond((S.form_error != "") & (S.error_field == ""),
                rx.el.p(S.form_error, role="alert", class_name="field-error")),
        rx.el.div(
            rx.el.button(rx.cond(S.busy, T("sharing.give.working"), T("sharing.check.confirm")),
                         type="button", on_click=S.give, disabled=S.busy,
                         aria_busy=S.busy.to_string(), class_name="btn btn-primary",
                         id="confirm-give"),
            rx.el.button(T("sharing.check.cancel"), type="button", on_click=S.cancel_check,
                         disabled=S.busy, class_name="btn btn-secondary", id="cancel-give"),
            class_name="row-actions",
        ),
        class_name="card confirm-box", id="share-check", role="group",
        aria_labelledby="share-check-title",
    )


def give_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("sharing.give.title"), id="give-title"),
        rx.cond(
            S.cannot_give != "",
            rx.el.p(S.cannot_give, class_name="notice"),
            rx.cond(S.check_title != "", check_step(),
                    rx.fragment(_explanation(), give_form())),
        ),
    )


def _toggle(row: SectionToggle) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", checked=row.hidden,
                    on_change=lambda checked: S.toggle_section(row.key, checked)),
        rx.el.span(row.label),
        class_name="check share-toggle",
    )


def hide_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("sharing.hide.title"), id="hide-title"),
        rx.el.p(T("sharing.hide.intro")),
        rx.el.div(
            rx.el.fieldset(
                rx.el.legend(T("sharing.hide.legend")),
                rx.foreach(S.sections, _toggle),
                class_name="fieldset", id="hidden-sections",
            ),
            class_name="card share-toggles",
        ),
        rx.el.p(S.hide_message, role="status", class_name="muted small", id="hide-status"),
        rx.el.p(T("sharing.hide.checkups"), " ",
                page_link(T("sharing.to_card"), href=routes.CARD),
                class_name="space-top share-hint"),
        aria_labelledby="hide-title",
    )


def _received(row: ReceivedRow) -> rx.Component:
    return rx.el.li(rx.el.p(rx.el.strong(row.name)), rx.el.p(row.line), class_name="card")


def received_section() -> rx.Component:
    return rx.cond(
        S.received.length() > 0,
        rx.el.section(
            rx.el.h2(T("sharing.received.title")),
            rx.el.ul(rx.foreach(S.received, _received), class_name="card-list",
                     id="received"),
            rx.el.p(T("sharing.received.hint"), class_name="muted"),
        ),
    )


def sharing_page() -> rx.Component:
    return shell(
        rx.el.h1(T("sharing.title")),
        loaded_or_error(
            S.loaded, S.error,
            rx.el.p(T("sharing.lead"), class_name="lead"),
            rx.el.div(rx.cond(S.message != "",
                              rx.el.p(S.message, class_name="notice", id="sharing-message")),
                      role="status"),
            rx.cond(
                S.has_own_card,
                rx.fragment(now_section(), give_section(), hide_section()),
                rx.el.p(T("sharing.no_card"), class_name="notice"),
            ),
            received_section(),
        ),
    )
