"""The personnel pages in one place: I dag, Min timeplan and Uke, and the carer's forms on
the pregnancy card (Ny prøve, Svangerskapet og bakgrunn), each behind the personnel login."""

import reflex as rx

from digihelse.ui import routes
from digihelse.ui.pages.carer_forms import lab_page, pregnancy_page
from digihelse.ui.pages.nurse_schedule import nurse_schedule_page
from digihelse.ui.pages.nurse_week import nurse_week_page
from digihelse.ui.pages.personnel import personnel_home_page
from digihelse.ui.state.lab_form import LabFormState
from digihelse.ui.state.nurse import DAY_PATH, SCHEDULE_PATH, WEEK_PATH, NurseDayState
from digihelse.ui.state.nurse_schedule import NurseScheduleState
from digihelse.ui.state.nurse_week import NurseWeekState
from digihelse.ui.state.pregnancy_form import PregnancyFormState
from digihelse.ui.state.session import SessionState


def add_personnel_pages(app: rx.App) -> None:
    app.add_page(personnel_home_page, route=DAY_PATH, title="DigiHelse – I dag",
                 on_load=[SessionState.load_personnel, NurseDayState.load])
    app.add_page(nurse_schedule_page, route=SCHEDULE_PATH, title="DigiHelse – Min timeplan",
                 on_load=[SessionState.load_personnel, NurseScheduleState.load])
    app.add_page(nurse_week_page, route=WEEK_PATH, title="DigiHelse – Uke",
                 on_load=[SessionState.load_personnel, NurseWeekState.load])
    app.add_page(lab_page, route=routes.CARER_LAB, title="DigiHelse – Ny prøve",
                 on_load=[SessionState.load_personnel, LabFormState.load_lab])
    app.add_page(pregnancy_page, route=routes.CARER_PREGNANCY,
                 title="DigiHelse – Svangerskapet og bakgrunn",
                 on_load=[SessionState.load_personnel, PregnancyFormState.load_pregnancy])
