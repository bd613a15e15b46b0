"""Answer templates: checked when saved, rendered sandboxed, shipped defaults installed once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from charterdesk.outbox.admin import MessageTemplateForm
from charterdesk.outbox.defaults import install_default_templates, shipped_templates
from charterdesk.outbox.errors import TemplateMissing
from charterdesk.outbox.models import MessageTemplate
from charterdesk.outbox.services import template_find, template_render
from charterdesk.outbox.templating import (
    TemplateSourceError,
    check_template_source,
    render_template_text,
)
from tests.factories import make_programme
from tests.outbox.conftest import open_email_case

CONTEXT = {"client_name": "Jānis", "case_reference": "ALT-2026-000123"}


def test_renders_variables_as_plain_text_without_escaping():
    text = render_template_text(
        "Labdien, {{ client_name }}! Lieta {{ case_reference }}.",
        {"client_name": 'SIA "Ābeles" & <Co>', "case_reference": "ALT-2026-000123"},
    )
    assert text == 'Labdien, SIA "Ābeles" & <Co>! Lieta ALT-2026-000123.'


def test_if_firstof_and_filters_work():
    source = (
        "{% if expected_answer_by %}Līdz {{ expected_answer_by }}{% else %}Drīz{% endif %}"
        " {% firstof employee_name institution_name %} {{ client_name|upper }}"
        "{% comment %}piezīme{% endcomment %}"
    )
    assert (
        render_template_text(source, {**CONTEXT, "institution_name": "Altum"}) == "Drīz Altum JĀNIS"
    )


@pytest.mark.parametrize(
    "source, message",
    [
        ("Labdien, {{ clientname }}!", "Unknown variable {{ clientname }}"),
        ("{% if secret %}x{% endif %}", "Unknown variable {{ secret }}"),
        ("{{ client_name|default:password }}", "Unknown variable {{ password }}"),
        ("{{ client_name.upper }}", "variables are plain text"),
        ("{{ client_name.__class__ }}", "syntax error"),
        ("{% if client_name %}unclosed", "syntax error"),
        ("{{ client_name|safe }}", "filter “safe”"),
        ("{% include 'x.html' %}", "not allowed"),
        ("{% load static %}", "syntax error"),
        ("{% debug %}", "not allowed"),
        ("{% for x in client_name %}{{ x }}{% endfor %}", "not allowed"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(source, message):
    with pytest.raises(TemplateSourceError) as excinfo:
        check_template_source(source)
    assert message in str(excinfo.value)


def test_rendering_refuses_unknown_context_and_objects():
    with pytest.raises(TemplateSourceError, match="Unknown template variables: user"):
        render_template_text("x", {"user": "x"})
    with pytest.raises(TypeError, match="must be a string"):
        render_template_text("x", {"client_name": object()})  # type: ignore[dict-item]


@pytest.mark.django_db
def test_admin_form_shows_the_error_on_the_field():
    form = MessageTemplateForm(
        data={
            "name": "x",
            "kind": "reply",
            "language": "lv",
            "subject": "Re {{ bad }}",
            "body": "{% if %}",
            "is_active": "on",
        }
    )
    assert not form.is_valid()
    assert "Unknown variable {{ bad }}" in form.errors["subject"][0]
    assert "syntax error" in form.errors["body"][0]


@pytest.mark.django_db
def test_model_clean_refuses_bad_body():
    template = MessageTemplate(name="x", kind="ack", language="en", body="{{ nope }}")
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean()
    assert "body" in excinfo.value.message_dict


def test_shipped_templates_cover_ack_and_delay_in_both_languages():
    kinds = {(t["kind"], t["language"]) for t in shipped_templates()}
    assert {("ack", "lv"), ("ack", "en"), ("delay", "lv"), ("delay", "en")} <= kinds


@pytest.mark.django_db
def test_install_default_templates_is_idempotent_and_keeps_edits():
    count = len(shipped_templates())
    assert install_default_templates() == count
    assert install_default_templates() == 0
    edited = MessageTemplate.objects.get(name="ack-default", language="lv")
    edited.body = "Paldies, {{ client_name }}!"
    edited.save()
    assert install_default_templates() == 0
    edited.refresh_from_db()
    assert edited.body == "Paldies, {{ client_name }}!"
    assert install_default_templates(overwrite=True) == 1
    edited.refresh_from_db()
    assert "Apliecinām" in edited.body
    for row in MessageTemplate.objects.all():
        row.full_clean()


@pytest.mark.django_db
def test_programme_template_wins_over_the_general_one(institution, employee):
    programme = make_programme()
    MessageTemplate.objects.create(name="general", kind="reply", language="lv", body="Vispārīga")
    MessageTemplate.objects.create(
        name="special", kind="reply", language="lv", body="Īpaša", programme=programme
    )
    other = make_programme()
    assert template_find(kind="reply", language="lv", programme=programme).name == "special"
    assert template_find(kind="reply", language="lv", programme=other).name == "general"
    assert template_find(kind="reply", language="lv").name == "general"


@pytest.mark.django_db
def test_missing_template_is_a_clear_error():
    with pytest.raises(TemplateMissing, match="no active reply template in en"):
        template_find(kind="reply", language="en")


@pytest.mark.django_db
def test_without_database_rows_the_shipped_text_is_used(institution):
    case = open_email_case(language="en")
    rendered = template_render(kind="ack", case=case, language="en")
    assert rendered.template_name == "ack-default"
    assert case.reference in rendered.body
    assert "We will answer as soon as" in rendered.body
