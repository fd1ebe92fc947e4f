"""A stateful property test: random sequences of book, cancel, move, schedule changes,
block and the passing of time, checked after every step against the database itself."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import text
from sqlmodel import SQLModel, select

from digihelse.access.actors import AccessDenied
from digihelse.booking import citizen, errors, opening_hours, staff
from digihelse.booking.models import Slot, SlotStatus
from digihelse.booking.rules import BookingSettings
from digihelse.core import db
from tests.test_booking_service import NOW, World, make_world

SETTINGS = BookingSettings()  # the default booking limits
PUPILS = ("ida", "mia", "emil", "sara")
LIMIT = SETTINGS.max_active_future_bookings
_template: dict[str, object] = {}


def _template_db() -> tuple[Path, World]:
    """Migrate, seed and generate once; every example starts from a copy of that file."""
    if not _template:
        from digihelse_dev.seed import seed

        folder = Path(tempfile.mkdtemp(prefix="booking-sm-"))
        url = f"sqlite:///{folder / 'template.db'}"
        db.migrate(url)
        engine = db.make_engine(url)
        import digihelse.models  # noqa: F401

        SQLModel.metadata.create_all(engine)
        with db.session(engine) as s:
            persons = seed(s)
        world = make_world(engine, persons)
        with engine.connect() as conn:  # everything into the main file before copying
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _template.update(path=folder / "template.db", world=world)
    return _template["path"], _template["world"]  # type: ignore[return-value]


class BookingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        template, world = _template_db()
        self.folder = Path(tempfile.mkdtemp(prefix="booking-sm-run-"))
        shutil.copy(template, self.folder / "run.db")
        self.engine = db.make_engine(f"sqlite:///{self.folder / 'run.db'}")
        self.world = World(self.engine, world.school_id, world.clinic_id, world.kari,
                           world.kari_personnel_id, world.persons)
        self.now = NOW
        self.keys = 0

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers ---

    def _slots(self) -> list[int]:
        with db.session(self.engine) as s:
            return list(s.exec(select(Slot.id).order_by(Slot.start_at)).all())

    def _bookings(self) -> list[tuple[int, int]]:
        with db.session(self.engine) as s:
            return list(s.exec(text("SELECT id, person_id FROM booking ORDER BY id")).all())

    def _owner(self, person_id: int) -> str:
        return next(k for k in PUPILS if self.world.persons[k].id == person_id)

    def _key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    # --- rules ---

    @rule(pupil=st.sampled_from(PUPILS), pick=st.integers(0, 10_000),
          reuse_key=st.booleans())
    def book(self, pupil: str, pick: int, reuse_key: bool) -> None:
        slots = self._slots()
        key = f"key-{self.keys}" if reuse_key and self.keys else self._key()
        with contextlib.suppress(errors.BookingError, AccessDenied):
            citizen.book(self.engine, self.world.pupil(pupil), slot_id=slots[pick % len(slots)],
                     client_key=key, now=self.now, settings=SETTINGS)

    @rule(pupil=st.sampled_from(PUPILS), pick=st.integers(0, 10_000))
    def book_a_free_slot(self, pupil: str, pick: int) -> None:
        # Mostly succeeds, so that the per-pupil limit is reached often.
        with db.session(self.engine) as s:
            free = citizen.free_slots(s, self.world.school_id, now=self.now, days=28,
                                      settings=SETTINGS)
        if free:
            with contextlib.suppress(errors.BookingError, AccessDenied):
                citizen.book(self.engine, self.world.pupil(pupil), now=self.now,
                         slot_id=free[pick % len(free)].slot_id, client_key=self._key(),
                             settings=SETTINGS)

    @precondition(lambda self: self._bookings())
    @rule(pick=st.integers(0, 10_000), by_nurse=st.booleans())
    def cancel(self, pick: int, by_nurse: bool) -> None:
        bookings = self._bookings()
        booking_id, person_id = bookings[pick % len(bookings)]
        actor = self.world.kari if by_nurse else self.world.pupil(self._owner(person_id))
        with contextlib.suppress(errors.BookingError, AccessDenied):
            citizen.cancel(self.engine, actor, booking_id, now=self.now, reason="Kurs",
                           settings=SETTINGS)

    @precondition(lambda self: self._bookings())
    @rule(pick=st.integers(0, 10_000), to=st.integers(0, 10_000))
    def move(self, pick: int, to: int) -> None:
        bookings, slots = self._bookings(), self._slots()
        booking_id, person_id = bookings[pick % len(bookings)]
        with contextlib.suppress(errors.BookingError, AccessDenied):
            citizen.move(self.engine, self.world.pupil(self._owner(person_id)), booking_id,
                     new_slot_id=slots[to % len(slots)], client_key=self._key(),
                     now=self.now, settings=SETTINGS)

    @rule(weekday=st.sampled_from((1, 3)), minutes=st.sampled_from((15, 20, 30)),
          end_hour=st.integers(10, 15), remove=st.booleans())
    def change_schedule(self, weekday: int, minutes: int, end_hour: int, remove: bool) -> None:
        with db.session(self.engine) as s:
            mine = opening_hours.my_schedule(s, self.world.kari)
        current = next((w for w in mine.weekly if w.weekday == weekday), None)
        if remove and current is not None:
            result = opening_hours.delete_schedule_item(self.engine, self.world.kari, "weekly",
                                              current.id, now=self.now, settings=SETTINGS)
        else:
            result = opening_hours.save_schedule_item(
                self.engine, self.world.kari,
                opening_hours.WeeklyHours(place_id=self.world.school_id, weekday=weekday,
                                start=dt.time(9), end=dt.time(end_hour), slot_minutes=minutes,
                                valid_from=NOW.date()),
                item_id=None if current is None else current.id, now=self.now, settings=SETTINGS)
        for conflict in result.generation.conflicts:  # kept, never withdrawn
            with db.session(self.engine) as s:
                assert s.get(Slot, conflict.slot_id).status != SlotStatus.WITHDRAWN

    @rule(pick=st.integers(0, 10_000), unblock=st.booleans())
    def block(self, pick: int, unblock: bool) -> None:
        slots = self._slots()
        action = staff.unblock_slot if unblock else staff.block_slot
        with contextlib.suppress(errors.BookingError):
            action(self.engine, self.world.kari, slots[pick % len(slots)], now=self.now)

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    # --- invariants, checked with SQL over the tables ---

    @invariant()
    def at_most_one_active_booking_per_slot(self) -> None:
        with db.session(self.engine) as s:
            doubled = s.exec(text(
                "SELECT slot_id FROM booking WHERE status != 'cancelled' "
                "GROUP BY slot_id HAVING count(*) > 1")).all()
        assert doubled == []

    @invariant()
    def the_per_pupil_limit_holds(self) -> None:
        # Counted at each booking's own time: a pupil never had more than LIMIT upcoming.
        with db.session(self.engine) as s:
            counts = s.exec(text(
                "SELECT b.person_id, count(*) FROM booking b JOIN slot sl ON sl.id = b.slot_id "
                "WHERE b.status = 'booked' AND sl.start_at > :now GROUP BY b.person_id"
            ).bindparams(now=self.now.strftime("%Y-%m-%d %H:%M:%S.%f"))).all()
        assert all(count <= LIMIT for _, count in counts), counts

    @invariant()
    def no_active_booking_on_a_blocked_or_withdrawn_slot(self) -> None:
        with db.session(self.engine) as s:
            bad = s.exec(text(
                "SELECT b.id FROM booking b JOIN slot sl ON sl.id = b.slot_id "
                "WHERE b.status != 'cancelled' AND sl.status IN ('blocked', 'withdrawn')")).all()
        assert bad == []

    @invariant()
    def a_nurse_is_never_in_two_open_slots_at_once(self) -> None:
        with db.session(self.engine) as s:
            overlapping = s.exec(text(
                "SELECT a.id, b.id FROM slot a JOIN slot b ON a.personnel_id = b.personnel_id "
                "AND a.id < b.id AND a.start_at < b.end_at AND b.start_at < a.end_at "
                "WHERE a.status != 'withdrawn' AND b.status != 'withdrawn'")).all()
        assert overlapping == []


BookingMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBookingStateMachine = BookingMachine.TestCase
