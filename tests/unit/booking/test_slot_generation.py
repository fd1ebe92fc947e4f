"""Slot generation: daylight saving, breaks, closed days, one-off hours, idempotency, and
a schedule change that never silently removes a booked slot."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from sqlmodel import select

from digihelse.booking import citizen, errors, opening_hours
from digihelse.booking.models import Booking, BookingStatus, Slot, SlotStatus
from digihelse.booking.schedule import (
    DayHours,
    generate_slots,
    parse_breaks,
    plan_slots,
    slots_for_day,
)
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO
from tests.factories import NOW, TUESDAY, World, make_world, oslo

SETTINGS = BookingSettings()  # the default booking limits

# 2025: summer time starts Sunday 30 March (02:00 -> 03:00), ends Sunday 26 October
# (03:00 -> 02:00).
SPRING_SAT, SPRING_SUN, SPRING_MON = (dt.date(2025, 3, 29), dt.date(2025, 3, 30),
                                      dt.date(2025, 3, 31))
AUTUMN_SAT, AUTUMN_SUN, AUTUMN_MON = (dt.date(2025, 10, 25), dt.date(2025, 10, 26),
                                      dt.date(2025, 10, 27))


def weekly(weekday: int, start: str, end: str, minutes: int = 20, breaks: str = "",
           personnel_id: int = 1, place_id: int = 1, sid: int = 1, **kw) -> SimpleNamespace:
    return SimpleNamespace(
        id=sid, personnel_id=personnel_id, place_id=place_id, weekday=weekday,
        start_time=dt.time.fromisoformat(start), end_time=dt.time.fromisoformat(end),
        slot_minutes=minutes, breaks=breaks, valid_from=kw.get("valid_from", dt.date(2025, 1, 1)),
        valid_to=kw.get("valid_to"), active=kw.get("active", True))


def one_off(day: dt.date, start: str, end: str, minutes: int = 20, personnel_id: int = 1,
            place_id: int = 1, oid: int = 1) -> SimpleNamespace:
    return SimpleNamespace(
        id=oid, personnel_id=personnel_id, place_id=place_id, day=day,
        start_time=dt.time.fromisoformat(start), end_time=dt.time.fromisoformat(end),
        slot_minutes=minutes, breaks="", active=True)


def closed(first: dt.date, last: dt.date | None = None, place_id: int | None = None,
           personnel_id: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(first_day=first, last_day=last or first, place_id=place_id,
                           personnel_id=personnel_id, active=True)


def local_starts(intervals) -> list[str]:
    return [i.start_at.astimezone(OSLO).strftime("%H:%M") for i in intervals]


def day_hours(day: dt.date, start: str, end: str, minutes: int) -> DayHours:
    return DayHours(1, 1, day, dt.time.fromisoformat(start), dt.time.fromisoformat(end),
                    minutes)


# --- daylight saving ---------------------------------------------------------------------


@pytest.mark.parametrize(("days", "offsets"), [
    ((SPRING_SAT, SPRING_SUN, SPRING_MON), (1, 2, 2)),
    ((AUTUMN_SAT, AUTUMN_SUN, AUTUMN_MON), (2, 1, 1)),
])
def test_nine_oclock_stays_nine_oclock_across_the_change(days, offsets):
    schedules = [weekly(wd, "09:00", "10:00", sid=wd) for wd in range(7)]
    intervals = plan_slots(schedules, [], [], days[0], days[-1] + dt.timedelta(days=1))
    firsts = [next(i for i in intervals if i.start_at.astimezone(OSLO).date() == day)
              for day in days]
    for day, first, hours in zip(days, firsts, offsets, strict=True):
        local = first.start_at.astimezone(OSLO)
        assert (local.date(), local.time()) == (day, dt.time(9))
        assert local.utcoffset() == dt.timedelta(hours=hours)
        assert first.start_at.tzinfo == dt.UTC
        assert first.start_at.hour == 9 - hours
        assert first.end_at - first.start_at == dt.timedelta(minutes=20)
    assert len(intervals) == 9


def test_spring_gap_slots_are_skipped():
    intervals = slots_for_day(day_hours(SPRING_SUN, "01:00", "04:00", 30))
    # 02:00 and 02:30 do not exist; 01:30–02:00 ends at the very instant of the change.
    assert local_starts(intervals) == ["01:00", "01:30", "03:00", "03:30"]
    assert all(i.end_at - i.start_at == dt.timedelta(minutes=30) for i in intervals)


def test_a_slot_across_the_spring_gap_is_skipped():
    intervals = slots_for_day(day_hours(SPRING_SUN, "01:20", "03:40", 40))
    # 01:20–02:00 fits; 02:00–02:40 does not exist; 02:40–03:20 neither; 03:20 doesn't fit.
    assert local_starts(intervals) == ["01:20"]


def test_autumn_repeated_hour_is_not_duplicated():
    intervals = slots_for_day(day_hours(AUTUMN_SUN, "01:00", "04:00", 30))
    starts = [i.start_at for i in intervals]
    assert len(starts) == len(set(starts))
    # The first 02:00 and 02:30 are used; 02:30 "to 03:00" really lasts 90 minutes: skipped.
    assert local_starts(intervals) == ["01:00", "01:30", "02:00", "03:00", "03:30"]
    assert all(i.end_at - i.start_at == dt.timedelta(minutes=30) for i in intervals)
    assert all(a.end_at <= b.start_at for a, b in itertools.pairwise(intervals))


def test_dst_slots_land_in_the_database_in_utc(engine, seeded):
    world = make_world(engine, seeded, now=oslo(SPRING_SAT, 8))
    with db.write_session(engine) as s:
        for day in (SPRING_SUN, SPRING_MON):
            opening_hours._apply_edit(s, world.kari, opening_hours.ExtraHours(
                place_id=world.school_id, day=day, start=dt.time(9), end=dt.time(10)),
                item_id=None, delete_kind=None, now=oslo(SPRING_SAT, 8))
        generate_slots(s, today=SPRING_SAT, days_ahead=3, now=oslo(SPRING_SAT, 8))
    with db.session(engine) as s:
        starts = sorted(s.exec(select(Slot.start_at).where(
            Slot.start_at < oslo(dt.date(2025, 4, 1), 0))).all())
    assert [(t.day, t.hour, t.minute) for t in starts[::3]] == [(30, 7, 0), (31, 7, 0)]
    assert all(t.tzinfo is not None for t in starts)


# --- breaks, closed days, one-off hours -----------------------------------------------------


def test_breaks_cut_the_day_and_slots_restart_after_them():
    intervals = plan_slots([weekly(1, "09:00", "14:00", breaks="11:30-12:00")], [], [],
                           TUESDAY, TUESDAY + dt.timedelta(days=1))
    starts = local_starts(intervals)
    assert starts[:8] == ["09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00", "12:00"]
    assert len(intervals) == 13
    lunch = (oslo(TUESDAY, 11, 30), oslo(TUESDAY, 12))
    assert not any(i.start_at < lunch[1] and lunch[0] < i.end_at for i in intervals)


def test_parse_breaks_accepts_norwegian_notation_and_refuses_nonsense():
    assert parse_breaks("11.30–12.00, 13:00-13:10") == (
        (dt.time(11, 30), dt.time(12)), (dt.time(13), dt.time(13, 10)))
    with pytest.raises(ValueError):
        parse_breaks("lunsj")
    with pytest.raises(ValueError):
        parse_breaks("12:00-11:00")


def test_closed_days_remove_hours_for_the_place_or_the_nurse():
    schedules = [weekly(1, "09:00", "10:00", personnel_id=1, sid=1),
                 weekly(1, "09:00", "10:00", personnel_id=2, sid=2)]
    span = (TUESDAY, TUESDAY + dt.timedelta(days=1))
    assert len(plan_slots(schedules, [], [closed(TUESDAY, place_id=1)], *span)) == 0
    only_one = plan_slots(schedules, [], [closed(TUESDAY, personnel_id=2)], *span)
    assert {i.personnel_id for i in only_one} == {1}
    elsewhere = plan_slots(schedules, [], [closed(TUESDAY, place_id=9)], *span)
    assert len(elsewhere) == 6
    autumn_break = closed(dt.date(2025, 9, 29), dt.date(2025, 10, 3), place_id=1)
    assert plan_slots(schedules, [], [autumn_break], dt.date(2025, 9, 29),
                      dt.date(2025, 10, 4)) == []


def test_one_off_hours_add_slots_without_overlapping_the_week():
    friday = dt.date(2025, 11, 28)
    extra = one_off(friday, "12:00", "14:00")
    assert local_starts(plan_slots([], [extra], [], friday, friday + dt.timedelta(days=1))) == [
        "12:00", "12:20", "12:40", "13:00", "13:20", "13:40"]
    overlapping = one_off(TUESDAY, "09:10", "10:10", minutes=30)
    intervals = plan_slots([weekly(1, "09:00", "10:00")], [overlapping], [], TUESDAY,
                           TUESDAY + dt.timedelta(days=1))
    assert all(a.end_at <= b.start_at for a, b in itertools.pairwise(intervals))
    assert local_starts(intervals) == ["09:00", "09:20", "09:40"]


def test_valid_from_and_to_bound_the_weekly_hours():
    schedule = weekly(1, "09:00", "10:00", valid_from=dt.date(2025, 12, 2),
                      valid_to=dt.date(2025, 12, 9))
    intervals = plan_slots([schedule], [], [], TUESDAY, dt.date(2025, 12, 31))
    assert sorted({i.start_at.astimezone(OSLO).date() for i in intervals}) == [
        dt.date(2025, 12, 2), dt.date(2025, 12, 9)]


# --- the database side ----------------------------------------------------------------------


def _count(engine, status: str = SlotStatus.OPEN) -> int:
    with db.session(engine) as s:
        return len(s.exec(select(Slot).where(Slot.status == status)).all())


def test_generation_is_idempotent(world):
    assert _count(world.engine) == 8 * 13  # four weeks of Tuesdays and Thursdays
    with db.write_session(world.engine) as s:
        assert generate_slots(s, today=NOW.date(), days_ahead=28, now=NOW) == (0, 0, [])
    with db.write_session(world.engine) as s:
        again = generate_slots(s, today=NOW.date(), days_ahead=35, now=NOW)
    # One more week: Tuesday 23 December, but not Thursday 25 December (Christmas Day).
    assert again.created == 13 and again.withdrawn == 0
    assert _count(world.engine) == 9 * 13


def _tuesday_schedule(world: World) -> int:
    with db.session(world.engine) as s:
        return s.exec(select(Slot.schedule_id).where(
            Slot.start_at == oslo(TUESDAY, 9))).one()


def test_removing_hours_keeps_a_booked_slot_and_reports_it(world):
    booked_slot = world.slot_at(TUESDAY, 10)
    booking = citizen.book(world.engine, world.pupil("ida"), slot_id=booked_slot, client_key="k",
                       now=NOW, settings=SETTINGS)
    schedule_id = _tuesday_schedule(world)

    preview = opening_hours.preview_schedule_change(world.engine, world.kari, delete_kind="weekly",
                                          item_id=schedule_id, now=NOW, settings=SETTINGS)
    assert len(preview.withdraw) == 4 * 13 - 1 and preview.create == []
    assert [(c.slot_id, c.booking_id, c.reason) for c in preview.conflicts] == [
        (booked_slot, booking.id, "removed")]
    assert _count(world.engine) == 8 * 13  # the preview wrote nothing

    change = opening_hours.delete_schedule_item(world.engine, world.kari, "weekly", schedule_id,
                                                now=NOW, settings=SETTINGS)
    assert change.generation.withdrawn == 4 * 13 - 1
    assert [c.booking_id for c in change.generation.conflicts] == [booking.id]
    with db.session(world.engine) as s:
        slot = s.get(Slot, booked_slot)
        assert slot.status == SlotStatus.OPEN
        assert s.get(Booking, booking.id).status == BookingStatus.BOOKED
        free = citizen.free_slots(s, world.school_id, now=NOW, days=28, settings=SETTINGS)
    assert {f.start_local.weekday() for f in free} == {3}  # only Thursdays are offered
    # Running the generator again reports the conflict again and changes nothing.
    with db.write_session(world.engine) as s:
        again = generate_slots(s, today=NOW.date(), days_ahead=28, now=NOW)
    assert (again.created, again.withdrawn, len(again.conflicts)) == (0, 0, 1)


def test_changing_the_slot_length_never_overlaps_a_booked_slot(world):
    booked_slot = world.slot_at(TUESDAY, 9, 20)
    citizen.book(world.engine, world.pupil("ida"), slot_id=booked_slot, client_key="k", now=NOW,
                 settings=SETTINGS)
    schedule_id = _tuesday_schedule(world)
    change = opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
        place_id=world.school_id, weekday=1, start=dt.time(9), end=dt.time(14),
        slot_minutes=30, breaks="11:30-12:00", valid_from=NOW.date()),
        item_id=schedule_id, now=NOW, settings=SETTINGS)
    assert [c.slot_id for c in change.generation.conflicts] == [booked_slot]
    with db.session(world.engine) as s:
        tuesday = s.exec(select(Slot).where(
            Slot.status != SlotStatus.WITHDRAWN, Slot.start_at >= oslo(TUESDAY, 0),
            Slot.start_at < oslo(TUESDAY, 23)).order_by(Slot.start_at)).all()
    starts = [t.start_at.astimezone(OSLO).strftime("%H:%M") for t in tuesday]
    # 09:00 and 09:30 would overlap the booked 09:20–09:40; they are not created.
    assert starts == ["09:20", "10:00", "10:30", "11:00", "12:00", "12:30", "13:00", "13:30"]
    assert all(a.end_at <= b.start_at for a, b in itertools.pairwise(tuesday))


def test_closing_a_day_withdraws_its_slots_and_reopening_restores_them(world):
    change = opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.Closure(
        first_day=TUESDAY, last_day=TUESDAY, label="Kurs", place_id=world.school_id,
        whole_place=True), now=NOW, settings=SETTINGS)
    assert change.generation.withdrawn == 13
    with db.session(world.engine) as s:
        assert all(f.day != TUESDAY for f in citizen.free_slots(s, world.school_id, now=NOW,
                                                                settings=SETTINGS))
    back = opening_hours.delete_schedule_item(world.engine, world.kari, "closed", change.item_id,
                                              now=NOW, settings=SETTINGS)
    assert back.generation.created == 13
    with db.session(world.engine) as s:  # the same rows came back, no duplicates
        assert len(s.exec(select(Slot)).all()) == 8 * 13


def test_one_off_hours_through_the_service(world):
    friday = dt.date(2025, 11, 28)
    preview = opening_hours.preview_schedule_change(
        world.engine, world.kari, opening_hours.ExtraHours(
            place_id=world.school_id, day=friday, start=dt.time(12), end=dt.time(14)),
        now=NOW, settings=SETTINGS)
    assert [p.label for p in preview.create][:2] == ["Fredag 28. nov 12.00–12.20",
                                                     "Fredag 28. nov 12.20–12.40"]
    change = opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.ExtraHours(
        place_id=world.school_id, day=friday, start=dt.time(12), end=dt.time(14),
        label="Ekstra"), now=NOW, settings=SETTINGS)
    assert change.generation.created == 6 and change.kind == "one_off"


def test_invalid_hours_are_refused(world):
    with pytest.raises(errors.InvalidSchedule):
        opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
            place_id=world.school_id, weekday=1, start=dt.time(14), end=dt.time(9)), now=NOW,
                                         settings=SETTINGS)
    with pytest.raises(errors.InvalidSchedule):
        opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
            place_id=world.school_id, weekday=1, start=dt.time(9), end=dt.time(14),
            breaks="08:00-08:30"), now=NOW, settings=SETTINGS)


def test_a_nurse_edits_only_her_own_places(world):
    from digihelse.access.actors import AccessDenied

    with db.session(world.engine) as s:
        from digihelse.people.models import Place
        vgs = s.exec(select(Place).where(Place.kind == "upper_secondary")).one().id
    with pytest.raises(AccessDenied):
        opening_hours.save_schedule_item(world.engine, world.kari, opening_hours.WeeklyHours(
            place_id=vgs, weekday=1, start=dt.time(9), end=dt.time(10)), now=NOW, settings=SETTINGS)
    with pytest.raises(AccessDenied):
        opening_hours.delete_schedule_item(world.engine, world.nurse("mona"), "weekly",
                                 _tuesday_schedule(world), now=NOW, settings=SETTINGS)


def test_my_schedule_lists_the_hours(world):
    with db.session(world.engine) as s:
        mine = opening_hours.my_schedule(s, world.kari)
    assert [(w.weekday, w.breaks) for w in mine.weekly] == [(1, "11:30-12:00"),
                                                           (3, "11:30-12:00")]


# --- public holidays ---------------------------------------------------------------------


def test_weekly_hours_pause_on_public_holidays_but_one_off_hours_stand():
    from digihelse.booking.schedule import plan_slots

    may_17, may_18 = dt.date(2027, 5, 17), dt.date(2027, 5, 18)  # a Monday, a Tuesday
    plan = plan_slots([weekly(0, "09:00", "10:00"), weekly(1, "09:00", "10:00", sid=2)],
                      [one_off(dt.date(2027, 12, 25), "10:00", "11:00")], [],
                      may_17, dt.date(2027, 12, 31))
    days = {i.start_at.astimezone(OSLO).date() for i in plan}
    assert may_17 not in days and may_18 in days
    assert dt.date(2027, 5, 6) not in days  # Kristi himmelfartsdag 2027 is a Thursday: none
    assert dt.date(2027, 12, 25) in days  # the nurse chose to work on Christmas Day


def test_the_holidays_are_norways():
    from hypothesis import given
    from hypothesis import strategies as st

    from digihelse.core.holidays import easter_sunday, public_holidays

    assert easter_sunday(2025) == dt.date(2025, 4, 20)
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    assert set(public_holidays(2026)) >= {dt.date(2026, 4, 2), dt.date(2026, 4, 3),
                                          dt.date(2026, 5, 14), dt.date(2026, 5, 25),
                                          dt.date(2026, 5, 17), dt.date(2026, 12, 26)}

    @given(st.integers(1900, 2200))
    def easter_is_a_sunday_between_22_march_and_25_april(year):
        easter = easter_sunday(year)
        assert easter.weekday() == 6
        assert dt.date(year, 3, 22) <= easter <= dt.date(year, 4, 25)
        assert 10 <= len(public_holidays(year)) <= 12  # Ascension may fall on 1 or 17 May

    easter_is_a_sunday_between_22_march_and_25_april()
