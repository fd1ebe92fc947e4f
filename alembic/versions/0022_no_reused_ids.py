"""her notes and home readings never get a deleted row's id again (SQLite AUTOINCREMENT)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 07:10:00

She may delete a note or a reading; its versions stay (append-only). Without AUTOINCREMENT
SQLite gives the next row the highest id again when the newest row was deleted, and that
row's first version then clashes with the deleted one's. The tables are rebuilt with
AUTOINCREMENT, and their counters start above every id the versions have seen. PostgreSQL
sequences never hand out an id twice, so nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"pregnancy_own_note": "own_note", "pregnancy_home_reading": "home_reading"}


def _rebuild(autoincrement: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(True)
    for table, entity in TABLES.items():
        # The highest id either the table or the versions have seen; sqlite_sequence has a
        # row for the table once it holds a row, so insert one when it does not.
        highest = (f"max(coalesce((SELECT max(id) FROM {table}), 0), "  # noqa: S608
                   f"coalesce((SELECT max(entity_id) FROM pregnancy_version "
                   f"WHERE entity = '{entity}'), 0))")
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")  # noqa: S608
        op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {highest})")  # noqa: S608


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(False)
