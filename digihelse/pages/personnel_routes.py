"""The personnel pages in one place: I dag, Min timeplan and Uke, each behind the
personnel login."""

import reflex as rx

from digihelse.pages.nurse_schedule import nurse_schedule_page
from digihelse.pages.nurse_week import nurse_week_page
from digihelse.pages.personnel import personnel_home_page
from digihelse.state.nurse import DAY_PATH, SCHEDULE_PATH, WEEK_PATH, NurseDayState
from digihelse.state.nurse_schedule import NurseScheduleState
from digihelse.state.nurse_week import NurseWeekState
from digihelse.state.session import SessionState


def add_personnel_pages(app: rx.App) -> None:
    app.add_page(personnel_home_page, route=DAY_PATH, title="DigiHelse – I dag",
                 on_load=[SessionState.load_personnel, NurseDayState.load])
    app.add_page(nurse_schedule_page, route=SCHEDULE_PATH, title="DigiHelse – Min timeplan",
                 on_load=[SessionState.load_personnel, NurseScheduleState.load])
    app.add_page(nurse_week_page, route=WEEK_PATH, title="DigiHelse – Uke",
                 on_load=[SessionState.load_personnel, NurseWeekState.load])
