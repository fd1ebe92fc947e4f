"""A backup taken while the app runs restores every booking and a verified access log,
on SQLite (the backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from digihelse.audit.log import Entry, append
from digihelse.booking import citizen
from digihelse.booking.models import Booking
from digihelse.core import backup, db
from digihelse.core.settings import BookingSettings
from tests.factories import NOW, TUESDAY

pytestmark = pytest.mark.postgres


def test_a_backup_restores_every_booking_and_a_verified_log(world, tmp_path):
    url = world.engine.url.render_as_string(hide_password=False)
    citizen.book(world.engine, world.pupil("ida"), slot_id=world.slot_at(TUESDAY, 10),
                 client_key="backup-1", now=NOW, settings=BookingSettings())
    with db.write_session(world.engine) as s:
        append(s, Entry(action="read", object_type="appointment", actor_role="citizen"))
    taken = backup.check(url)
    assert taken.bookings >= 1 and taken.log_ok
    copy = tmp_path / "digihelse.backup"
    backup.backup(url, copy)

    # Later: a booking is cancelled and more is logged; the restore brings back the copy.
    with db.write_session(world.engine) as s:
        s.exec(select(Booking)).first().status = "cancelled"
        append(s, Entry(action="read", object_type="appointment", actor_role="citizen"))
    world.engine.dispose()
    restored = backup.restore(url, copy)
    assert restored == taken
    with db.session(world.engine) as s:
        statuses = s.exec(select(Booking.status)).all()
        assert "booked" in statuses
        assert s.exec(select(func.count()).select_from(Booking)).one() == taken.bookings


def test_restore_says_when_there_is_no_backup(tmp_path):
    with pytest.raises(FileNotFoundError):
        backup.restore("sqlite:///" + str(tmp_path / "x.db"), tmp_path / "missing")
