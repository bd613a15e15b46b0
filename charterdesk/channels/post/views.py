"""Desk pages of the post channel: register a received letter; a sent letter as PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from charterdesk.cases.access import case_for_user_or_404
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Message
from charterdesk.cases.services import AttachmentData
from charterdesk.channels.post.forms import RegisterLetterForm
from charterdesk.channels.post.letters import sent_letter_response
from charterdesk.channels.post.models import SentLetter
from charterdesk.channels.post.services import letter_register
from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create
from charterdesk.core.validators import normalise_email, normalise_phone
from charterdesk.directory.models import Employee
from charterdesk.security.staff import employee_required


def _find_or_make_client(contact: str, name: str, address: str) -> Client:
    """The client with this e-mail or phone, or a new one with the sender's name and address."""
    contact = contact.strip()
    if "@" in contact:
        email = normalise_email(contact)
        found = Client.objects.filter(email__iexact=email).order_by("pk").first()
        return found or client_create(name=name, email=email, postal_address=address)
    try:
        phone = normalise_phone(contact)
    except (ValidationError, ValueError):
        phone = contact  # client_create names the bad value
    found = Client.objects.filter(phone=phone).order_by("pk").first() if phone else None
    return found or client_create(name=name, phone=phone, postal_address=address)


def _register(form: RegisterLetterForm, employee: Employee) -> Message:
    data = form.cleaned_data
    scan = data.get("scan")
    client = None
    if form.case is None:
        client = _find_or_make_client(
            data["client_contact"], data["sender_name"], data["sender_address"]
        )
    return letter_register(
        by=employee,
        registration_number=data["registration_number"],
        sender_name=data["sender_name"],
        sender_address=data["sender_address"],
        letter_date=data.get("letter_date"),
        received_at=data["received_at"],
        programme=data.get("programme"),
        subject=data["subject"],
        text=data.get("text") or "",
        scan=AttachmentData(
            filename=scan.name,
            content_type=scan.content_type or "application/octet-stream",
            content=scan.read(),
        )
        if scan is not None
        else None,
        case=form.case,
        client=client,
    )


@employee_required
def register_letter(request: HttpRequest) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    form = RegisterLetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.case is not None:
        try:
            case_for_user_or_404(request.user, form.case.pk)
        except Http404:
            form.add_error(
                "case_reference", _("There is no case %(ref)s.") % {"ref": form.case.reference}
            )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a refused letter leaves no new client behind
                message = _register(form, employee)
        except ValidationError as exc:
            form.add_error("client_contact", " ".join(exc.messages))
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Letter %(number)s registered on case %(ref)s.")
                % {
                    "number": form.cleaned_data["registration_number"],
                    "ref": message.case.reference,
                },
            )
            return redirect(reverse("case", args=[message.case_id]) + f"#message-{message.pk}")
    status = 200 if request.method != "POST" else 400
    return render(request, "post/register.html", {"form": form, "nav": "post"}, status=status)


@employee_required
def sent_letter_pdf(request: HttpRequest, message_id: int) -> HttpResponse:
    letter = get_object_or_404(SentLetter.objects.select_related("case"), message_id=message_id)
    case_for_user_or_404(request.user, letter.case_id)  # 404 for a case the reader may not see
    return sent_letter_response(letter)
