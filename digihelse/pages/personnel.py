"""The personnel landing page ("I dag")."""

import reflex as rx

from digihelse.components.layout import T, shell
from digihelse.state.session import SessionState


def personnel_home_page() -> rx.Component:
    return shell(
        rx.cond(
            SessionState.logged_in,
            rx.fragment(
                rx.el.h1(T["personnel.hello"].replace("{name}", SessionState.given_name)),
                rx.el.p(SessionState.organisation, class_name="lead"),
                rx.el.p(T["personnel.hpr"], ": ", SessionState.hpr_number, class_name="muted"),
            ),
            rx.el.p(T["home.loading"], role="status"),
        ),
        citizen_nav=False,
    )
