"""PostgreSQL: the access columns of a case on its search document, so one GIN scan filters the
words, the status and who may see the case [CONFIDENTIALITY] (docs/security.md, "Search").

``search_searchdocument.facets`` (``text[]``) holds, for the document's case:

- ``s:<status>``; ``due`` or ``nodue``: whether the case has a deadline (``next_due_at``), so a
  search sorted by deadline reads the cases with one first and the others (sorted by id) only
  when a page needs them;
- ``a:<assignee id>``, ``t:<team id>``, ``n:<employee id>`` per colleague named on it;
- if the case is not confidential: ``pub``, and ``p:<programme id>`` or, with neither programme nor
  team, ``gen`` (the general queue).

These mirror ``charterdesk.cases.access.visible_q``: ``search.query.visible_facets`` lists the
facets one of which a document must carry for a person to possibly see its case.  They only narrow
the index scan; the case rule itself is still applied to the case rows, so a stale facet could hide
a case from a search but never show one.  Triggers keep them current: on the document itself
(insert, new text), on the case (status, assignee, team, programme, confidential, a deadline set
or cleared) and on the named colleagues.  One multicolumn GIN index over ``(vector, facets)``
replaces the words-only index.

SQLite (embedded mode, FTS5) has neither the column nor the triggers; its search filters the case
rows only, which is fast at the sizes SQLite is for.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN facets text[] NOT NULL DEFAULT '{}'
    """,
    """
    CREATE OR REPLACE FUNCTION search_case_facets(cid bigint) RETURNS text[]
    LANGUAGE sql STABLE AS $$
        SELECT coalesce((
            SELECT ARRAY['s:' || c.status,
                         CASE WHEN c.next_due_at IS NULL THEN 'nodue' ELSE 'due' END]
                || CASE WHEN c.assignee_id IS NOT NULL
                        THEN ARRAY['a:' || c.assignee_id] ELSE '{}'::text[] END
                || CASE WHEN c.team_id IS NOT NULL
                        THEN ARRAY['t:' || c.team_id] ELSE '{}'::text[] END
                || CASE WHEN c.confidential THEN '{}'::text[]
                        WHEN c.programme_id IS NOT NULL THEN ARRAY['pub', 'p:' || c.programme_id]
                        WHEN c.team_id IS NULL THEN ARRAY['pub', 'gen']
                        ELSE ARRAY['pub'] END
                || coalesce((SELECT array_agg('n:' || n.employee_id ORDER BY n.employee_id)
                             FROM cases_case_named n WHERE n.case_id = c.id), '{}'::text[])
            FROM cases_case c WHERE c.id = cid), '{}'::text[])
    $$
    """,
    # The document's own row: facets computed whenever it is written with new words.
    """
    CREATE OR REPLACE FUNCTION search_document_facets() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.facets := search_case_facets(NEW.case_id);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER search_document_facets
    BEFORE INSERT OR UPDATE OF case_id, text, vector ON search_searchdocument
    FOR EACH ROW EXECUTE FUNCTION search_document_facets()
    """,
    # The case: any change of what the facets say (a save() writes every column; WHEN keeps the
    # document untouched unless one of them changed).
    """
    CREATE OR REPLACE FUNCTION search_case_facets_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE search_searchdocument SET facets = search_case_facets(NEW.id)
        WHERE case_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER search_case_facets
    AFTER UPDATE OF status, assignee_id, team_id, programme_id, confidential, next_due_at
    ON cases_case FOR EACH ROW WHEN (
        OLD.status IS DISTINCT FROM NEW.status
        OR (OLD.next_due_at IS NULL) <> (NEW.next_due_at IS NULL)
        OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.team_id IS DISTINCT FROM NEW.team_id
        OR OLD.programme_id IS DISTINCT FROM NEW.programme_id
        OR OLD.confidential IS DISTINCT FROM NEW.confidential
    ) EXECUTE FUNCTION search_case_facets_changed()
    """,
    # The colleagues named on a case.
    """
    CREATE OR REPLACE FUNCTION search_case_named_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        cid bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN cid := OLD.case_id; ELSE cid := NEW.case_id; END IF;
        UPDATE search_searchdocument SET facets = search_case_facets(cid) WHERE case_id = cid;
        IF TG_OP = 'UPDATE' AND OLD.case_id <> NEW.case_id THEN
            UPDATE search_searchdocument SET facets = search_case_facets(OLD.case_id)
            WHERE case_id = OLD.case_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER search_case_named
    AFTER INSERT OR UPDATE OR DELETE ON cases_case_named
    FOR EACH ROW EXECUTE FUNCTION search_case_named_changed()
    """,
    # The documents already there, in one statement with no GIN index to keep up meanwhile (the
    # words-only index goes first, the new one is built after): a few minutes at a million cases.
    "DROP INDEX IF EXISTS search_doc_vector_gin",
    """
    UPDATE search_searchdocument SET facets = search_case_facets(case_id)
    """,
    """
    CREATE INDEX search_doc_vector_facets_gin ON search_searchdocument
    USING gin (vector, facets)
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_vector_facets_gin",
    "CREATE INDEX IF NOT EXISTS search_doc_vector_gin ON search_searchdocument USING gin (vector)",
    "DROP TRIGGER IF EXISTS search_case_named ON cases_case_named",
    "DROP TRIGGER IF EXISTS search_case_facets ON cases_case",
    "DROP TRIGGER IF EXISTS search_document_facets ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_case_named_changed()",
    "DROP FUNCTION IF EXISTS search_case_facets_changed()",
    "DROP FUNCTION IF EXISTS search_document_facets()",
    "DROP FUNCTION IF EXISTS search_case_facets(bigint)",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS facets",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("cases", "0006_access_confidential"),
    ]

    operations = [migrations.RunPython(forward, backward)]
