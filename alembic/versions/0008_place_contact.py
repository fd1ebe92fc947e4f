"""place contact: the phone number and when it answers, for every place

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone_hours',
                                      sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_column('phone_hours')
        batch_op.drop_column('phone')
