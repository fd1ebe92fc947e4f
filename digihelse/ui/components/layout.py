"""The mobile shell: skip link, header, main landmark, bottom navigation, footer."""

from __future__ import annotations

import reflex as rx

from digihelse.auth.runtime import QUICK_EXIT_PATH
from digihelse.core.i18n import LANG_NAMES, LANGS
from digihelse.ui import routes
from digihelse.ui.components.client_actions import client_actions, in_browser
from digihelse.ui.components.links import anchor_link, native_form, page_link
from digihelse.ui.components.texts import T
from digihelse.ui.state.session import SessionState

__all__ = ["T", "loaded_or_error", "shell"]  # pages take their words and frame from here

QUICK_EXIT_URL = "https://www.yr.no/"

# The citizen's bottom navigation; "Helsekort" comes between the second and third item
# for those with a pregnancy card.
NAV_ITEMS = [(routes.HOME, "nav.home", "⌂"), (routes.APPOINTMENTS, "nav.appointments", "◷"),
             (routes.MESSAGES, "nav.messages", "✉"), (routes.ACCESS_LOG, "nav.log", "☰")]


def language_switch() -> rx.Component:
    return rx.el.div(
        rx.el.label(T("shell.language"), html_for="lang-select", class_name="visually-hidden"),
        rx.el.select(
            *[rx.el.option(LANG_NAMES[code], value=code) for code in LANGS],
            id="lang-select",
            value=SessionState.lang,
            on_change=SessionState.set_lang,
            class_name="lang-select",
        ),
        class_name="lang-switch",
    )


# Ends the session (a keepalive request outlives the page), forgets this tab's token, and
# replaces this page in the history with the neutral site.
_QUICK_EXIT_SCRIPT = (
    f"() => {{ fetch('{QUICK_EXIT_PATH}', {{method: 'POST', keepalive: true, "
    "credentials: 'same-origin'}).catch(() => {});"
    "try { sessionStorage.clear(); } catch (e) {}"
    f"document.body.replaceChildren(); window.location.replace('{QUICK_EXIT_URL}'); }}")


def quick_exit() -> rx.Component:
    """"Lukk": leave at once for a neutral site and end the session on the way, so that
    nothing of hers is on screen, and Back does not return here (for pupils who need
    discretion). Without JavaScript the link still leaves."""
    return anchor_link(
        T("shell.quick_exit"),
        href=QUICK_EXIT_URL,
        aria_label=T("shell.quick_exit_label"),
        rel="noreferrer",
        on_click=in_browser(_QUICK_EXIT_SCRIPT).prevent_default,
        class_name="btn-link quick-exit",
        id="quick-exit",
    )


def logout_form() -> rx.Component:
    # A plain POST form: logout is an HTTP route that clears the HttpOnly cookie.
    return native_form(
        rx.el.button(T("shell.logout"), type="submit", class_name="btn-link"),
        action="/auth/logout",
        class_name="logout-form",
    )


def acting_for() -> rx.Component:
    """Whom the user acts for: a name, or a switcher when they may act for others."""
    return rx.el.div(
        rx.cond(
            SessionState.has_subjects,
            rx.fragment(
                rx.el.label(T("shell.acting_for"), html_for="acting-select",
                            class_name="acting-label"),
                rx.el.select(
                    rx.foreach(SessionState.subject_options, lambda o: rx.el.option(
                        o.label, value=o.key, disabled=~o.enabled)),
                    id="acting-select",
                    value=SessionState.acting_key,
                    on_change=SessionState.choose_subject,
                    class_name="acting-select",
                ),
            ),
            rx.el.p(
                rx.el.span(T("shell.acting_for"), ": "),
                rx.el.strong(SessionState.display_name, id="acting-for"),
                class_name="acting-for",
            ),
        ),
        rx.cond(SessionState.acting_explanation != "",
                rx.el.p(SessionState.acting_explanation, class_name="acting-explain",
                        id="acting-explain")),
        class_name="acting",
    )


def header(signed_in: bool = True) -> rx.Component:
    """The brand, language and session tools, and whom the user acts for. On a page only
    for the signed-in, the acting line's room is kept while the session loads, so the page
    does not jump down when it arrives (layout shift, issue #13)."""
    acting = rx.cond(SessionState.logged_in, acting_for())
    if signed_in:
        # "Lukk" keeps its place, unseen and out of reach (visibility), for those who get
        # none; "Logg ut" is a plain form that works before the session has loaded.
        tools = (rx.el.span(quick_exit(), class_name=rx.cond(
                     SessionState.show_quick_exit, "quick-exit-slot", "quick-exit-slot unseen")),
                 logout_form())
    else:
        tools = (rx.cond(SessionState.show_quick_exit, quick_exit()),
                 rx.cond(SessionState.logged_in, logout_form()))
    return rx.el.header(
        rx.el.div(
            page_link(T("app.name"), href="/", class_name="brand"),
            rx.el.div(
                language_switch(),
                *tools,
                class_name="header-tools",
            ),
            class_name="header-row",
        ),
        rx.el.div(acting, class_name="acting-slot") if signed_in else acting,
        class_name="site-header",
    )


def bottom_nav() -> rx.Component:
    def item(href: str, key: str, icon: str) -> rx.Component:
        return rx.el.li(page_link(
            rx.el.span(icon, class_name="nav-icon", aria_hidden="true"),
            rx.el.span(T(key)),
            href=href,
            class_name="nav-item",
        ))

    return rx.el.nav(
        rx.el.ul(
            *[item(href, key, icon) for href, key, icon in NAV_ITEMS[:2]],
            rx.cond(SessionState.has_card, item(routes.CARD, "nav.card", "♡")),
            *[item(href, key, icon) for href, key, icon in NAV_ITEMS[2:]],
            class_name="nav-list",
        ),
        aria_label=T("nav.label"),
        class_name="bottom-nav",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        page_link(T("footer.accessibility"), href=routes.ACCESSIBILITY),
        class_name="site-footer",
    )


def shell(*children: rx.Component, citizen_nav: bool = True,
          signed_in: bool = True) -> rx.Component:
    """A page: skip link, header, the page's content in <main>, and navigation.
    `signed_in` False for the pages anyone may open (front, accessibility, 404)."""
    show_nav = SessionState.logged_in & ~SessionState.is_personnel if citizen_nav else False
    return rx.el.div(
        anchor_link(T("shell.skip"), href="#main", class_name="skip-link"),
        header(signed_in),
        rx.el.main(*children, id="main", tab_index=-1, class_name="page"),
        footer(),
        client_actions(),
        rx.cond(show_nav, bottom_nav()) if citizen_nav else rx.fragment(),
        class_name=rx.cond(show_nav, "app has-nav", "app") if citizen_nav else "app",
    )


def loaded_or_error(loaded, error, *content: rx.Component) -> rx.Component:
    """A page's content once its data is in; in its place the reason, when it cannot be
    shown (no card, refused); "loading" until then."""
    return rx.cond(
        loaded,
        rx.cond(error != "", rx.el.p(error, role="alert", class_name="error-box"),
                rx.fragment(*content)),
        rx.el.p(T("home.loading"), role="status"),
    )
