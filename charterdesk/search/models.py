"""One search document per case: its reference, subject, client and every message's text."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case


class SearchDocument(models.Model):
    """The folded words of a case (see ``search.text``).

    PostgreSQL: ``vector`` holds ``to_tsvector('simple', text)`` with a GIN index (created in the
    migration, PostgreSQL only).  SQLite: the words also go into the FTS5 table ``search_fts``
    (rowid = case id), created in the migration on SQLite only; ``vector`` stays empty there."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField(_("indexed words"), blank=True)
    vector = SearchVectorField(null=True, blank=True)
    updated_at = models.DateTimeField(_("indexed at"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"search document of case {self.case_id}"
