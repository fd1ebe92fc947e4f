"""access log keyed with a secret outside the database, and signed checkpoints

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:00:00

Rows already written keep their plain SHA-256 (keyed = 0); new rows are HMACs with the
audit key (keyed = 1), and verify refuses an unkeyed row after a keyed one. Checkpoints
are append-only like the log.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE = [f"""CREATE TRIGGER audit_checkpoint_no_{verb.lower()} BEFORE {verb} ON audit_checkpoint
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END"""
          for verb in ("UPDATE", "DELETE")]
POSTGRES = ["""CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE
    ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"""]


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy), so the log's triggers stay as they are.
    op.add_column('access_log', sa.Column('keyed', sa.Integer(), nullable=False,
                                          server_default='0'))
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'))
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('audit_checkpoint')
    op.drop_column('access_log', 'keyed')
