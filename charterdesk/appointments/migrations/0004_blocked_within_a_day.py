"""A blocked range (the consultation with its buffers) lasts at most one day.

The slot search reads a consultant's bookings overlapping [lo, hi) as those whose ``blocked_from``
lies in [lo - 1 day, hi) and whose ``blocked_until`` is after ``lo`` — a range scan of the index
(consultant, blocked_from) instead of every booking before ``hi`` (``selectors.MAX_BLOCKED``).
That is exact only if no range is longer, so the database refuses one that is: a CHECK constraint
on PostgreSQL, two triggers on SQLite (a CHECK cannot be added to an existing SQLite table).
A slot lies inside one day's window, so no booking made by the service comes near the limit.

Like ``0002_no_double_booking`` the constraint is not in the model state; the tests check it on
both databases.
"""

from django.db import migrations

NAME = "appointment_blocked_within_a_day"

PG_FORWARD = f"""
ALTER TABLE appointments_appointment ADD CONSTRAINT {NAME}
    CHECK (blocked_until <= blocked_from + interval '1 day');
"""
PG_BACKWARD = f"ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS {NAME};"

_SQLITE_CHECK = f"""
    WHEN julianday(NEW.blocked_until) - julianday(NEW.blocked_from) > 1
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}');
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
        raise RuntimeError(f"no blocked-range limit for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [PG_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_plan_revision")]
    operations = [migrations.RunPython(forward, backward)]
