"""The identity block every outgoing e-mail carries [EMAIL-IDENTITY].

The standard asks for the institution's name and the employee's first name, surname and contact
details, in the corporate style.  The block is made here, in the client's language, as plain text
and as HTML (a Django template, so every value is escaped); the desk shows the same block in its
reply preview.  A block that cannot be made complete is an error, never a shorter block.

A message nobody wrote (the automatic acknowledgement [EMAIL-ACK]) carries the institution's block
without an employee: naming a person who did not write the mail, or who may not even have the case
yet, would tell the client something untrue.  Every answer written by an employee carries theirs.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charterdesk.core.validators import format_phone
from charterdesk.directory.models import Employee, Institution
from charterdesk.outbox.errors import IdentityMissing

LANGUAGES = ("lv", "en")


def block_language(language: str | None) -> str:
    """The language a block is written in: Latvian or English; anything else falls back to Latvian,
    the institution's default language."""
    code = (language or "lv")[:2].lower()
    return code if code in LANGUAGES else "lv"


def institution_name(institution: Institution, language: str) -> str:
    if block_language(language) == "en" and institution.name_en.strip():
        return institution.name_en.strip()
    return institution.name_lv.strip()


def identity_problems(
    *, institution: Institution | None, employee: Employee | None, language: str
) -> list[str]:
    """What is missing for a complete block, as sentences for the employee or administrator."""
    problems: list[str] = []
    if institution is None:
        problems.append(_("No institution is configured; an administrator must enter it."))
    else:
        if not institution_name(institution, language):
            problems.append(_("The institution has no name."))
        if employee is None and not (institution.general_phone or institution.general_email):
            problems.append(_("The institution has neither a general phone nor a general e-mail."))
    if employee is not None:
        who = employee.full_name.strip() or f"#{employee.pk}"
        if not employee.first_name.strip():
            problems.append(_("Employee %(who)s has no first name.") % {"who": who})
        if not employee.surname.strip():
            problems.append(_("Employee %(who)s has no surname.") % {"who": who})
        if not (employee.phone or employee.email):
            problems.append(
                _("Employee %(who)s has neither a phone number nor an e-mail address.")
                % {"who": who}
            )
    return problems


def _parts(institution: Institution, employee: Employee | None, language: str) -> dict[str, str]:
    if employee is not None:
        phone, email = employee.phone, employee.email
        name = f"{employee.first_name.strip()} {employee.surname.strip()}"
        position = employee.position(language).strip()
    else:
        phone, email = institution.general_phone, institution.general_email
        name, position = "", ""
    return {
        "regards": _("Kind regards,"),
        "name": name,
        "position": position,
        "institution": institution_name(institution, language),
        "phone": format_phone(phone) if phone else "",
        "phone_e164": phone or "",
        "email": email or "",
        "phone_label": pgettext("identity block, before the number", "Phone"),
    }


def render_identity_block(
    *, institution: Institution | None, employee: Employee | None, language: str
) -> tuple[str, str]:
    """Return the identity block as ``(text, html)`` in ``language`` (``lv`` or ``en``).

    ``employee=None`` gives the institution's block (for messages the system sends).  Raises
    :class:`IdentityMissing` naming every missing piece when the block cannot be complete."""
    language = block_language(language)
    problems = identity_problems(institution=institution, employee=employee, language=language)
    if problems:
        raise IdentityMissing(
            _("The identity block [EMAIL-IDENTITY] cannot be made, so the e-mail is not sent: %s")
            % " ".join(problems)
        )
    assert institution is not None  # identity_problems said so
    with translation.override(language):
        parts = _parts(institution, employee, language)
        contacts = []
        if parts["phone"]:
            contacts.append(f"{parts['phone_label']} {parts['phone']}")
        if parts["email"]:
            contacts.append(parts["email"])
        lines = [parts["regards"]]
        if parts["name"]:
            lines.append(parts["name"])
        if parts["position"]:
            lines.append(parts["position"])
        lines.append(parts["institution"])
        lines.append(" · ".join(contacts))
        text = "\n".join(lines)
        # Auto-escaped template output; strip() would drop the safe mark, so restore it.
        template = "outbox/identity_block.html"
        html = mark_safe(render_to_string(template, parts).strip())  # nosec B308 B703
    return text, html
