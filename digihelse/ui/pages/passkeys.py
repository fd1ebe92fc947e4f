"""Passkey pages: the nurse's Aktivering, the pupil's /aktiver, her passkeys under
Innstillinger, and how to get MinID, in plain words. The ceremonies run in
assets/passkey.js, started by a button's data-passkey attribute."""

import reflex as rx

from digihelse.core.i18n.families import keyed
from digihelse.http.passkey import LOGIN_PATH, SCRIPT_TEXTS
from digihelse.ui import routes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import document_link, page_link
from digihelse.ui.pages.personnel import feedback, personnel_shell
from digihelse.ui.state.passkeys import NurseActivationState, PasskeyRow, PasskeysState

N = NurseActivationState


def _script_texts() -> rx.Component:
    """The words assets/passkey.js shows (it copies them into #passkey-message)."""
    return rx.fragment(*[rx.el.span(T(keyed("passkey.script", key)), id=f"passkey-text-{key}",
                                    hidden=True) for key in SCRIPT_TEXTS])


def _message_box() -> rx.Component:
    return rx.el.p(id="passkey-message", class_name="passkey-message", role="alert")


def _passkey_button(text_key: str, kind: str, **props) -> rx.Component:
    return rx.el.button(T(text_key), type="button", class_name="btn btn-primary space-top",
                        custom_attrs={"data-passkey": kind}, **props)


# --- the nurse's page ------------------------------------------------------------------------

def _issued() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("activation.code_for", name=N.code_for), id="code-title"),
        rx.el.p(T("activation.code_label"), class_name="muted"),
        rx.el.p(N.code, class_name="activation-code", id="activation-code-shown"),
        rx.el.img(src=N.qr, alt=T("activation.qr_alt"), class_name="activation-qr",
                  id="activation-qr"),
        rx.el.p(T("activation.valid_until", time=N.code_until), id="activation-expiry"),
        rx.el.p(T("activation.tell_pupil")),
        rx.el.button(T("activation.done"), type="button", on_click=N.done,
                     class_name="btn btn-secondary"),
        class_name="card", aria_labelledby="code-title", id="activation-issued",
    )


def _how(value: str, text_key: str) -> rx.Component:
    return rx.el.label(
        # Not controlled: a tap shows at once, and the form is new for every code.
        rx.el.input(type="radio", name="verified-how", value=value,
                    on_change=lambda _v: N.set_verified_how(value), id=f"how-{value}"),
        " ", T(text_key), class_name="check",
    )


def _form() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.label(T("activation.pupil"), html_for="activation-pupil",
                        class_name="field-label"),
            rx.el.select(
                rx.el.option(T("activation.pupil_choose"), value=""),
                rx.foreach(N.pupils, lambda p: rx.el.option(p.label, value=p.key)),
                id="activation-pupil", value=N.pupil_key, on_change=N.set_pupil,
                class_name="input"),
            class_name="field",
        ),
        rx.el.fieldset(
            rx.el.legend(T("activation.how"), class_name="field-label"),
            rx.el.p(T("activation.what_counts"), class_name="muted small"),
            _how("known", "activation.how_known"),
            _how("id_card", "activation.how_id_card"),
            class_name="field",
        ),
        rx.el.label(
            rx.el.input(type="checkbox", on_change=N.set_confirmed, id="activation-confirm"),
            " ", T("activation.confirm"), class_name="check",
        ),
        rx.cond(N.form_error != "",
                rx.el.p(N.form_error, role="alert", class_name="field-error",
                        id="activation-error")),
        rx.el.button(T("activation.make"), type="button", on_click=N.make_code,
                     class_name="btn btn-primary space-top", id="make-code"),
        class_name="card form", id="activation-form",
    )


def _onboarded_row(row: PasskeyRow) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.title)),
        rx.foreach(row.lines, lambda line: rx.el.p(line, class_name="muted small")),
        rx.el.button(T("activation.revoke"), type="button", aria_label=row.remove_label,
                     on_click=N.revoke(row.id), class_name="btn btn-secondary space-top"),
        class_name="card",
    )


def nurse_activation_page() -> rx.Component:
    return personnel_shell(
        "activation",
        rx.el.h1(T("activation.title")),
        rx.el.p(T("activation.intro"), class_name="lead"),
        rx.cond(
            N.loaded,
            rx.fragment(
                rx.cond(N.code != "", _issued(), _form()),
                rx.el.section(
                    rx.el.h2(T("activation.onboarded"), id="onboarded-title"),
                    rx.cond(N.onboarded.length() > 0,
                            rx.el.ul(rx.foreach(N.onboarded, _onboarded_row),
                                     class_name="card-list", id="onboarded"),
                            rx.el.p(T("activation.onboarded_none"))),
                    aria_labelledby="onboarded-title",
                ),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
        feedback(N.message, "", N.dismiss),
    )


# --- the pupil's /aktiver --------------------------------------------------------------------

def activate_page() -> rx.Component:
    return shell(
        rx.el.h1(T("activate.title")),
        rx.el.p(T("activate.intro"), class_name="lead"),
        rx.el.div(
            rx.el.label(T("activate.code"), html_for="activation-code", class_name="field-label"),
            rx.el.p(T("activate.code_hint"), id="activation-code-hint", class_name="muted small"),
            # assets/passkey.js fills it from the QR code's link (?kode=), in the browser
            # only: no state holds a code.
            rx.el.input(id="activation-code", name="code", type="text", auto_complete="off",
                        auto_capitalize="characters", spell_check=False, max_length=12,
                        aria_describedby="activation-code-hint", class_name="input"),
            class_name="field",
        ),
        _message_box(),
        _passkey_button("activate.button", "activate", id="activate-button"),
        rx.el.p(T("activate.what_next"), class_name="muted space-top"),
        rx.el.p(page_link(T("activate.minid"), href=routes.MINID_HELP)),
        _script_texts(),
        signed_in=False,
    )


# --- her passkeys ----------------------------------------------------------------------------

P = PasskeysState


def _row(row: PasskeyRow) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.title)),
        rx.foreach(row.lines, lambda line: rx.el.p(line, class_name="muted small")),
        rx.cond(
            P.confirm_id == row.id,
            rx.el.div(
                rx.el.p(T("passkeys.confirm")),
                rx.el.div(
                    rx.el.button(T("passkeys.confirm_yes"), type="button",
                                 on_click=P.remove(row.id), id="confirm-remove-passkey",
                                 class_name="btn nurse-btn-danger"),
                    rx.el.button(T("sharing.confirm.no"), type="button",
                                 on_click=P.cancel_remove, class_name="btn btn-secondary"),
                    class_name="row-actions"),
                role="group", aria_label=row.remove_label, class_name="confirm-box"),
            rx.el.button(T("passkeys.remove"), type="button", aria_label=row.remove_label,
                         on_click=P.ask_remove(row.id), class_name="btn btn-secondary space-top"),
        ),
        class_name="card",
    )


def passkeys_page() -> rx.Component:
    return shell(
        rx.el.h1(T("passkeys.title")),
        rx.el.p(T("passkeys.intro"), class_name="lead"),
        rx.cond(
            P.loaded,
            rx.fragment(
                rx.el.div(rx.cond(P.message != "", rx.el.p(P.message, class_name="notice")),
                          role="status", id="passkeys-status"),
                rx.cond(P.rows.length() > 0,
                        rx.el.ul(rx.foreach(P.rows, _row), class_name="card-list",
                                 id="passkey-list"),
                        rx.el.p(T("passkeys.none"), class_name="card", id="passkey-none")),
                rx.cond(P.nurse_note, rx.el.div(
                    rx.el.p(T("passkeys.nurse_note")),
                    rx.el.p(T("passkeys.turning_16")),
                    class_name="notice", id="passkey-nurse-note")),
                rx.el.h2(T("passkeys.add_title")),
                rx.cond(
                    P.can_add,
                    rx.fragment(
                        rx.el.p(T("passkeys.add_text")),
                        _message_box(),
                        _passkey_button("passkeys.add", "add", id="add-passkey"),
                        _script_texts(),
                    ),
                    rx.el.p(T("passkeys.add_needs_eid")),
                ),
            ),
            rx.el.p(T("home.loading"), role="status"),
        ),
    )


# --- how to get MinID ------------------------------------------------------------------------

def minid_help_page() -> rx.Component:
    return shell(
        rx.el.h1(T("minid.title")),
        rx.el.p(T("minid.intro"), class_name="lead"),
        rx.el.h2(T("minid.what.title")),
        rx.el.p(T("minid.what.text")),
        rx.el.h2(T("minid.ways.title")),
        rx.el.ol(rx.el.li(T("minid.ways.letter")), rx.el.li(T("minid.ways.passport")),
                 class_name="explain-list"),
        rx.el.h2(T("minid.need.title")),
        rx.el.p(T("minid.need.text")),
        rx.el.h2(T("minid.time.title")),
        rx.el.p(T("minid.time.text")),
        rx.el.h2(T("minid.meanwhile.title")),
        rx.el.p(T("minid.meanwhile.text")),
        rx.el.p(page_link(T("minid.activate"), href=routes.ACTIVATE)),
        rx.el.p(document_link(T("minid.passkey_login"), href=LOGIN_PATH)),
        signed_in=False,
    )
