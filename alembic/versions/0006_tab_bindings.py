"""tab bindings: which browser tab belongs to which session

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'tab_binding',
        sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('session_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('bound_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token'),
    )
    with op.batch_alter_table('tab_binding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tab_binding_session_hash'), ['session_hash'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tab_binding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tab_binding_session_hash'))
    op.drop_table('tab_binding')
