"""when a pregnancy ends: how it ended, and whether she shows it to her fullmakt receivers

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pregnancyrecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_kind', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('ending_shown_to_proxy', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('pregnancyrecord', schema=None) as batch_op:
        batch_op.drop_column('ending_shown_to_proxy')
        batch_op.drop_column('end_kind')
