"""her own measurements at home ("målt selv"), versioned like her notes; hidden from a
partner with fullmakt until she shows them

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:50:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECTION = 'home_readings'


def _hidden_sections(change) -> None:
    """Privacy by default for the cards already open: her readings start hidden from a
    partner with fullmakt, as on a new card (models.DEFAULT_HIDDEN_SECTIONS)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, hidden_sections FROM pregnancyrecord')).all()
    for record_id, raw in rows:
        hidden = json.loads(raw) if isinstance(raw, str) else list(raw or [])
        updated = change([x for x in hidden if x != SECTION])
        if updated != hidden:
            bind.execute(sa.text('UPDATE pregnancyrecord SET hidden_sections = :h WHERE id = :i')
                         .bindparams(sa.bindparam('h', type_=sa.JSON)),
                         {'h': updated, 'i': record_id})


def upgrade() -> None:
    op.create_table(
        'pregnancy_home_reading',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('measured_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('bp_systolic', sa.Integer(), nullable=True),
        sa.Column('bp_diastolic', sa.Integer(), nullable=True),
        sa.Column('pulse', sa.Integer(), nullable=True),
        sa.Column('weight_kg', sa.Float(), nullable=True),
        sa.Column('hidden_from_proxy', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['pregnancyrecord.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_pregnancy_home_reading_record_id'), 'pregnancy_home_reading',
                    ['record_id'], unique=False)
    _hidden_sections(lambda hidden: [*hidden, SECTION])


def downgrade() -> None:
    _hidden_sections(lambda hidden: hidden)
    op.drop_index(op.f('ix_pregnancy_home_reading_record_id'),
                  table_name='pregnancy_home_reading')
    op.drop_table('pregnancy_home_reading')
