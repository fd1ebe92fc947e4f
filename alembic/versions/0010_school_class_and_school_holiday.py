"""school class and school holidays: the pupil's class on her enrollment, and the school
holidays (per municipality or school) that remove the school nurse's times

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_class', sqlmodel.sql.sqltypes.AutoString(
            length=16), nullable=True))
    op.create_table('school_holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('school_holiday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_holiday_municipality_id'),
                              ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_holiday_place_id'), ['place_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('school_holiday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_holiday_place_id'))
        batch_op.drop_index(batch_op.f('ix_school_holiday_municipality_id'))
    op.drop_table('school_holiday')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('school_class')
