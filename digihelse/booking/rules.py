"""The booking rules, each written once: whose times are offered where, whether a slot can
be booked now, the per-pupil limit, the cancel notice, when attendance may be marked, and how
long a slot may be. The service, the FHIR API and the nurse's forms all ask here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, func, select

from digihelse.access.actors import AccessDenied, Service
from digihelse.booking.errors import BookingError, LimitReached, SlotUnavailable, TooLate
from digihelse.booking.models import Booking, BookingStatus, Slot, SlotStatus, Topic
from digihelse.core.settings import BookingSettings
from digihelse.people.kinds import PlaceKind, StaffRole
from digihelse.people.models import Enrollment, Person, Place

# Who publishes hours and manages their bookings: access.policy.keeps_schedule().
# Whose free times pupils and parents book at a place (youth and basic service). A midwife's
# times are offered only to the women whose card names her (pregnancy service).
NURSE_ROLES = frozenset({StaffRole.SCHOOL_NURSE})
SCHOOL_PLACES = frozenset({PlaceKind.LOWER_SECONDARY, PlaceKind.UPPER_SECONDARY})
# Which service each kind of place is booked in. A pupil books her school nurse or the youth
# clinic herself (youth service, confidential); a parent books a child's school nurse or the
# health station (basic service, which parents see). The youth clinic is never the basic
# service's, and the health station (0-5 years, and children's visits) never the youth's.
PLACE_SERVICES: dict[str, frozenset[Service]] = {
    PlaceKind.LOWER_SECONDARY: frozenset({Service.YOUTH, Service.BASIC}),
    PlaceKind.UPPER_SECONDARY: frozenset({Service.YOUTH, Service.BASIC}),
    PlaceKind.YOUTH_CLINIC: frozenset({Service.YOUTH}),
    PlaceKind.HEALTH_STATION: frozenset({Service.BASIC}),
}
# The topics one may pick: a pupil's own, or a parent's for a child.
TOPICS: dict[Service, tuple[Topic, ...]] = {
    Service.YOUTH: (Topic.BODY_HEALTH, Topic.FEELINGS, Topic.FRIENDS_FAMILY,
                    Topic.CONTRACEPTION, Topic.OTHER),
    Service.BASIC: (Topic.GROWTH, Topic.EATING_SLEEPING, Topic.VACCINATION, Topic.FEELINGS,
                    Topic.OTHER),
}

# How long one bookable time may be, in minutes (the nurse's form offers the same range).
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240
SLOT_STEP_MINUTES = 5  # a slot is a whole multiple of this: no 7-minute times
MAX_CLIENT_KEY, MAX_NOTE = 100, 1000
MAX_CANCEL_REASON = 500  # the nurse's reason the pupil reads (the column's length)


# --- can this slot be booked ------------------------------------------------------------


def refusal(status: str, start_at: dt.datetime, now: dt.datetime,
            settings: BookingSettings, *, by_nurse: bool = False) -> str | None:
    """Why a free (unheld) slot cannot be booked now, or None when it can: "unavailable"
    (blocked or withdrawn), "past", or "min_notice" (too close to the start; a nurse
    moving a time she agreed on the phone is not held to it)."""
    if status != SlotStatus.OPEN:
        return "unavailable"
    if start_at <= now:
        return "past"
    if not by_nurse and start_at < now + settings.min_notice:
        return "min_notice"
    return None


def check_bookable(slot: Slot, now: dt.datetime, settings: BookingSettings,
                   *, by_nurse: bool = False) -> None:
    """Raise the refusal() as SlotUnavailable or TooLate."""
    reason = refusal(slot.status, slot.start_at, now, settings, by_nurse=by_nurse)
    if reason == "unavailable":
        raise SlotUnavailable()
    if reason is not None:
        raise TooLate(reason)


def at_limit(s: Session, person: Person, now: dt.datetime, settings: BookingSettings,
             *, moving: int | None = None) -> bool:
    """A pupil holds at most max_active_future_bookings upcoming bookings."""
    query = (select(func.count()).select_from(Booking).join(Slot, Slot.id == Booking.slot_id)
             .where(Booking.person_id == person.id, Booking.status == BookingStatus.BOOKED,
                    Slot.start_at > now))
    if moving is not None:  # a move replaces a booking, it does not add one
        query = query.where(Booking.id != moving)
    return s.exec(query).one() >= settings.max_active_future_bookings


def check_limit(s: Session, person: Person, now: dt.datetime, settings: BookingSettings,
                *, moving: int | None = None) -> None:
    if at_limit(s, person, now, settings, moving=moving):
        raise LimitReached(settings.max_active_future_bookings)


def serves(place_kind: str, service: Service) -> bool:
    return service in PLACE_SERVICES.get(place_kind, frozenset())


def place_serves_person(place_kind: str, place_municipality: int | None,
                        person_municipality: int | None, service: Service, *,
                        enrolled: bool, youth_age: bool) -> bool:
    """The rule of check_place_for_person(), on facts already loaded (enrolled: she is a
    pupil of this place, asked only of schools)."""
    local = place_kind != PlaceKind.HEALTH_STATION \
        or person_municipality in (None, place_municipality)
    ages = place_kind != PlaceKind.YOUTH_CLINIC or youth_age
    return serves(place_kind, service) and enrolled and local and ages


def check_place_for_person(s: Session, person: Person, place: Place, service: Service,
                           *, youth_age: bool) -> None:
    """The place serves this service; schools take their own pupils; the youth clinic takes
    young people of its ages (youth_age, from the policy); health stations, the children
    of their municipality."""
    enrolled = place.kind not in SCHOOL_PLACES or s.exec(select(Enrollment.id).where(
        Enrollment.person_id == person.id, Enrollment.place_id == place.id)).first()
    if not place_serves_person(place.kind, place.municipality_id, person.municipality_id,
                               service, enrolled=bool(enrolled), youth_age=youth_age):
        raise AccessDenied("not_your_place", "this place does not serve you",
                           "booking.error.not_your_place")


def check_reason(reason: str | None) -> None:
    """The nurse's reason for cancelling or moving fits its column, or the call says so."""
    if reason is not None and len(reason) > MAX_CANCEL_REASON:
        raise BookingError("the reason is too long", code="bad_request",
                           message_key="booking.error.note_too_long")


def check_topic(topic: str | None, service: Service) -> None:
    if topic is not None and topic not in TOPICS.get(service, ()):
        raise BookingError(f"topic {topic!r} is not offered here", code="bad_request")


def check_input(client_key: str, topic: str | None, note: str | None) -> None:
    if not client_key or len(client_key) > MAX_CLIENT_KEY:
        raise BookingError("client_key must be 1-100 characters", code="bad_request")
    if topic is not None and topic not in set(Topic):
        raise BookingError(f"unknown topic {topic!r}", code="bad_request")
    if note is not None and len(note) > MAX_NOTE:
        raise BookingError("the note is too long", code="bad_request",
                           message_key="booking.error.note_too_long")


# --- changing, marking ------------------------------------------------------------------


def cancel_deadline(start_at: dt.datetime, settings: BookingSettings) -> dt.datetime:
    """Until when the pupil (or parent) may cancel or move a time online."""
    return start_at - settings.cancel_notice


def inside_cancel_notice(start_at: dt.datetime, now: dt.datetime,
                         settings: BookingSettings) -> bool:
    """Too late for the pupil (or parent) to cancel or move; the nurse may still."""
    return cancel_deadline(start_at, settings) < now


def weeks_ahead(settings: BookingSettings, start_weekday: int = 0) -> int:
    """How many weeks of free times there are to page through: the horizon in whole weeks,
    counted from the Monday of this week when today is `start_weekday` (0 = Monday)."""
    return -(-(settings.horizon_days + start_weekday) // 7)


def marking_opens(start_at: dt.datetime, settings: BookingSettings
                  ) -> tuple[dt.datetime, dt.datetime]:
    """From when "Møtt" and "Ikke møtt" may be marked: a pupil may come in shortly before
    her time (mark_grace), but she has not failed to come until it has begun."""
    return start_at - settings.mark_grace, start_at


def too_early_to_mark(start_at: dt.datetime, now: dt.datetime, settings: BookingSettings,
                      *, attended: bool = True) -> bool:
    """This mark cannot be set yet (marking_opens)."""
    attended_from, no_show_from = marking_opens(start_at, settings)
    return (attended_from if attended else no_show_from) > now


# --- opening hours ----------------------------------------------------------------------


def slot_length_ok(minutes: int) -> bool:
    """From MIN to MAX minutes, in whole steps of SLOT_STEP_MINUTES."""
    return MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES and minutes % SLOT_STEP_MINUTES == 0


def periods_overlap(a_from: dt.date | None, a_to: dt.date | None,
                    b_from: dt.date | None, b_to: dt.date | None) -> bool:
    """Two validity periods (None: open at that end) share at least one day."""
    return (a_to is None or b_from is None or b_from <= a_to) and (
        b_to is None or a_from is None or a_from <= b_to)


def times_overlap(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    """Two spans of one day overlap (touching ends, 09-12 and 12-14, do not)."""
    return a_start < b_end and b_start < a_end


def breaks_inside(breaks: Iterable[tuple[dt.time, dt.time]], start: dt.time,
                  end: dt.time) -> bool:
    """Every break lies within the hours."""
    return all(start <= b_start and b_end <= end for b_start, b_end in breaks)


def weekday_ok(weekday: int) -> bool:
    return 0 <= weekday <= 6  # Monday to Sunday
