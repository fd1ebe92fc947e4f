"""the card's list sections level with NHN's maternity record: points of contact, medical
conditions, medication, genetic disorders; the old contact texts become points of contact

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:55:00
"""

import json
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('points_of_contact', 'medical_conditions', 'medications', 'genetic_disorders')
ROLES = ('gp', 'midwife', 'birth_institution', 'other')


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the table: it would lose the partial index's WHERE).
    for column in COLUMNS:
        op.add_column('pregnancyrecord', sa.Column(column, sa.JSON(), nullable=False,
                                                   server_default=sa.text("'[]'")))
    # The contact texts ({"gp": "Dr Berg, Sentrum legekontor"}) become points of contact
    # with that role, the text as the name; the carer can then split it into its fields.
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, contacts FROM pregnancyrecord')).fetchall()
    for record_id, raw in rows:
        contacts = json.loads(raw) if isinstance(raw, str) else (raw or {})
        entries = [{'id': secrets.token_hex(4), 'role': role, 'name': str(contacts[role])[:200]}
                   for role in ROLES if str(contacts.get(role) or '').strip()]
        if entries:
            bind.execute(sa.text('UPDATE pregnancyrecord SET points_of_contact = :poc, '
                                 "contacts = '{}' WHERE id = :id"),
                         {'poc': json.dumps(entries), 'id': record_id})


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column('pregnancyrecord', column)
