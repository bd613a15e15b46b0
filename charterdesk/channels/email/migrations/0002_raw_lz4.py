"""PostgreSQL: raw messages compressed with LZ4 instead of pglz (``ALTER … SET COMPRESSION``).

The raw bytes are most of what intake writes; pglz compression of them took about a fifth of the
server's work during a large import (``bench/email_import.py``), LZ4 a fraction of that, and LZ4
reads back faster too.  Existing rows keep their compression until rewritten; new ones use LZ4.
Servers built without LZ4, and other databases, are left as they are."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _lz4(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute(
                "ALTER TABLE email_channel_inboundemail ALTER COLUMN raw SET COMPRESSION lz4"
            )


def _pglz(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE email_channel_inboundemail ALTER COLUMN raw SET COMPRESSION pglz"
            )


class Migration(migrations.Migration):
    dependencies = [("email_channel", "0001_initial")]

    operations = [migrations.RunPython(_lz4, _pglz)]
