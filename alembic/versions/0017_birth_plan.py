"""her birth plan: one per card, versioned like her notes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'pregnancy_birth_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('pain_relief', sa.JSON(), nullable=False),
        sa.Column('pain_relief_text', sqlmodel.sql.sqltypes.AutoString(length=500),
                  nullable=False),
        sa.Column('companions', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('interpreter', sa.Boolean(), nullable=False),
        sa.Column('fears', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('feeding', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('other', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('hidden_from_proxy', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['pregnancyrecord.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_id'),
    )


def downgrade() -> None:
    op.drop_table('pregnancy_birth_plan')
