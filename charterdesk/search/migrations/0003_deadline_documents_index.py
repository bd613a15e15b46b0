"""PostgreSQL: a second GIN index over ``(vector, facets)`` of only the documents of cases with a
deadline (facet ``due``: the active ones, ~7 % of the cases).

A search's first part reads the matches with a deadline (desk/selectors.py, ``_search_rows``); in
the whole index a common word's posting lists are those of every case it was ever written in, so
that part cost 100–200 ms at a million cases for a word in 8–17 % of them; in this index they are
a fifteenth of that size (docs/desk.md, "Common words").  Kept up to date by PostgreSQL itself:
the facets trigger of 0002 moves a document in or out when its case gets or loses a deadline."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_doc_due_gin ON search_searchdocument"
    " USING gin (vector, facets) WHERE facets && '{due}'::text[]"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_doc_due_gin")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_document_access_facets")]

    operations = [migrations.RunPython(create, drop)]
