"""Inside the cancel notice (2 h) the pupil is told before she tries that it is too late to
change the time on line, and given the place's number to call; no Avbestill to press."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import select

from digihelse.access.actors import Actor
from digihelse.booking import citizen
from digihelse.booking.models import Slot
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import to_oslo
from digihelse.people.models import Personnel, Place
from e2e.helpers import assert_accessible, login_citizen, pid_of, wait_for_app


def _booked_in_an_hour(database, pid: str) -> tuple[object, Actor, int, dt.datetime]:
    """Sara's booking with Kari an hour from now, made (by the service's clock) three
    hours ago, when it was still far enough ahead."""
    engine = create_engine(f"sqlite:///{database}")
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    start -= dt.timedelta(minutes=start.minute % 5)
    with db.write_session(engine) as s:
        school = s.exec(select(Place).where(Place.name == "Fjordvik ungdomsskole")).one()
        kari = s.exec(select(Personnel).where(Personnel.hpr_number == "9100001")).one()
        slot = Slot(place_id=school.id, personnel_id=kari.id, start_at=start,
                    end_at=start + dt.timedelta(minutes=20))
        s.add(slot)
        s.flush()
        slot_id = slot.id
    sara = Actor(pid=pid, role="citizen", name="Sara Hansen")
    # Other journeys may hold her two bookings on the shared server; this one is besides.
    booking = citizen.book(engine, sara, slot_id=slot_id, client_key="e2e-too-late",
                           now=start - dt.timedelta(hours=3),
                           settings=BookingSettings(max_active_future_bookings=10))
    return engine, sara, booking.id, start


def test_inside_the_cancel_notice_she_is_told_to_call_and_given_the_number(page: Page, server):
    engine, sara, booking_id, start = _booked_in_an_hour(server.database_path,
                                                         pid_of(page, "Sara"))
    try:
        login_citizen(page, "Sara")
        page.goto("/timer")
        wait_for_app(page)
        row = page.locator("#upcoming li").filter(has_text=f"kl. {to_oslo(start):%H.%M}")
        expect(row.locator(".too-late")).to_contain_text(
            "Det er for sent å endre eller avbestille denne timen på nett. "
            "Ring Fjordvik ungdomsskole. Telefon:")
        call = row.locator(".too-late a")
        expect(call).to_have_attribute("href", "tel:77001214")
        expect(row.get_by_role("button", name="Avbestill")).to_have_count(0)
        expect(row.get_by_role("link", name="Endre tid")).to_have_count(0)
        assert_accessible(page)
        row.screenshot(path="/tmp/shots/too-late.png")
    finally:  # the shared server stays clean
        citizen.cancel(engine, sara, booking_id, now=start - dt.timedelta(hours=3),
                       settings=BookingSettings())
        engine.dispose()
