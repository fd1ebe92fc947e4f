"""her consent to the card, and removing a card when she withdraws it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 00:45:00

The card's versions stay append-only (migration 0004), with one controlled exception: a
DELETE is allowed for the versions of a record named (id and creation time) in
pregnancy_card_removal, the row the
withdrawal service writes in the same transaction (healthcard/consent.py). UPDATE stays
refused, and the removal rows are themselves append-only, so a removal cannot be hidden.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The removal names the record by id and creation time, so a later card that SQLite gives
# the same id (rowids of deleted rows come back) is not covered by an old removal.
_REMOVED = ("SELECT 1 FROM pregnancy_card_removal r JOIN pregnancyrecord p "
            "ON p.id = r.record_id AND p.created_at = r.record_created_at "
            "WHERE r.record_id = OLD.record_id")

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS pregnancy_version_no_delete",
    f"""CREATE TRIGGER pregnancy_version_no_delete BEFORE DELETE ON pregnancy_version
    WHEN NOT EXISTS ({_REMOVED})
    BEGIN SELECT RAISE(ABORT, 'pregnancy_version is append-only'); END""",
    *[f"""CREATE TRIGGER pregnancy_card_removal_no_{verb.lower()} BEFORE {verb}
    ON pregnancy_card_removal
    BEGIN SELECT RAISE(ABORT, 'pregnancy_card_removal is append-only'); END"""
      for verb in ("UPDATE", "DELETE")],
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS pregnancy_card_removal_no_update",
    "DROP TRIGGER IF EXISTS pregnancy_card_removal_no_delete",
    "DROP TRIGGER IF EXISTS pregnancy_version_no_delete",
    """CREATE TRIGGER pregnancy_version_no_delete BEFORE DELETE ON pregnancy_version
    BEGIN SELECT RAISE(ABORT, 'pregnancy_version is append-only'); END""",
]
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION pregnancy_version_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND EXISTS ({_REMOVED}) THEN RETURN OLD; END IF;
      RAISE EXCEPTION 'pregnancy_version is append-only';
    END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION pregnancy_card_removal_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'pregnancy_card_removal is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER pregnancy_card_removal_append_only BEFORE UPDATE OR DELETE
    ON pregnancy_card_removal FOR EACH ROW EXECUTE FUNCTION pregnancy_card_removal_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS pregnancy_card_removal_append_only ON pregnancy_card_removal",
    "DROP FUNCTION IF EXISTS pregnancy_card_removal_append_only()",
    """CREATE OR REPLACE FUNCTION pregnancy_version_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'pregnancy_version is append-only'; END; $$ LANGUAGE plpgsql""",
]


def upgrade() -> None:
    op.create_table(
        'pregnancy_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('woman_id', sa.Integer(), nullable=False),
        sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('given_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('recorded_by_pid', sqlmodel.sql.sqltypes.AutoString(length=11),
                  nullable=True),
        sa.Column('recorded_by_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('recorded_by_hpr', sqlmodel.sql.sqltypes.AutoString(length=9),
                  nullable=True),
        sa.Column('recorded_by_role', sqlmodel.sql.sqltypes.AutoString(length=32),
                  nullable=True),
        sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['woman_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('pregnancy_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pregnancy_consent_woman_id'), ['woman_id'],
                              unique=False)
        batch_op.create_index('ux_pregnancy_consent_standing', ['woman_id'], unique=True,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))
    op.create_table(
        'pregnancy_card_removal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('record_created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('woman_id', sa.Integer(), nullable=False),
        sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.ForeignKeyConstraint(['woman_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_id', 'record_created_at'),
    )
    with op.batch_alter_table('pregnancy_card_removal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pregnancy_card_removal_record_id'), ['record_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_pregnancy_card_removal_woman_id'), ['woman_id'],
                              unique=False)
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_UP if dialect == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_DOWN if dialect == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table('pregnancy_card_removal')
    op.drop_table('pregnancy_consent')
