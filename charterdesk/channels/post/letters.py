"""A letter as a printable PDF (WeasyPrint) in the institution's style.

The same template serves the preview (nothing saved) and a letter already recorded (made again
from its :class:`SentLetter` row, so it is the letter that was sent).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from charterdesk.cases.models import Case
from charterdesk.channels.post.models import SentLetter
from charterdesk.channels.post.services import (
    LetterContent,
    LetterRefused,
    letter_content,
    letter_number,
    saved_content,
)
from charterdesk.directory.models import Employee


def letter_date_text(content: LetterContent) -> str:
    if content.language == "en":
        return content.sent_on.strftime("%-d %B %Y")
    return content.sent_on.strftime("%d.%m.%Y.")


def letter_html(content: LetterContent, *, preview: bool = False) -> str:
    with translation.override(content.language):
        return render_to_string(
            "post/letter.html",
            {
                "letter": content,
                "date_text": letter_date_text(content),
                "paragraphs": [p.strip() for p in content.body_text.split("\n\n") if p.strip()],
                "identity_lines": content.identity_text.splitlines(),
                "preview": preview,
            },
        )


def letter_pdf(content: LetterContent, *, preview: bool = False) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=letter_html(content, preview=preview)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # Shown in the browser's own PDF viewer (a PDF made by us from text, not a client's file).
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def letter_preview_response(*, case: Case, employee: Employee, body: str) -> HttpResponse:
    """The letter the composer would record, as a PDF marked as a preview; nothing is saved."""
    try:
        content = letter_content(
            case=case,
            employee=employee,
            body=body,
            sent_on=timezone.localdate(),
            number=letter_number(case, None),
        )
    except LetterRefused as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return pdf_response(letter_pdf(content, preview=True), f"{case.reference}-preview.pdf")


def sent_letter_response(letter: SentLetter) -> HttpResponse:
    name = letter.registration_number.replace("/", "-")
    return pdf_response(letter_pdf(saved_content(letter)), f"{name}.pdf")
