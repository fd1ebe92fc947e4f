"""The parts the card's forms share (the consultation, "Ny prøve", "Svangerskapet og
bakgrunn"): a form of uncontrolled inputs the state re-creates by its key, and the save bar
at the thumb with the button that says it is saving."""

from __future__ import annotations

import reflex as rx


def keyed_form(*children: rx.Component, form_key: rx.Var, **props) -> rx.Component:
    """A form whose inputs keep what was typed on an error; a new form_key re-creates it with
    other starting values (a row to correct, a fresh form)."""
    return rx.el.form(*children, key=form_key.to_string(), **props)


def save_bar(saving: rx.Var, label, saving_label, button_id: str,
             cancel: tuple[rx.Var, object, object] | None = None) -> rx.Component:
    """The submit button, disabled while saving; with `cancel` (shown when, its text, its
    handler) a button to leave a correction."""
    extra = () if cancel is None else (rx.cond(cancel[0], rx.el.button(
        cancel[1], type="button", on_click=cancel[2],
        class_name="btn btn-secondary space-top")),)
    return rx.el.div(
        rx.el.button(rx.cond(saving, saving_label, label), type="submit", disabled=saving,
                     class_name="btn btn-primary", id=button_id),
        *extra,
        class_name="sticky-action",
    )
