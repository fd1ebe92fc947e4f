"""holds and earlier-time offers: slot_hold, earlier_wish, earlier_offer, and the triggers
that make one active hold or booking per slot a rule of the database

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 21:30:00

After 0014 (messages) and 0015 (free-week versions). Holds need no place_version bump:
they time out without a write, so the free-week cache filters them after it
(booking/free_weeks.py).

A hold and a booking live in two tables, so no one unique index covers both. The booking
table's partial unique index keeps one active booking per slot, slot_hold's one active hold,
and these triggers refuse a hold on a booked slot and a booking on a held one. On
PostgreSQL the trigger first locks the slot row, so two transactions that insert a hold
and a booking at once are serialised and the second sees the first; SQLite has one writer.
The refusal is a constraint error on both (SQLITE_CONSTRAINT, SQLSTATE 23505), so callers
catch it as IntegrityError, as they do the unique index's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BOOKED = ("EXISTS (SELECT 1 FROM booking WHERE booking.slot_id = NEW.slot_id "
           "AND booking.status != 'cancelled')")
_HELD = ("EXISTS (SELECT 1 FROM slot_hold WHERE slot_hold.slot_id = NEW.slot_id "
         "AND slot_hold.status = 'active')")
_RAISE = "SELECT RAISE(ABORT, 'one active hold or booking per slot')"
SQLITE = [
    f"""CREATE TRIGGER slot_hold_not_booked BEFORE INSERT ON slot_hold
    WHEN NEW.status = 'active' AND {_BOOKED} BEGIN {_RAISE}; END""",
    f"""CREATE TRIGGER slot_hold_not_booked_update BEFORE UPDATE OF status, slot_id
    ON slot_hold WHEN NEW.status = 'active' AND {_BOOKED} BEGIN {_RAISE}; END""",
    f"""CREATE TRIGGER booking_not_held BEFORE INSERT ON booking
    WHEN NEW.status != 'cancelled' AND {_HELD} BEGIN {_RAISE}; END""",
    f"""CREATE TRIGGER booking_not_held_update BEFORE UPDATE OF status, slot_id ON booking
    WHEN NEW.status != 'cancelled' AND {_HELD} BEGIN {_RAISE}; END""",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION one_claim_per_slot() RETURNS trigger AS $$
    BEGIN
      IF TG_TABLE_NAME = 'slot_hold' THEN
        IF NEW.status = 'active' THEN
          PERFORM 1 FROM slot WHERE id = NEW.slot_id FOR UPDATE;
          IF {_BOOKED} THEN
            RAISE EXCEPTION 'one active hold or booking per slot' USING ERRCODE = '23505';
          END IF;
        END IF;
      ELSIF NEW.status != 'cancelled' THEN
        PERFORM 1 FROM slot WHERE id = NEW.slot_id FOR UPDATE;
        IF {_HELD} THEN
          RAISE EXCEPTION 'one active hold or booking per slot' USING ERRCODE = '23505';
        END IF;
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER slot_hold_one_claim BEFORE INSERT OR UPDATE OF status, slot_id
    ON slot_hold FOR EACH ROW EXECUTE FUNCTION one_claim_per_slot()""",
    """CREATE TRIGGER booking_one_claim BEFORE INSERT OR UPDATE OF status, slot_id
    ON booking FOR EACH ROW EXECUTE FUNCTION one_claim_per_slot()""",
]


def upgrade() -> None:
    op.create_table('slot_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('slot_hold', schema=None) as batch_op:
        batch_op.create_index('ix_slot_hold_status_expires', ['status', 'expires_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_slot_hold_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_slot_hold_active_slot', ['slot_id'], unique=True,
                              sqlite_where=sa.text("status = 'active'"),
                              postgresql_where=sa.text("status = 'active'"))

    op.create_table('earlier_wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('mornings_only', sa.Boolean(), nullable=False),
    sa.Column('weekdays', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id')
    )
    with op.batch_alter_table('earlier_wish', schema=None) as batch_op:
        batch_op.create_index('ix_earlier_wish_place_active', ['place_id', 'active'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_earlier_wish_person_id'), ['person_id'],
                              unique=False)

    op.create_table('earlier_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('hold_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('offered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['hold_id'], ['slot_hold.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], ),
    sa.ForeignKeyConstraint(['wish_id'], ['earlier_wish.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('earlier_offer', schema=None) as batch_op:
        batch_op.create_index('ix_earlier_offer_status_expires', ['status', 'expires_at'],
                              unique=False)
        batch_op.create_index('uq_earlier_offer_slot_wish', ['slot_id', 'wish_id'],
                              unique=True)
        batch_op.create_index(batch_op.f('ix_earlier_offer_person_id'), ['person_id'],
                              unique=False)

    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS booking_one_claim ON booking")
        op.execute("DROP TRIGGER IF EXISTS slot_hold_one_claim ON slot_hold")
        op.execute("DROP FUNCTION IF EXISTS one_claim_per_slot()")
    else:
        for name in ("booking_not_held_update", "booking_not_held",
                     "slot_hold_not_booked_update", "slot_hold_not_booked"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('earlier_offer')
    op.drop_table('earlier_wish')
    op.drop_table('slot_hold')
