"""The front page: what the service is, in plain words, and a login button."""

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.components.layout import T, shell
from digihelse.ui.components.links import document_link, page_link


def _service(title_key: str, text_key: str) -> rx.Component:
    return rx.el.li(rx.el.h3(T(title_key)), rx.el.p(T(text_key)), class_name="card")


def front_page() -> rx.Component:
    return shell(
        rx.el.h1(T("front.title")),
        rx.el.p(T("front.intro"), class_name="lead"),
        document_link(T("front.login"), href=f"/auth/login?next={routes.HOME}",
                class_name="btn btn-primary", id="login"),
        rx.el.p(T("front.login_hint"), class_name="hint"),
        document_link(T("front.passkey_login"), href=f"/auth/passkey/login?next={routes.HOME}",
                      class_name="btn btn-secondary", id="passkey-login-link"),
        rx.el.p(page_link(T("front.no_minid"), href=routes.MINID_HELP), " · ",
                page_link(T("front.have_code"), href=routes.ACTIVATE)),
        rx.el.section(
            rx.el.h2(T("front.services"), id="services-heading"),
            rx.el.ul(
                _service("front.youth.title", "front.youth.text"),
                _service("front.family.title", "front.family.text"),
                _service("front.pregnant.title", "front.pregnant.text"),
                class_name="card-list",
            ),
            aria_labelledby="services-heading",
        ),
        rx.el.p(document_link(T("front.personnel"),
                        href=f"/auth/personnel/login?next={routes.PERSONNEL_HOME}")),
        signed_in=False,
    )
