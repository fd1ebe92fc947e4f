"""The DigiHelse app: pages, HTTP routes and start-up checks."""

import reflex as rx

from digihelse.background import background_jobs
from digihelse.core import broadcast, logredact
from digihelse.core.settings import get_settings
from digihelse.http.app import build_api
from digihelse.ui import routes
from digihelse.ui.pages.access_log import access_log_page
from digihelse.ui.pages.accessibility import accessibility_page
from digihelse.ui.pages.appointments import appointments_page
from digihelse.ui.pages.birth_plan import birth_plan_page
from digihelse.ui.pages.booking import booking_page
from digihelse.ui.pages.card import card_page
from digihelse.ui.pages.carer import carer_card_page, carer_list_page
from digihelse.ui.pages.carer_ending import ending_page
from digihelse.ui.pages.carer_forms import lab_page, pregnancy_page
from digihelse.ui.pages.front import front_page
from digihelse.ui.pages.home import home_page
from digihelse.ui.pages.inbox import inbox_page, staff_conversation_page
from digihelse.ui.pages.messages import (
    conversation_page,
    messages_page,
    new_message_page,
    notify_settings_page,
)
from digihelse.ui.pages.not_found import not_found_page
from digihelse.ui.pages.nurse_schedule import nurse_schedule_page
from digihelse.ui.pages.nurse_week import nurse_week_page
from digihelse.ui.pages.passkeys import (
    activate_page,
    minid_help_page,
    nurse_activation_page,
    passkeys_page,
)
from digihelse.ui.pages.personnel import personnel_home_page
from digihelse.ui.pages.sharing import sharing_page
from digihelse.ui.state.access_log import AccessLogState
from digihelse.ui.state.appointments import AppointmentsState
from digihelse.ui.state.birth_plan import BirthPlanState
from digihelse.ui.state.booking import BookingState
from digihelse.ui.state.card import CardState, CarerState
from digihelse.ui.state.carer_forms import CarerFormsState
from digihelse.ui.state.ending_form import EndingFormState
from digihelse.ui.state.guard import SessionGuard
from digihelse.ui.state.home import HomeState
from digihelse.ui.state.lab_form import LabFormState
from digihelse.ui.state.messages import (
    ConversationState,
    InboxState,
    MessagesState,
    NewMessageState,
    NotifySettingsState,
    StaffConversationState,
)
from digihelse.ui.state.nurse import NurseDayState
from digihelse.ui.state.nurse_schedule import NurseScheduleState
from digihelse.ui.state.nurse_week import NurseWeekState
from digihelse.ui.state.passkeys import NurseActivationState, PasskeysState
from digihelse.ui.state.pregnancy_form import PregnancyFormState
from digihelse.ui.state.school_holidays import SchoolHolidayState
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
    head_components=[rx.el.meta(name="theme-color", content="#005a70"),
                     rx.el.script(src="/layout.js", defer=True),
                     rx.el.script(src="/passkey.js", defer=True),
                     rx.el.script(src="/push.js", defer=True)],
)
# Before every event handler: the live session behind the cookie, or nothing happens.
app.add_middleware(SessionGuard(), index=0)
install_tab_bounds(app)  # tabs forgotten in minutes or with their session; tabs per address capped
app.register_lifespan_task(background_jobs)
app.register_lifespan_task(end_stale_tabs)
# Changes on any worker reach this worker's listeners (the nurse's live day view).
app.register_lifespan_task(broadcast.follow)
# Every page, in one table: what it shows, its path, its title, and its on_load (the
# session check for its audience first, then the page's own data).
PUBLIC, CITIZEN, PERSONNEL = (SessionState.load_public, SessionState.load_citizen,
                              SessionState.load_personnel)
PAGES = (
    (front_page, routes.FRONT, "DigiHelse", [PUBLIC]),
    # Reflex's own 404 is English and has no way back; ours follows the language and login.
    (not_found_page, "404", "DigiHelse – Fant ikke siden", [PUBLIC]),
    (home_page, routes.HOME, "DigiHelse – Hjem", [CITIZEN, HomeState.load]),
    (booking_page, routes.BOOK, "DigiHelse – Bestill time", [CITIZEN, BookingState.load]),
    (appointments_page, routes.APPOINTMENTS, "DigiHelse – Timer",
     [CITIZEN, AppointmentsState.load]),
    (personnel_home_page, routes.PERSONNEL_HOME, "DigiHelse – I dag",
     [PERSONNEL, NurseDayState.load]),
    (nurse_schedule_page, routes.PERSONNEL_SCHEDULE, "DigiHelse – Min timeplan",
     [PERSONNEL, NurseScheduleState.load, SchoolHolidayState.load]),
    (nurse_week_page, routes.PERSONNEL_WEEK, "DigiHelse – Uke", [PERSONNEL, NurseWeekState.load]),
    (lab_page, routes.CARER_LAB, "DigiHelse – Ny prøve", [PERSONNEL, LabFormState.load_lab]),
    (pregnancy_page, routes.CARER_PREGNANCY, "DigiHelse – Svangerskapet og bakgrunn",
     [PERSONNEL, PregnancyFormState.load_pregnancy]),
    (ending_page, routes.CARER_ENDING, "DigiHelse – Svangerskapet er avsluttet",
     [PERSONNEL, EndingFormState.load_ending]),
    (accessibility_page, routes.ACCESSIBILITY, "DigiHelse – Tilgjengelighetserklæring",
     [PUBLIC]),
    (access_log_page, routes.ACCESS_LOG, "DigiHelse – Hvem har sett opplysningene mine",
     [CITIZEN, AccessLogState.load]),
    (card_page, routes.CARD, "DigiHelse – Helsekort", [CITIZEN, CardState.load]),
    (sharing_page, routes.SHARE, "DigiHelse – Del med partner", [CITIZEN, SharingState.load]),
    (carer_list_page, routes.CARER_LIST, "DigiHelse – Mine gravide",
     [PERSONNEL, CarerState.load_list]),
    (birth_plan_page, routes.BIRTH_PLAN, "DigiHelse – Ønsker for fødselen",
     [CITIZEN, BirthPlanState.load]),
    (carer_card_page, routes.CARER_CARD, "DigiHelse – Helsekort",
     [PERSONNEL, CarerState.load_card, CarerFormsState.card_shown,
      BirthPlanState.load_for_carer]),
    (nurse_activation_page, routes.PERSONNEL_ACTIVATION, "DigiHelse – Aktivering",
     [PERSONNEL, NurseActivationState.load]),
    (activate_page, routes.ACTIVATE, "DigiHelse – Aktiver", [PUBLIC]),
    (passkeys_page, routes.PASSKEYS, "DigiHelse – Passnøkler", [CITIZEN, PasskeysState.load]),
    (minid_help_page, routes.MINID_HELP, "DigiHelse – Slik får du MinID", [PUBLIC]),
    (messages_page, routes.MESSAGES, "DigiHelse – Meldinger", [CITIZEN, MessagesState.load]),
    (new_message_page, routes.MESSAGE_NEW, "DigiHelse – Ny melding",
     [CITIZEN, NewMessageState.load]),
    (conversation_page, routes.CONVERSATION, "DigiHelse – Melding",
     [CITIZEN, ConversationState.load]),
    (notify_settings_page, routes.NOTIFY_SETTINGS, "DigiHelse – Varsler",
     [CITIZEN, NotifySettingsState.load]),
    (inbox_page, routes.INBOX, "DigiHelse – Meldinger", [PERSONNEL, InboxState.load]),
    (staff_conversation_page, routes.INBOX_CONVERSATION, "DigiHelse – Melding",
     [PERSONNEL, StaffConversationState.load]),
)
for page, route, title, on_load in PAGES:
    app.add_page(page, route=route, title=title, on_load=on_load)
