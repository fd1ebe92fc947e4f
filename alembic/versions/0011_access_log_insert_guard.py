"""access log: no insert may replace a row or break the chain

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:10:00

UPDATE and DELETE were refused already; `INSERT OR REPLACE` with an existing id deleted
the old row without a DELETE trigger firing. Now every insert must come after the last
row and link to it (prev_hash is the last row's hash, or the genesis value when the log
is empty), and PostgreSQL refuses TRUNCATE too.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
# SQLite gives NEW.id as -1 in a BEFORE INSERT trigger when the id is left to it.
SQLITE = [f"""CREATE TRIGGER access_log_insert_appends BEFORE INSERT ON access_log
    WHEN NEW.id > 0 AND NEW.id <= COALESCE((SELECT MAX(id) FROM access_log), 0)
      OR NEW.prev_hash IS NOT COALESCE(
           (SELECT row_hash FROM access_log ORDER BY id DESC LIMIT 1), '{GENESIS}')
    BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"""]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION access_log_insert_appends() RETURNS trigger AS $$
    DECLARE last_id integer; last_hash text;
    BEGIN
      SELECT id, row_hash INTO last_id, last_hash FROM access_log ORDER BY id DESC LIMIT 1;
      IF (NEW.id IS NOT NULL AND NEW.id <= COALESCE(last_id, 0))
         OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{GENESIS}') THEN
        RAISE EXCEPTION 'access_log is append-only';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER access_log_insert_appends BEFORE INSERT ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_insert_appends()""",
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
]


def upgrade() -> None:
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_insert_appends ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_insert_appends()")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_insert_appends")
