"""Booked times a schedule change keeps, as a list the nurse works through: each links to
its day, where she cancels or moves the booking."""

import reflex as rx

from digihelse.ui.components.layout import T
from digihelse.ui.components.links import page_link
from digihelse.ui.presenters.nurse_schedule import ConflictRow


def _conflict(row: ConflictRow) -> rx.Component:
    return rx.el.li(page_link(row.label, href=row.href))


def conflict_list(rows, box_id: str) -> rx.Component:
    """Booked times a change keeps: the nurse must cancel or move each booking."""
    return rx.cond(
        rows.length() > 0,
        rx.el.div(
            rx.el.p(T("sched.conflicts"), class_name="strong"),
            rx.el.ul(rx.foreach(rows, _conflict), class_name="conflict-list"),
            rx.el.p(T("sched.conflicts_todo")),
            class_name="nurse-warning", id=box_id,
        ),
    )
