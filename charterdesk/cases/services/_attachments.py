"""Attachments as channels hand them over, stored content-addressed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from charterdesk.cases.models import Attachment, Message


@dataclass(frozen=True, slots=True)
class AttachmentData:
    """An attachment as a channel hands it over: every one is kept, inline and text parts too."""

    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


def attachment_rows(message: Message, attachments: Sequence[AttachmentData]) -> list[Attachment]:
    """Write each file content-addressed and return its (unsaved) row.

    The same file sent twice is stored once; a crash between writing the file and committing the
    row leaves only an orphan file, never a row without its file."""
    rows = []
    for item in attachments:
        digest = hashlib.sha256(item.content).hexdigest()
        path = f"attachments/{digest[:2]}/{digest}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(item.content))
        rows.append(
            Attachment(
                message=message,
                filename=(item.filename or "attachment")[:300],
                content_type=item.content_type[:200],
                size=len(item.content),
                sha256=digest,
                file=path,
                inline=item.inline,
                content_id=item.content_id[:300],
            )
        )
    return rows
