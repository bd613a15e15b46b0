"""No double booking, in the database: a consultant's live appointments may not overlap.

PostgreSQL: an exclusion constraint over (consultant =, tstzrange(blocked_from, blocked_until) &&)
for rows that are not cancelled (``btree_gist`` gives ``=`` on bigint in a GiST index).  Two
concurrent inserts for the same time: the second waits for the first to commit, then fails with
SQLSTATE 23P01 naming the constraint.

SQLite: two triggers that refuse the same rows, raising an error with the constraint's name (SQLite
runs one writer at a time, so the check inside the writing transaction is race-free).

The model state does not carry the constraint (it is not expressible for both databases), so
``makemigrations`` leaves it alone; the tests check it on both.
"""

from django.db import migrations

NAME = "appointment_no_double_booking"

PG_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_appointment ADD CONSTRAINT {NAME}
    EXCLUDE USING gist (
        consultant_id WITH =,
        tstzrange(blocked_from, blocked_until, '[)') WITH &&
    ) WHERE (status <> 'cancelled' AND consultant_id IS NOT NULL);
"""
PG_BACKWARD = f"ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS {NAME};"

_SQLITE_CHECK = f"""
    WHEN NEW.status <> 'cancelled' AND NEW.consultant_id IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}')
        WHERE EXISTS (
            SELECT 1 FROM appointments_appointment AS other
            WHERE other.consultant_id = NEW.consultant_id
              AND other.id IS NOT NEW.id
              AND other.status <> 'cancelled'
              AND other.blocked_from < NEW.blocked_until
              AND other.blocked_until > NEW.blocked_from
        );
    END;
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON appointments_appointment {_SQLITE_CHECK}",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE ON appointments_appointment {_SQLITE_CHECK}",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {NAME}_insert;",
    f"DROP TRIGGER IF EXISTS {NAME}_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:  # pragma: no cover
        raise RuntimeError(f"no double-booking constraint for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [PG_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
