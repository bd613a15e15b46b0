"""PostgreSQL: the read log's append in one round trip (lock, head, insert, in a function).

Same chain as the Python path (``readlog.row_hash``): sha256 over the previous hash and the fields'
text, unit-separated; the advisory lock is taken before the head is read and held to the commit.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION security_readlog_append(
    p_at timestamptz, p_user_id bigint, p_username varchar, p_kind varchar, p_object_id bigint,
    p_case_id bigint, p_client_id bigint, p_label varchar, p_source varchar, p_path varchar,
    p_ip inet, p_payload text
) RETURNS TABLE (new_id bigint, new_prev varchar, new_hash varchar) LANGUAGE plpgsql AS $$
DECLARE
    prev varchar(64);
BEGIN
    PERFORM pg_advisory_xact_lock(32199616316075879);
    SELECT r.hash INTO prev FROM security_readlogentry r ORDER BY r.id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    new_prev := prev;
    new_hash := encode(sha256(convert_to(prev || chr(31) || p_payload, 'UTF8')), 'hex');
    INSERT INTO security_readlogentry (at, user_id, username, kind, object_id, case_id,
        client_id, label, source, path, ip, prev_hash, hash)
    VALUES (p_at, p_user_id, p_username, p_kind, p_object_id, p_case_id, p_client_id, p_label,
        p_source, p_path, p_ip, prev, new_hash)
    RETURNING id INTO new_id;
    RETURN NEXT;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS security_readlog_append"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
