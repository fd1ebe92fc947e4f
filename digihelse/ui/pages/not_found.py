"""The page for an address that does not exist: in the reader's language, with a way home."""

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import page_link
from digihelse.ui.state.session import SessionState


def not_found_page() -> rx.Component:
    home = rx.cond(SessionState.is_personnel, routes.PERSONNEL_HOME,
                   rx.cond(SessionState.logged_in, routes.HOME, routes.FRONT))
    return shell(
        rx.el.h1(T("notfound.title")),
        rx.el.p(T("notfound.text"), class_name="lead"),
        page_link(T("notfound.home"), href=home, class_name="btn btn-primary",
                  id="not-found-home"),
        signed_in=False,
    )
