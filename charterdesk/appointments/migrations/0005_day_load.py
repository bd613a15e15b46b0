"""A consultant's live blocked time per UTC day, kept by the database itself (``DayLoad``).

Triggers on ``appointments_appointment`` change the day's row by deltas on every insert, delete
and update of a live range (status not cancelled, a consultant): +length / +1 for a range that
becomes live, -length / -1 for one that stops being live (cancelled, moved, deleted).  A delta is
an ``INSERT ... ON CONFLICT DO UPDATE`` on PostgreSQL, which re-reads the committed row under its
lock, so concurrent bookings of one consultant's day add up (tested with threads); an update
that moves a range between two days changes the two rows in key order (no deadlock between two
opposite moves).  SQLite runs one writer at a time.  A ``TRUNCATE`` of the appointments empties
the table too.  The existing appointments are summed in at the end.

Lengths are whole seconds rounded down, spans rounded outwards, the day is that of
``blocked_from`` (``floor(epoch / 86400)``): the slot search's bound stays a lower bound
(``loads.py``).  The triggers are not in the model state (like ``0002``); the tests check them.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "appointments_appointment"
LOADS = "appointments_dayload"

PG_FORWARD = f"""
CREATE FUNCTION appointments_day_load_add(emp bigint, f timestamptz, u timestamptz, sign integer)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO {LOADS} AS d (consultant_id, day, blocked_seconds, live, span_from, span_until)
  VALUES (emp, floor(extract(epoch FROM f) / 86400)::integer,
          sign * greatest(0, floor(extract(epoch FROM u)) - ceil(extract(epoch FROM f)))::bigint,
          sign, floor(extract(epoch FROM f))::bigint, ceil(extract(epoch FROM u))::bigint)
  ON CONFLICT (consultant_id, day) DO UPDATE SET
    blocked_seconds = d.blocked_seconds + EXCLUDED.blocked_seconds,
    live = d.live + EXCLUDED.live,
    span_from = CASE WHEN EXCLUDED.live < 0 THEN d.span_from
                     WHEN d.live <= 0 THEN EXCLUDED.span_from
                     ELSE least(d.span_from, EXCLUDED.span_from) END,
    span_until = CASE WHEN EXCLUDED.live < 0 THEN d.span_until
                      WHEN d.live <= 0 THEN EXCLUDED.span_until
                      ELSE greatest(d.span_until, EXCLUDED.span_until) END
$$;

CREATE FUNCTION appointments_day_load() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_live boolean := false;
  new_live boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    old_live := OLD.status <> 'cancelled' AND OLD.consultant_id IS NOT NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    new_live := NEW.status <> 'cancelled' AND NEW.consultant_id IS NOT NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND old_live = new_live AND (NOT new_live OR (
       OLD.consultant_id = NEW.consultant_id AND OLD.blocked_from = NEW.blocked_from
       AND OLD.blocked_until = NEW.blocked_until)) THEN
    RETURN NULL;
  END IF;
  IF old_live AND new_live AND (NEW.consultant_id, NEW.blocked_from)
                               < (OLD.consultant_id, OLD.blocked_from) THEN
    -- the rows in key order: two opposite moves do not wait for each other
    PERFORM appointments_day_load_add(NEW.consultant_id, NEW.blocked_from, NEW.blocked_until, 1);
    PERFORM appointments_day_load_add(OLD.consultant_id, OLD.blocked_from, OLD.blocked_until, -1);
    RETURN NULL;
  END IF;
  IF old_live THEN
    PERFORM appointments_day_load_add(OLD.consultant_id, OLD.blocked_from, OLD.blocked_until, -1);
  END IF;
  IF new_live THEN
    PERFORM appointments_day_load_add(NEW.consultant_id, NEW.blocked_from, NEW.blocked_until, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION appointments_day_load_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {LOADS};
  RETURN NULL;
END $$;

CREATE TRIGGER appointments_day_load
  AFTER INSERT OR DELETE OR UPDATE OF status, consultant_id, blocked_from, blocked_until
  ON {TABLE} FOR EACH ROW EXECUTE FUNCTION appointments_day_load();
CREATE TRIGGER appointments_day_load_truncate
  AFTER TRUNCATE ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION appointments_day_load_truncate();
"""
# The search reads a range of days for many consultants: an index-only scan.
PG_INDEX = f"""
CREATE INDEX day_load_read ON {LOADS} (day, consultant_id)
    INCLUDE (blocked_seconds, span_from, span_until) WHERE live > 0;
"""
PG_FILL = f"""
INSERT INTO {LOADS} (consultant_id, day, blocked_seconds, live, span_from, span_until)
SELECT consultant_id, floor(extract(epoch FROM blocked_from) / 86400)::integer,
       sum(greatest(0, floor(extract(epoch FROM blocked_until))
                       - ceil(extract(epoch FROM blocked_from))))::bigint,
       count(*), min(floor(extract(epoch FROM blocked_from)))::bigint,
       max(ceil(extract(epoch FROM blocked_until)))::bigint
FROM {TABLE} WHERE status <> 'cancelled' AND consultant_id IS NOT NULL
GROUP BY 1, 2;
"""
PG_BACKWARD = f"""
DROP INDEX IF EXISTS day_load_read;
DROP TRIGGER IF EXISTS appointments_day_load ON {TABLE};
DROP TRIGGER IF EXISTS appointments_day_load_truncate ON {TABLE};
DROP FUNCTION IF EXISTS appointments_day_load();
DROP FUNCTION IF EXISTS appointments_day_load_truncate();
DROP FUNCTION IF EXISTS appointments_day_load_add(bigint, timestamptz, timestamptz, integer);
"""


def _sqlite_floor(x: str) -> str:
    return f"CAST(strftime('%s', {x}) AS INTEGER)"


def _sqlite_ceil(x: str) -> str:
    # Django writes 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC): a fraction rounds up.
    return f"({_sqlite_floor(x)} + (CAST(substr({x}, 21) AS INTEGER) > 0))"


def _sqlite_delta(row: str, sign: int) -> list[str]:
    f, u = f"{row}.blocked_from", f"{row}.blocked_until"
    day = f"({_sqlite_floor(f)} / 86400)"
    length = f"max(0, {_sqlite_floor(u)} - {_sqlite_ceil(f)})"
    live = f"{row}.status <> 'cancelled' AND {row}.consultant_id IS NOT NULL"
    where = f"consultant_id = {row}.consultant_id AND day = {day}"
    if sign < 0:
        return [
            f"UPDATE {LOADS} SET blocked_seconds = blocked_seconds - {length}, live = live - 1"
            f" WHERE {where} AND {live};"
        ]
    return [
        f"INSERT OR IGNORE INTO {LOADS}"
        " (consultant_id, day, blocked_seconds, live, span_from, span_until)"
        f" SELECT {row}.consultant_id, {day}, 0, 0, {_sqlite_floor(f)}, {_sqlite_ceil(u)}"
        f" WHERE {live};",
        f"UPDATE {LOADS} SET blocked_seconds = blocked_seconds + {length}, live = live + 1,"
        f" span_from = CASE WHEN live <= 0 THEN {_sqlite_floor(f)}"
        f" ELSE min(span_from, {_sqlite_floor(f)}) END,"
        f" span_until = CASE WHEN live <= 0 THEN {_sqlite_ceil(u)}"
        f" ELSE max(span_until, {_sqlite_ceil(u)}) END"
        f" WHERE {where} AND {live};",
    ]


_CHANGED = (
    "OLD.status IS NOT NEW.status OR OLD.consultant_id IS NOT NEW.consultant_id"
    " OR OLD.blocked_from IS NOT NEW.blocked_from OR OLD.blocked_until IS NOT NEW.blocked_until"
)
SQLITE_FORWARD = [
    f"CREATE TRIGGER appointments_day_load_insert AFTER INSERT ON {TABLE} BEGIN "
    + " ".join(_sqlite_delta("NEW", 1))
    + " END;",
    f"CREATE TRIGGER appointments_day_load_delete AFTER DELETE ON {TABLE} BEGIN "
    + " ".join(_sqlite_delta("OLD", -1))
    + " END;",
    f"CREATE TRIGGER appointments_day_load_update AFTER UPDATE ON {TABLE} WHEN {_CHANGED} BEGIN "
    + " ".join(_sqlite_delta("OLD", -1) + _sqlite_delta("NEW", 1))
    + " END;",
]
SQLITE_FILL = f"""
INSERT INTO {LOADS} (consultant_id, day, blocked_seconds, live, span_from, span_until)
SELECT consultant_id, {_sqlite_floor("blocked_from")} / 86400,
       sum(max(0, {_sqlite_floor("blocked_until")} - {_sqlite_ceil("blocked_from")})),
       count(*), min({_sqlite_floor("blocked_from")}), max({_sqlite_ceil("blocked_until")})
FROM {TABLE} WHERE status <> 'cancelled' AND consultant_id IS NOT NULL
GROUP BY 1, 2;
"""
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS appointments_day_load_insert;",
    "DROP TRIGGER IF EXISTS appointments_day_load_delete;",
    "DROP TRIGGER IF EXISTS appointments_day_load_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
        schema_editor.execute(PG_INDEX)
        schema_editor.execute(PG_FILL)
    elif vendor == "sqlite":
        # No parameters: the statements' strftime('%s') must reach SQLite as written.
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, None)
        schema_editor.execute(SQLITE_FILL, None)
    else:  # pragma: no cover
        raise RuntimeError(f"no day loads for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [PG_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_blocked_within_a_day"),
        ("directory", "0005_merge_parallel_work"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayLoad",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.IntegerField()),
                ("blocked_seconds", models.BigIntegerField(default=0)),
                ("live", models.IntegerField(default=0)),
                ("span_from", models.BigIntegerField()),
                ("span_until", models.BigIntegerField()),
                (
                    "consultant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="directory.employee",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "consultant"), name="day_load_day_consultant"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
