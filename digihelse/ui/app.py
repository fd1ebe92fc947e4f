"""The DigiHelse app: pages, HTTP routes and start-up checks."""

import reflex as rx

from digihelse.background import background_jobs
from digihelse.core import logredact
from digihelse.core.settings import get_settings
from digihelse.http.app import build_api
from digihelse.ui import routes
from digihelse.ui.pages.access_log import access_log_page
from digihelse.ui.pages.accessibility import accessibility_page
from digihelse.ui.pages.appointments import appointments_page
from digihelse.ui.pages.booking import booking_page
from digihelse.ui.pages.card import card_page
from digihelse.ui.pages.carer import carer_card_page, carer_list_page
from digihelse.ui.pages.front import front_page
from digihelse.ui.pages.home import home_page
from digihelse.ui.pages.not_found import not_found_page
from digihelse.ui.pages.personnel_routes import add_personnel_pages
from digihelse.ui.pages.sharing import sharing_page
from digihelse.ui.state.access_log import AccessLogState
from digihelse.ui.state.appointments import AppointmentsState
from digihelse.ui.state.booking import BookingState
from digihelse.ui.state.card import CardState, CarerState
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.guard import SessionGuard
from digihelse.ui.state.home import HomeState
from digihelse.ui.state.session import SessionState
from digihelse.ui.state.sharing import SharingState
from digihelse.ui.state.tab_endings import end_stale_tabs
from digihelse.ui.tabs.bounds import install_tab_bounds

logredact.install()  # before the app logs anything: no cookie, token or id number in any line
get_settings()  # refuse to start with unsafe settings (e.g. a test provider in production)

app = rx.App(
    stylesheets=["/digihelse.css"],
    html_lang="nb",
    api_transformer=build_api(),
    head_components=[rx.el.meta(name="theme-color", content="#005a70")],
)
# Before every event handler: the live session behind the cookie, or nothing happens.
app.add_middleware(SessionGuard(), index=0)
install_tab_bounds(app)  # tabs forgotten in minutes or with their session; tabs per address capped
app.register_lifespan_task(background_jobs)
app.register_lifespan_task(end_stale_tabs)
app.add_page(front_page, route=routes.FRONT, title="DigiHelse", on_load=SessionState.load_public)
# Reflex's own 404 is English and has no way back; ours follows the language and the login.
app.add_page(not_found_page, route="404", title="DigiHelse – Fant ikke siden",
             on_load=SessionState.load_public)
app.add_page(home_page, route=routes.HOME, title="DigiHelse – Hjem",
             on_load=[SessionState.load_citizen, HomeState.load])
app.add_page(booking_page, route=routes.BOOK, title="DigiHelse – Bestill time",
             on_load=[SessionState.load_citizen, BookingState.load])
app.add_page(appointments_page, route=routes.APPOINTMENTS, title="DigiHelse – Timer",
             on_load=[SessionState.load_citizen, AppointmentsState.load])
add_personnel_pages(app)
app.add_page(accessibility_page, route=routes.ACCESSIBILITY,
             title="DigiHelse – Tilgjengelighetserklæring", on_load=SessionState.load_public)
app.add_page(access_log_page, route=routes.ACCESS_LOG,
             title="DigiHelse – Hvem har sett opplysningene mine",
             on_load=[SessionState.load_citizen, AccessLogState.load])
app.add_page(card_page, route=routes.CARD, title="DigiHelse – Helsekort",
             on_load=[SessionState.load_citizen, CardState.load])
app.add_page(sharing_page, route=routes.SHARE, title="DigiHelse – Del med partner",
             on_load=[SessionState.load_citizen, SharingState.load])
app.add_page(carer_list_page, route=routes.CARER_LIST, title="DigiHelse – Mine gravide",
             on_load=[SessionState.load_personnel, CarerState.load_list])
app.add_page(carer_card_page, route=routes.CARER_CARD, title="DigiHelse – Helsekort",
             on_load=[SessionState.load_personnel, CarerState.load_card,
                      CarerFormsState.card_shown])
