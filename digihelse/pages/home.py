"""The citizen's home screen after login."""

import reflex as rx

from digihelse.components.layout import T, shell
from digihelse.state.session import SessionState


def home_page() -> rx.Component:
    return shell(
        rx.cond(
            SessionState.logged_in,
            rx.el.h1(T["home.hello"].replace("{name}", SessionState.given_name)),
            rx.el.p(T["home.loading"], role="status"),
        ),
    )
