"""The booking state machine: random sequences of book, cancel, move, attendance, schedule
changes, blocking and the passing of time. A model of the expected state (the slots, each
booking's slot, pupil and status, the client keys, the SMS queue and the access log)
predicts every call's outcome, success or which refusal, and is compared with the
database after every step.

tests/unit/booking/test_state_machine.py runs it in the suite; tests/mutation.py runs it
against mutated copies of the booking service (book always refuses, cancel does nothing,
the per-pupil limit off by one); each must fail it."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import text
from sqlmodel import SQLModel, select

from digihelse.access.actors import AccessDenied
from digihelse.audit.models import AccessLog
from digihelse.booking import citizen, errors, opening_hours, staff
from digihelse.booking.models import Booking, BookingStatus, Slot, SlotStatus
from digihelse.core import db
from digihelse.core.settings import BookingSettings
from digihelse.core.timeutil import OSLO, to_oslo
from digihelse.notify.models import Outbox
from tests.factories import NOW, World, make_world

PUPILS = ("ida", "mia", "emil", "sara")  # all at Kari's school
OUTSIDER = "noah"  # a pupil at another school: Kari's slots are not his to book
LIMITS = BookingSettings()  # the default booking limits, passed to every call
LIMIT = LIMITS.max_active_future_bookings
CANCEL_REASON = "Kurs"
_template: dict[str, object] = {}

# What the model expects of a call: None (it succeeds) or the refusal, as the error class
# and, where one class covers several cases, its code.
Refusal = tuple[type[Exception], str | None] | None


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _template_db() -> tuple[Path, World]:
    """Migrate, seed and generate once; every example starts from a copy of that file."""
    if not _template:
        from digihelse_dev.seed import seed

        folder = Path(tempfile.mkdtemp(prefix="booking-sm-"))
        atexit.register(shutil.rmtree, folder, True)
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


@dataclass
class ModelSlot:
    start_at: dt.datetime
    end_at: dt.datetime
    status: str


@dataclass
class ModelBooking:
    slot_id: int
    pupil: str
    status: str = BookingStatus.BOOKED
    moved_from: int | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None


@dataclass
class Model:
    """What the database should hold. Messages and access-log rows are keyed as the
    service writes them: the outbox by dedupe key, the log by (object id, outcome)."""

    slots: dict[int, ModelSlot] = field(default_factory=dict)
    bookings: dict[int, ModelBooking] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # client key -> booking id
    messages: dict[str, str] = field(default_factory=dict)  # dedupe key -> outbox status
    log: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def holder(self, slot_id: int) -> int | None:
        """The booking that holds the slot (any status but cancelled)."""
        return next((b for b, row in self.bookings.items()
                     if row.slot_id == slot_id and row.status != BookingStatus.CANCELLED), None)

    def upcoming(self, pupil: str, now: dt.datetime, *, besides: int | None = None) -> int:
        return sum(1 for b, row in self.bookings.items()
                   if row.pupil == pupil and row.status == BookingStatus.BOOKED
                   and self.slots[row.slot_id].start_at > now and b != besides)

    def free(self, now: dt.datetime, days: int) -> list[int]:
        """citizen.free_slots() as the model sees it: open, unheld, outside the notice, from
        today (Oslo) for `days` days, in time order."""
        today = to_oslo(now).date()
        start = dt.datetime.combine(today, dt.time(), tzinfo=OSLO).astimezone(dt.UTC)
        end = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(),
                                  tzinfo=OSLO).astimezone(dt.UTC)
        earliest = max(start, now + LIMITS.min_notice)
        return [i for i, slot in sorted(self.slots.items(), key=lambda x: (x[1].start_at, x[0]))
                if slot.status == SlotStatus.OPEN and earliest <= slot.start_at < end
                and self.holder(i) is None]

    def queue(self, booking_id: int, kind: str) -> None:
        self.messages[f"booking:{booking_id}:{kind}"] = "pending"

    def queue_reminder(self, booking_id: int, now: dt.datetime) -> None:
        start = self.slots[self.bookings[booking_id].slot_id].start_at
        if start - LIMITS.reminder_before > now:
            self.queue(booking_id, "reminder")

    def drop_reminder(self, booking_id: int) -> None:
        key = f"booking:{booking_id}:reminder"
        if self.messages.get(key) == "pending":
            self.messages[key] = "dropped"

    def logged(self, booking_id: int | None, action: str, outcome: str = "ok") -> None:
        self.log.setdefault("" if booking_id is None else str(booking_id), []).append(
            (action, outcome))


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
        self.model = Model(slots=self._db_slots())
        with db.session(self.engine) as s:
            assert s.exec(select(Booking.id)).first() is None  # the model starts empty

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers ---

    def _db_slots(self) -> dict[int, ModelSlot]:
        with db.session(self.engine) as s:
            return {slot.id: ModelSlot(_utc(slot.start_at), _utc(slot.end_at), slot.status)
                    for slot in s.exec(select(Slot)).all()}

    def _slot_ids(self) -> list[int]:
        return sorted(self.model.slots, key=lambda i: (self.model.slots[i].start_at, i))

    def _booking_ids(self) -> list[int]:
        return sorted(self.model.bookings)

    def _new_key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    def _pick_key(self, reuse: bool) -> str:
        return f"key-{self.keys}" if reuse and self.keys else self._new_key()

    def _pid(self, pupil: str) -> str:
        return self.world.persons[pupil].nin

    def _attempt(self, expected: Refusal, call: Callable[[], Any]) -> Any:
        """Run the call; it must succeed or be refused exactly as the model predicts."""
        event(f"expected: {'ok' if expected is None else expected[0].__name__}")
        try:
            result = call()
        except (errors.BookingError, AccessDenied) as exc:
            assert expected is not None, f"refused with {exc!r}; the model expected success"
            cls, code = expected
            assert type(exc) is cls, f"refused with {exc!r}; the model expected {cls.__name__}"
            assert code is None or exc.code == code, (exc.code, code)
            return exc
        assert expected is None, f"succeeded; the model expected {expected[0].__name__}"
        return result

    # --- the model's predictions, in the order the service checks ---

    def _predict_book(self, pupil: str, slot_id: int, key: str) -> tuple[Refusal, int | None]:
        """(refusal, id of an existing booking the call returns) for book()."""
        m, slot = self.model, self.model.slots[slot_id]
        if pupil == OUTSIDER:
            return (AccessDenied, "not_your_place"), None
        if key in m.keys:
            same = m.bookings[m.keys[key]]
            if (same.slot_id, same.pupil, same.moved_from) == (slot_id, pupil, None):
                return None, m.keys[key]
            return (errors.ClientKeyReused, None), None
        refusal = self._predict_bookable(slot, by_nurse=False)
        if refusal is not None:
            return refusal, None
        if m.upcoming(pupil, self.now) >= LIMIT:
            return (errors.LimitReached, None), None
        holder = m.holder(slot_id)
        if holder is not None:
            if m.bookings[holder].pupil == pupil:
                return None, holder  # she holds it already
            return (errors.SlotTaken, None), None
        return None, None

    def _predict_bookable(self, slot: ModelSlot, *, by_nurse: bool) -> Refusal:
        if slot.status != SlotStatus.OPEN:
            return errors.SlotUnavailable, None
        if slot.start_at <= self.now:
            return errors.TooLate, "past"
        if not by_nurse and slot.start_at < self.now + LIMITS.min_notice:
            return errors.TooLate, "min_notice"
        return None

    def _check_alternatives(self, refused: Any) -> None:
        if isinstance(refused, errors.SlotTaken):
            free = set(self.model.free(self.now, 28))
            assert len(refused.alternatives) <= LIMITS.alternatives
            assert {a.slot_id for a in refused.alternatives} <= free, refused.alternatives

    def _book(self, pupil: str, slot_id: int, key: str) -> None:
        expected, existing = self._predict_book(pupil, slot_id, key)
        result = self._attempt(expected, lambda: citizen.book(
            self.engine, self.world.pupil(pupil), slot_id=slot_id, client_key=key,
            now=self.now, settings=LIMITS))
        if expected is not None:
            self._check_alternatives(result)
            if expected[0] is errors.LimitReached:
                assert result.limit == LIMIT
            return
        if existing is not None:  # the same request again, or her own slot: nothing new
            assert result.id == existing
            return
        assert result.id not in self.model.bookings
        self.model.bookings[result.id] = ModelBooking(slot_id, pupil)
        self.model.keys[key] = result.id
        self.model.queue(result.id, "confirmed")
        self.model.queue_reminder(result.id, self.now)
        self.model.logged(result.id, "create")

    # --- rules ---

    @rule(pupil=st.sampled_from((*PUPILS, OUTSIDER)), pick=st.integers(0, 10_000),
          reuse_key=st.booleans())
    def book(self, pupil: str, pick: int, reuse_key: bool) -> None:
        slots = self._slot_ids()
        self._book(pupil, slots[pick % len(slots)], self._pick_key(reuse_key))

    @rule(pupil=st.sampled_from(PUPILS), pick=st.integers(0, 10_000))
    def book_a_free_slot(self, pupil: str, pick: int) -> None:
        # Mostly succeeds, so that the per-pupil limit is reached often.
        with db.session(self.engine) as s:
            free = [f.slot_id for f in citizen.free_slots(s, self.world.school_id, now=self.now,
                                                      days=28, settings=LIMITS)]
        assert free == self.model.free(self.now, 28)
        if free:
            self._book(pupil, free[pick % len(free)], self._new_key())

    @rule(pupil=st.sampled_from(PUPILS), pick=st.integers(0, 10_000))
    def book_to_the_limit(self, pupil: str, pick: int) -> None:
        # LIMIT + 1 free slots in a row: the last one (at least) meets the limit itself.
        for _ in range(LIMIT + 1):
            free = self.model.free(self.now, 28)
            if free:
                self._book(pupil, free[pick % len(free)], self._new_key())

    @precondition(lambda self: self.model.bookings)
    @rule(pupil=st.sampled_from(PUPILS), pick=st.integers(0, 10_000))
    def book_a_booked_slot(self, pupil: str, pick: int) -> None:
        # A slot that is or was booked: taken, her own already, or free again.
        booking_id = self._booking_ids()[pick % len(self.model.bookings)]
        self._book(pupil, self.model.bookings[booking_id].slot_id, self._new_key())

    @precondition(lambda self: self.model.bookings)
    @rule(pick=st.integers(0, 10_000), who=st.sampled_from(("owner", "nurse", "other")),
          reason=st.sampled_from((CANCEL_REASON, None)))
    def cancel(self, pick: int, who: str, reason: str | None) -> None:
        booking_id = self._booking_ids()[pick % len(self.model.bookings)]
        row = self.model.bookings[booking_id]
        pupil = row.pupil if who != "other" else next(p for p in PUPILS if p != row.pupil)
        actor = self.world.kari if who == "nurse" else self.world.pupil(pupil)
        expected: Refusal = None
        if who == "other":
            expected = AccessDenied, None
        elif row.status == BookingStatus.CANCELLED:
            pass  # a repeated request returns the booking as it is
        elif row.status != BookingStatus.BOOKED:
            expected = errors.InvalidTransition, None
        elif who == "nurse" and reason is None:
            expected = errors.ReasonRequired, None
        elif (who == "owner" and self.model.slots[row.slot_id].start_at
              - LIMITS.cancel_notice < self.now):
            expected = errors.TooLate, "cancel_notice"
        was_cancelled = row.status == BookingStatus.CANCELLED
        result = self._attempt(expected, lambda: citizen.cancel(
            self.engine, actor, booking_id, now=self.now, reason=reason, settings=LIMITS))
        if who == "other":
            self.model.logged(booking_id, "cancel", "denied")
        if expected is not None or was_cancelled:
            return
        assert result.id == booking_id and result.status == BookingStatus.CANCELLED
        row.status = BookingStatus.CANCELLED
        row.cancelled_by = "nurse" if who == "nurse" else "pupil"
        row.cancel_reason = reason
        self.model.drop_reminder(booking_id)
        self.model.queue(booking_id, "cancelled")
        self.model.logged(booking_id, "update")

    @precondition(lambda self: self.model.bookings)
    @rule(pick=st.integers(0, 10_000), to=st.integers(0, 10_000), by_nurse=st.booleans(),
          reuse_key=st.booleans())
    def move(self, pick: int, to: int, by_nurse: bool, reuse_key: bool) -> None:
        m = self.model
        booking_id = self._booking_ids()[pick % len(m.bookings)]
        slots = self._slot_ids()
        new_slot_id = slots[to % len(slots)]
        old, key = m.bookings[booking_id], self._pick_key(reuse_key)
        expected: Refusal = None
        existing = None
        if key in m.keys:
            same = m.bookings[m.keys[key]]
            if (same.slot_id, same.pupil, same.moved_from) == (new_slot_id, old.pupil,
                                                               booking_id):
                existing = m.keys[key]
            else:
                expected = errors.ClientKeyReused, None
        elif old.status != BookingStatus.BOOKED:
            expected = errors.InvalidTransition, None
        elif new_slot_id == old.slot_id:
            existing = booking_id
        elif (not by_nurse and m.slots[old.slot_id].start_at - LIMITS.cancel_notice
              < self.now):
            expected = errors.TooLate, "cancel_notice"
        else:
            expected = self._predict_bookable(m.slots[new_slot_id], by_nurse=by_nurse)
            if expected is None and m.upcoming(old.pupil, self.now, besides=booking_id) >= LIMIT:
                expected = errors.LimitReached, None
            if expected is None and m.holder(new_slot_id) is not None:
                expected = errors.SlotTaken, None
        actor = self.world.kari if by_nurse else self.world.pupil(old.pupil)
        result = self._attempt(expected, lambda: citizen.move(
            self.engine, actor, booking_id, new_slot_id=new_slot_id, client_key=key,
            now=self.now, settings=LIMITS))
        if expected is not None:
            self._check_alternatives(result)
            return
        if existing is not None:
            assert result.id == existing
            return
        assert result.id not in m.bookings
        old.status, old.cancelled_by, old.cancel_reason = (
            BookingStatus.CANCELLED, "nurse" if by_nurse else "pupil", "moved")
        m.bookings[result.id] = ModelBooking(new_slot_id, old.pupil, moved_from=booking_id)
        m.keys[key] = result.id
        m.drop_reminder(booking_id)
        m.logged(booking_id, "update")
        m.logged(result.id, "create")
        m.queue(result.id, "moved")
        m.queue_reminder(result.id, self.now)

    @precondition(lambda self: self.model.bookings)
    @rule(pick=st.integers(0, 10_000), attended=st.booleans())
    def mark(self, pick: int, attended: bool) -> None:
        booking_id = self._booking_ids()[pick % len(self.model.bookings)]
        row = self.model.bookings[booking_id]
        status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        expected: Refusal = None
        if row.status == BookingStatus.CANCELLED:
            expected = errors.InvalidTransition, None
        elif self.model.slots[row.slot_id].start_at - (
                LIMITS.mark_grace if attended else dt.timedelta(0)) > self.now:
            expected = errors.InvalidTransition, "not_started"
        action = staff.mark_attended if attended else staff.mark_no_show
        result = self._attempt(expected, lambda: action(self.engine, self.world.kari,
                                                        booking_id, now=self.now,
                                                        settings=LIMITS))
        if expected is not None:
            return
        assert result.status == status
        if row.status != status:
            row.status = status
            self.model.drop_reminder(booking_id)
            self.model.logged(booking_id, "update")

    @rule(weekday=st.sampled_from((1, 3)), minutes=st.sampled_from((15, 20, 30)),
          end_hour=st.integers(10, 15), remove=st.booleans())
    def change_schedule(self, weekday: int, minutes: int, end_hour: int, remove: bool) -> None:
        with db.session(self.engine) as s:
            mine = opening_hours.my_schedule(s, self.world.kari)
        current = next((w for w in mine.weekly if w.weekday == weekday), None)
        if remove and current is not None:
            result = opening_hours.delete_schedule_item(self.engine, self.world.kari, "weekly",
                                              current.id, now=self.now, settings=LIMITS)
        else:
            result = opening_hours.save_schedule_item(
                self.engine, self.world.kari,
                opening_hours.WeeklyHours(place_id=self.world.school_id, weekday=weekday,
                                          start=dt.time(9), end=dt.time(end_hour),
                                          slot_minutes=minutes, valid_from=NOW.date()),
                item_id=None if current is None else current.id, now=self.now, settings=LIMITS)
        # Which slots the new hours make is test_slot_generation's business; here: the
        # past and every held slot stay exactly as they were, and bookings never change.
        m, after = self.model, self._db_slots()
        for slot_id, before in m.slots.items():
            if before.start_at <= self.now or m.holder(slot_id) is not None:
                assert after[slot_id] == before, (slot_id, before, after[slot_id])
        assert all(after[i].start_at > self.now for i in after.keys() - m.slots.keys())
        for conflict in result.generation.conflicts:  # kept, never withdrawn
            assert m.holder(conflict.slot_id) == conflict.booking_id, conflict
        m.slots = after

    @rule(pick=st.integers(0, 10_000), unblock=st.booleans())
    def block(self, pick: int, unblock: bool) -> None:
        slot_id = self._slot_ids()[pick % len(self.model.slots)]
        slot = self.model.slots[slot_id]
        expected: Refusal = None
        if slot.status == SlotStatus.WITHDRAWN:
            expected = errors.SlotUnavailable, None
        elif not unblock and self.model.holder(slot_id) is not None:
            expected = errors.SlotBooked, None
        action = staff.unblock_slot if unblock else staff.block_slot
        self._attempt(expected, lambda: action(self.engine, self.world.kari, slot_id,
                                               now=self.now))
        if expected is None:
            slot.status = SlotStatus.OPEN if unblock else SlotStatus.BLOCKED

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    # --- the model against the database, after every step ---

    @invariant()
    def the_database_holds_what_the_model_expects(self) -> None:
        m = self.model
        with db.session(self.engine) as s:
            bookings = {b.id: ModelBooking(b.slot_id, self._pupil(b.person_id), b.status,
                                           b.moved_from_booking_id, b.cancelled_by,
                                           b.cancel_reason)
                        for b in s.exec(select(Booking)).all()}
            keys = {b.client_key: b.id for b in s.exec(select(Booking)).all()}
            messages = {o.dedupe_key: o.status for o in s.exec(select(Outbox)).all()
                        if o.dedupe_key.startswith("booking:")}
            log: dict[str, list[tuple[str, str]]] = {}
            for row in s.exec(select(AccessLog).where(AccessLog.object_type == "appointment")
                              .order_by(AccessLog.id)).all():
                log.setdefault(row.object_id or "", []).append((row.action, row.outcome))
        assert bookings == m.bookings
        assert keys == m.keys
        assert self._db_slots() == m.slots
        assert messages == m.messages
        assert log == m.log

    def _pupil(self, person_id: int) -> str:
        return next(k for k in PUPILS if self.world.persons[k].id == person_id)

    # --- invariants, checked with SQL over the tables, whatever the model says ---

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

