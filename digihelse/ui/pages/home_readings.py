"""Mine målinger: the blood pressure and weight she measures at home ("målt selv"), one
short form (date and time are now unless she changes them), and her readings as a list she
can correct or delete. A reading at or above 140/90 brings a calm message with what to do,
in a status region a screen reader announces. Her midwife and GP see the same list on the
card, marked as measured by her."""

from __future__ import annotations

import reflex as rx

from digihelse.healthcard.validation import NO_READING
from digihelse.ui import routes
from digihelse.ui.components.forms import keyed_form, save_bar
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.presenters.home_readings import ReadingRow
from digihelse.ui.state.home_readings import HomeReadingsState

H = HomeReadingsState


def _field(name: str, label_key: str, *, kind: str = "text", mode: str = "numeric",
           hint_key: str | None = None, size: int = 6) -> rx.Component:
    bad = H.field_errors.contains(name)
    hint = f"home-{name}-hint" if hint_key else ""
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"home-{name}", class_name="field-label"),
        rx.el.p(T(hint_key), class_name="muted small", id=hint) if hint_key else rx.fragment(),
        rx.el.input(id=f"home-{name}", name=name, type=kind, input_mode=mode,
                    auto_complete="off", default_value=H.values[name].to(str),
                    max_length=size, class_name="input",
                    aria_invalid=rx.cond(bad, "true", "false"),
                    aria_describedby=rx.cond(bad, f"home-{name}-error {hint}".strip(), hint)),
        rx.cond(bad, rx.el.p(H.field_errors[name].to(str), id=f"home-{name}-error",
                             class_name="field-error")),
        class_name="field",
    )


def reading_form() -> rx.Component:
    return keyed_form(
        rx.el.h2(rx.cond(H.editing_id != 0, T("card.home.form.edit"), T("card.home.form.new")),
                 id="home-form-title"),
        rx.el.p(T("card.home.form.hint"), class_name="muted small"),
        rx.el.div(
            _field("measured_on", "card.home.field.date", kind="date", mode="none", size=10),
            _field("measured_time", "card.home.field.time", kind="time", mode="none", size=5),
            class_name="home-fields",
        ),
        rx.el.fieldset(
            rx.el.legend(T("card.home.field.bp")),
            rx.el.div(
                _field("bp_systolic", "card.home.field.systolic", size=3),
                _field("bp_diastolic", "card.home.field.diastolic", size=3),
                class_name="home-fields",
            ),
            _field("pulse", "card.home.field.pulse", size=3),
            class_name="fieldset field",
        ),
        _field("weight_kg", "card.home.field.weight", mode="decimal", size=6),
        rx.el.input(type="hidden", name="version", value=H.values["version"].to(str)),
        rx.cond(H.field_errors.contains(NO_READING),
                rx.el.p(H.field_errors[NO_READING].to(str), id="home-form-error",
                        tab_index=-1, class_name="field-error")),
        save_bar(H.saving, T("card.home.save"), T("card.home.saving"), "home-save",
                 cancel=(H.editing_id != 0, T("card.home.cancel_edit"), H.cancel_edit)),
        form_key=H.form_key, on_submit=H.save, id="home-form", class_name="card form",
        aria_labelledby="home-form-title",
    )


def advice() -> rx.Component:
    """The calm message for a reading at or above 140/90: what to do today, and when to
    call 113 (the symptoms in plain words). Always in the page, so that a screen reader
    announces what appears in it."""
    return rx.el.div(
        rx.cond(H.advice_bp != "", rx.el.div(
            rx.el.p(rx.el.strong(T("card.home.advice.reading", bp=H.advice_bp))),
            rx.el.p(T("card.home.advice.today")),
            rx.el.p(T("card.home.advice.call_113")),
            rx.el.ul(rx.el.li(T("card.home.advice.headache")),
                     rx.el.li(T("card.home.advice.vision")),
                     rx.el.li(T("card.home.advice.ribs")),
                     rx.el.li(T("card.home.advice.swelling"))),
            rx.el.p(rx.el.a(T("card.home.advice.call_113_link"), href="tel:113",
                            class_name="inline-link", id="home-call-113")),
            rx.el.p(T("card.home.advice.where")),
            class_name="advice",
        )),
        rx.cond(H.message != "", rx.el.p(H.message, class_name="notice")),
        role="status", id="home-advice", class_name="home-advice",
    )


def _row(row: ReadingRow, owner: bool) -> rx.Component:
    actions = rx.cond(
        H.confirm_delete_id == row.id,
        rx.el.div(
            rx.el.p(T("card.home.delete_confirm"), class_name="strong"),
            rx.el.button(T("card.home.delete_yes"), type="button", on_click=H.delete,
                         class_name="btn nurse-btn-danger"),
            rx.el.button(T("card.home.delete_no"), type="button", on_click=H.keep,
                         class_name="btn btn-secondary"),
            class_name="confirm-box", role="group"),
        rx.el.div(
            rx.el.button(T("card.home.edit"), type="button", on_click=H.edit(row.id),
                         class_name="btn-link"),
            rx.el.button(T("card.home.delete"), type="button", on_click=H.ask_delete(row.id),
                         class_name="btn-link"),
            class_name="note-actions no-print"),
    ) if owner else rx.fragment()
    return rx.el.li(
        rx.el.p(rx.el.span(T("card.home.marked"), class_name="home-badge"), " ",
                rx.el.span(row.when, class_name="muted small")),
        rx.foreach(row.lines, lambda line: rx.el.p(line)),
        rx.cond(row.high, rx.el.p(T("card.home.high"), class_name="small reading-high")),
        actions,
        class_name="card",
    )


def reading_list(owner: bool = False, list_id: str = "home-readings") -> rx.Component:
    return rx.cond(
        H.rows.length() > 0,
        rx.el.ul(rx.foreach(H.rows, lambda row: _row(row, owner)), class_name="card-list",
                 id=list_id),
        rx.el.p(T("card.home.none")),
    )


def carer_section() -> rx.Component:
    """On the midwife's and GP's view of the card: her readings, marked as hers."""
    return rx.cond(H.loaded & (H.error == ""), rx.el.section(
        rx.el.h2(T("card.home.carer_title"), id="carer-home-title"),
        rx.el.p(T("card.home.carer_intro"), class_name="muted"),
        reading_list(list_id="carer-home-list"),
        id="carer-home-readings", aria_labelledby="carer-home-title",
    ))


def home_readings_page() -> rx.Component:
    return shell(
        rx.el.p(page_link(T("card.home.back"), href=routes.CARD)),
        rx.el.h1(T("card.home.title")),
        loaded_or_error(
            H.loaded, H.error,
            rx.cond(
                H.may_edit,
                rx.fragment(
                    rx.el.p(T("card.home.intro")),
                    rx.el.p(T("card.home.who_sees"), " ",
                            page_link(T("card.home.share_link"), href=routes.SHARE,
                                      class_name="inline-link"),
                            class_name="notice", id="home-who"),
                    reading_form(),
                    advice(),
                    rx.el.h2(T("card.home.list_title"), id="home-list-title"),
                    reading_list(owner=True),
                ),
                rx.fragment(rx.el.h2(T("card.home.list_title")), reading_list()),
            ),
        ),
    )
