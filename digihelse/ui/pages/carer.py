"""Midwives and GPs: "Mine gravide", and one woman's card with the consultation form."""

import reflex as rx

from digihelse.core.i18n.families import keyed
from digihelse.healthcard.models import Presentation, UrineProtein
from digihelse.people.nin import NIN_LENGTH
from digihelse.ui.components.forms import keyed_form, save_bar
from digihelse.ui.components.layout import T, loaded_or_error
from digihelse.ui.components.links import page_link
from digihelse.ui.pages.card import (
    background,
    charts,
    history,
    note_list,
    overview,
    schedule,
    tests,
    timeline,
)
from digihelse.ui.pages.personnel import personnel_shell
from digihelse.ui.routes import CARER_ENDING, CARER_LIST
from digihelse.ui.state.card import CarerState


def _woman(row: dict) -> rx.Component:
    return rx.el.li(rx.el.button(
        rx.el.span(row["name"], class_name="big-card-title"),
        rx.el.span(row["line"]),
        rx.cond(row["questions"] != "", rx.el.span(row["questions"], class_name="badge")),
        type="button", on_click=CarerState.open_card(row["key"]), class_name="list-button",
    ))


def create_form() -> rx.Component:
    return rx.el.details(
        rx.el.summary(T("card.create.title")),
        rx.el.form(
            rx.el.label(T("card.create.pid"), html_for="c-pid", class_name="field-label"),
            rx.el.input(id="c-pid", name="pid", input_mode="numeric", auto_complete="off",
                        max_length=NIN_LENGTH, class_name="input"),
            rx.el.label(T("card.field.last_period"), html_for="c-lmp", class_name="field-label"),
            rx.el.input(id="c-lmp", name="last_period", type="date", class_name="input"),
            rx.cond(CarerState.create_error != "",
                    rx.el.p(CarerState.create_error, role="alert", class_name="field-error")),
            rx.el.button(T("card.create.button"), type="submit",
                         class_name="btn btn-primary space-top"),
            on_submit=CarerState.create_card,
        ),
        class_name="card",
    )


def carer_list_page() -> rx.Component:
    return personnel_shell(
        "women",
        rx.el.h1(T("card.mine.title")),
        create_form(),
        rx.cond(
            CarerState.loaded,
            rx.cond(CarerState.women.length() > 0,
                    rx.el.ul(rx.foreach(CarerState.women, _woman), class_name="card-list",
                             id="my-women"),
                    rx.el.p(T("card.mine.empty"))),
            rx.el.p(T("home.loading"), role="status"),
        ),
    )


def _field(name: str, label_key: str, *, kind: str = "text", mode: str = "decimal",
           hint_key: str | None = None, **props) -> rx.Component:
    error = CarerState.field_errors[name].to(str)
    has_error = CarerState.field_errors.contains(name)
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"f-{name}", class_name="field-label"),
        rx.el.p(T(hint_key), class_name="muted small", id=f"f-{name}-hint") if hint_key
        else rx.fragment(),
        rx.el.input(id=f"f-{name}", name=name, type=kind, input_mode=mode,
                    default_value=CarerState.values[name].to(str),
                    aria_invalid=rx.cond(has_error, "true", "false"),
                    aria_describedby=rx.cond(has_error, f"f-{name}-error", ""),
                    class_name="input", **props),
        rx.cond(has_error, rx.el.p(error, id=f"f-{name}-error", class_name="field-error")),
        class_name="field",
    )


def _select(name: str, label_key: str, options: list[tuple[str, rx.Var | str]]) -> rx.Component:
    has_error = CarerState.field_errors.contains(name)
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"f-{name}", class_name="field-label"),
        rx.el.select(
            rx.el.option(T("card.form.choose"), value=""),
            *[rx.el.option(text, value=value) for value, text in options],
            id=f"f-{name}", name=name, class_name="input",
            default_value=CarerState.values[name].to(str),
            aria_invalid=rx.cond(has_error, "true", "false"),
        ),
        rx.cond(has_error, rx.el.p(CarerState.field_errors[name].to(str),
                                   class_name="field-error")),
        class_name="field",
    )


def consultation_form() -> rx.Component:
    urine = [(u.value, T(keyed("card.urine", u.value))) for u in UrineProtein]
    presentation = [(p.value, T(keyed("card.presentation", p.value))) for p in Presentation]
    return keyed_form(
        rx.el.h2(rx.cond(CarerState.editing_id != 0, T("card.consultation.edit"),
                         T("card.consultation.new")), id="new-consultation"),
        _field("held_on", "card.field.held_on", kind="date", mode="none"),
        _field("weight_kg", "card.field.weight_kg"),
        rx.el.div(
            _field("bp_systolic", "card.field.bp_systolic", mode="numeric"),
            _field("bp_diastolic", "card.field.bp_diastolic", mode="numeric"),
            class_name="two-fields",
        ),
        _select("urine_protein", "card.field.urine_protein", urine),
        _select("oedema", "card.field.oedema", [(str(n), str(n)) for n in range(4)]),
        _field("sf_height_cm", "card.field.sf_height_cm", hint_key="card.form.sf_hint"),
        _field("heart_rate", "card.field.heart_rate", mode="numeric"),
        _select("presentation", "card.field.presentation", presentation),
        _select("movements", "card.field.movements",
                [("yes", T("card.form.yes")), ("no", T("card.form.no"))]),
        rx.el.div(
            rx.el.label(T("card.field.note"), html_for="f-note", class_name="field-label"),
            rx.el.textarea(id="f-note", name="note", rows=3, class_name="textarea",
                           default_value=CarerState.values["note"].to(str)),
            class_name="field",
        ),
        rx.cond(CarerState.editing_id != 0, _field("reason", "card.field.reason", mode="text")),
        rx.el.label(rx.el.input(type="checkbox", name="hidden_from_proxy", value="1"),
                    " ", T("card.field.hidden_from_proxy"), class_name="check"),
        rx.cond(CarerState.form_message != "",
                rx.el.p(CarerState.form_message,
                        role=rx.cond(CarerState.field_errors.length() > 0, "alert", "status"),
                        class_name=rx.cond(CarerState.field_errors.length() > 0, "error-box",
                                           "notice"),
                        id="form-message")),
        save_bar(CarerState.saving, T("card.consultation.save"), T("card.consultation.saving"),
                 "save-consultation", cancel=(CarerState.editing_id != 0,
                                              T("card.consultation.cancel_edit"),
                                              CarerState.cancel_edit)),
        on_submit=CarerState.save_consultation,
        form_key=CarerState.form_key,
        id="consultation-form",
        class_name="card form",
        aria_labelledby="new-consultation",
    )


def _correct_buttons() -> rx.Component:
    return rx.el.ul(
        rx.foreach(CarerState.consultations, lambda row: rx.el.li(rx.el.button(
            T("card.consultation.correct"), " ", row.title, type="button",
            on_click=CarerState.start_edit(row.id), class_name="btn-inline"))),
        class_name="plain-list",
    )


def carer_card_page() -> rx.Component:
    # "Ny prøve" and "Endre svangerskap og bakgrunn" (pages/carer_forms.py).
    from digihelse.ui.pages.birth_plan import carer_section as birth_plan_for_carer
    from digihelse.ui.pages.carer_forms import card_links

    return personnel_shell(
        "card",
        page_link(T("card.back_to_list"), href=CARER_LIST, class_name="back-link"),
        rx.el.h1(CarerState.woman_name),
        loaded_or_error(
            CarerState.loaded, CarerState.error,
            overview(CarerState),
            rx.el.section(rx.el.h2(T("card.notes.from_her")), note_list(CarerState)),
            birth_plan_for_carer(),
            rx.cond(CarerState.can_edit, rx.fragment(card_links(), consultation_form())),
            # When the pregnancy ended: record it, or correct it (pages/carer_ending.py).
            rx.cond(CarerState.can_edit, page_link(
                rx.cond(CarerState.ending_line != "", T("cforms.end.correct_link"),
                        T("cforms.end.link")),
                href=CARER_ENDING, class_name="btn btn-secondary", id="record-ending")),
            timeline(CarerState),
            rx.cond(CarerState.can_edit & (CarerState.consultations.length() > 0),
                    rx.el.details(rx.el.summary(T("card.consultation.correct_title")),
                                  _correct_buttons(), class_name="card")),
            charts(CarerState),
            schedule(CarerState),
            tests(CarerState),
            background(CarerState),
            history(CarerState),
        ),
    )
