"""The answer templates shipped with charterdesk (``default_templates.toml``), and their loader.

``install_default_templates()`` is what the demo and the institution's configuration command call;
it adds the shipped templates that are missing and leaves the ones an administrator edited alone
(``overwrite=True`` puts the shipped texts back).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction

from charterdesk.outbox.models import MessageTemplate, TemplateKind, TemplateLanguage
from charterdesk.outbox.templating import TemplateSourceError, check_template_source

DEFAULTS_FILE = Path(__file__).parent / "default_templates.toml"


class DefaultTemplatesError(ValueError):
    pass


@lru_cache(maxsize=1)
def shipped_templates() -> tuple[dict[str, str], ...]:
    """The shipped templates as checked dicts (name, kind, language, subject, body)."""
    try:
        data: dict[str, Any] = tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DefaultTemplatesError(f"{DEFAULTS_FILE}: cannot read the templates: {exc}") from None
    rows = []
    for index, raw in enumerate(data.get("template", []), start=1):
        where = f"{DEFAULTS_FILE}: template #{index} ({raw.get('name', '?')}, {raw.get('language', '?')})"
        missing = [k for k in ("name", "kind", "language", "body") if not raw.get(k)]
        if missing:
            raise DefaultTemplatesError(f"{where}: missing {', '.join(missing)}")
        if raw["kind"] not in TemplateKind.values or raw["language"] not in TemplateLanguage.values:
            raise DefaultTemplatesError(f"{where}: unknown kind or language")
        for field in ("subject", "body"):
            try:
                check_template_source(raw.get(field, ""))
            except TemplateSourceError as exc:
                raise DefaultTemplatesError(f"{where}: {field}: {exc}") from None
        rows.append(
            {
                "name": raw["name"],
                "kind": raw["kind"],
                "language": raw["language"],
                "subject": raw.get("subject", "").strip(),
                "body": raw["body"].strip() + "\n",
            }
        )
    return tuple(rows)


def shipped_template(kind: str, language: str) -> MessageTemplate | None:
    """An unsaved template with the shipped text of ``kind`` in ``language``, if one is shipped."""
    for row in shipped_templates():
        if row["kind"] == kind and row["language"] == language:
            return MessageTemplate(**row)
    return None


@transaction.atomic
def install_default_templates(*, overwrite: bool = False) -> int:
    """Add the shipped templates (for all programmes) that are missing; returns how many rows were
    written.  Idempotent."""
    written = 0
    for row in shipped_templates():
        existing = MessageTemplate.objects.filter(
            name=row["name"], language=row["language"], programme__isnull=True
        ).first()
        if existing is None:
            MessageTemplate.objects.create(**row)
            written += 1
        elif overwrite and (existing.subject, existing.body, existing.kind) != (
            row["subject"],
            row["body"],
            row["kind"],
        ):
            existing.subject, existing.body, existing.kind = (
                row["subject"],
                row["body"],
                row["kind"],
            )
            existing.is_active = True
            existing.save(update_fields=["subject", "body", "kind", "is_active", "updated_at"])
            written += 1
    return written
