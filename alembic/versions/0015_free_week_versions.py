"""a version for each place's free times, kept by the database itself

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 21:30:00

place_version.version goes up in the same transaction as any change that can change a
place's free times: a slot made, changed or removed, a booking made, cancelled or moved,
and (for every place) a person's name or a health worker's role. Triggers keep it, so
every writer counts (any worker, the ORM, Core, a migration); the free-week cache
(booking/free_weeks.py) trusts a cached week only while its place's version is the same.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bump_sqlite(place: str) -> str:
    return (f"INSERT INTO place_version (place_id, version) VALUES ({place}, 1) "
            "ON CONFLICT (place_id) DO UPDATE SET version = version + 1;")


def _slot_of(column: str) -> str:
    return f"(SELECT place_id FROM slot WHERE id = {column})"


SQLITE = [
    f"""CREATE TRIGGER free_week_slot_insert AFTER INSERT ON slot
    BEGIN {_bump_sqlite("NEW.place_id")} END""",
    f"""CREATE TRIGGER free_week_slot_update AFTER UPDATE ON slot
    BEGIN {_bump_sqlite("NEW.place_id")} {_bump_sqlite("OLD.place_id")} END""",
    f"""CREATE TRIGGER free_week_slot_delete AFTER DELETE ON slot
    BEGIN {_bump_sqlite("OLD.place_id")} END""",
    f"""CREATE TRIGGER free_week_booking_insert AFTER INSERT ON booking
    BEGIN {_bump_sqlite(_slot_of("NEW.slot_id"))} END""",
    f"""CREATE TRIGGER free_week_booking_update AFTER UPDATE OF status, slot_id ON booking
    BEGIN {_bump_sqlite(_slot_of("NEW.slot_id"))} {_bump_sqlite(_slot_of("OLD.slot_id"))} END""",
    f"""CREATE TRIGGER free_week_booking_delete AFTER DELETE ON booking
    BEGIN {_bump_sqlite(_slot_of("OLD.slot_id"))} END""",
    """CREATE TRIGGER free_week_person_name AFTER UPDATE OF given_name, family_name ON person
    BEGIN UPDATE place_version SET version = version + 1; END""",
    """CREATE TRIGGER free_week_personnel AFTER UPDATE OF role, person_id ON personnel
    BEGIN UPDATE place_version SET version = version + 1; END""",
]

POSTGRES = [
    """CREATE FUNCTION free_week_bump(place integer) RETURNS void AS $$
    BEGIN
      IF place IS NOT NULL THEN
        INSERT INTO place_version (place_id, version) VALUES (place, 1)
        ON CONFLICT (place_id) DO UPDATE SET version = place_version.version + 1;
      END IF;
    END; $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION free_week_slot() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'DELETE' THEN PERFORM free_week_bump(NEW.place_id); END IF;
      IF TG_OP <> 'INSERT' THEN PERFORM free_week_bump(OLD.place_id); END IF;
      RETURN NULL;
    END; $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION free_week_booking() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'DELETE' THEN
        PERFORM free_week_bump((SELECT place_id FROM slot WHERE id = NEW.slot_id));
      END IF;
      IF TG_OP <> 'INSERT' THEN
        PERFORM free_week_bump((SELECT place_id FROM slot WHERE id = OLD.slot_id));
      END IF;
      RETURN NULL;
    END; $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION free_week_all() RETURNS trigger AS $$
    BEGIN UPDATE place_version SET version = version + 1; RETURN NULL; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER free_week_slot AFTER INSERT OR UPDATE OR DELETE ON slot
    FOR EACH ROW EXECUTE FUNCTION free_week_slot()""",
    """CREATE TRIGGER free_week_booking AFTER INSERT OR DELETE OR UPDATE OF status, slot_id
    ON booking FOR EACH ROW EXECUTE FUNCTION free_week_booking()""",
    """CREATE TRIGGER free_week_person_name AFTER UPDATE OF given_name, family_name ON person
    FOR EACH STATEMENT EXECUTE FUNCTION free_week_all()""",
    """CREATE TRIGGER free_week_personnel AFTER UPDATE OF role, person_id ON personnel
    FOR EACH STATEMENT EXECUTE FUNCTION free_week_all()""",
]


def upgrade() -> None:
    op.create_table(
        "place_version",
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id"), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("free_week_slot", "slot"), ("free_week_booking", "booking"),
                            ("free_week_person_name", "person"),
                            ("free_week_personnel", "personnel")):
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for function in ("free_week_slot()", "free_week_booking()", "free_week_all()",
                         "free_week_bump(integer)"):
            op.execute(f"DROP FUNCTION {function}")
    else:
        for name in ("slot_insert", "slot_update", "slot_delete", "booking_insert",
                     "booking_update", "booking_delete", "person_name", "personnel"):
            op.execute(f"DROP TRIGGER free_week_{name}")
    op.drop_table("place_version")
