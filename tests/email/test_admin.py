"""The quarantine in the Django admin: administrators see why, release and delete."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from charterdesk.cases.models import Case
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState
from tests.email.messages import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@altum.lv", "pw-admin-123456")
    client.force_login(user)
    return client


@pytest.fixture
def held():
    store_raw(
        [
            RawMail(build(subject="Prombūtnē", headers={"Auto-Submitted": "auto-replied"}), "test"),
            RawMail(
                build(
                    subject="Ļaunprogrammatūra",
                    attachments=[("x.scr", "application/octet-stream", b"MZ")],
                ),
                "test",
            ),
            RawMail(build(subject="Parasts"), "test"),
        ]
    )
    process_pending(workers=0)
    return list(InboundEmail.objects.order_by("id"))


def test_quarantine_list_shows_reasons(admin_client, held):
    url = reverse("admin:email_channel_inboundemail_changelist")
    response = admin_client.get(url, {"held": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Prombūtnē" in body and "Ļaunprogrammatūra" in body and "Parasts" not in body
    everything = admin_client.get(url).content.decode()
    assert "Parasts" in everything and held[2].case.reference in everything


def test_detail_shows_header_lines_and_cannot_be_edited(admin_client, held):
    url = reverse("admin:email_channel_inboundemail_change", args=[held[1].pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "x.scr" in response.content.decode()
    assert "Subject:" in response.content.decode()
    # The detail in the reader's language.
    for language, text in (
        ("lv", "Aizliegta veida pielikums: x.scr"),
        ("en", "Forbidden attachment type: x.scr"),
    ):
        with translation.override(language):
            page = admin_client.get(
                reverse("admin:email_channel_inboundemail_change", args=[held[1].pk])
            )
        assert text in page.content.decode(), language
    assert admin_client.post(url, {}).status_code == 403


def test_release_and_delete_actions(admin_client, held):
    url = reverse("admin:email_channel_inboundemail_changelist")
    auto, malware, normal = held
    admin_client.post(url, {"action": "release", "_selected_action": [auto.pk]})
    auto.refresh_from_db()
    assert auto.state == InboundState.PROCESSED and auto.released_by == "admin"
    assert Case.objects.count() == 2
    admin_client.post(url, {"action": "delete_held", "_selected_action": [malware.pk, normal.pk]})
    assert not InboundEmail.objects.filter(pk=malware.pk).exists()
    assert InboundEmail.objects.filter(pk=normal.pk).exists()  # processed mail is not deleted


def test_staff_without_permission_cannot_release(client, held):
    user = get_user_model().objects.create_user("staff", password="pw-staff-123456", is_staff=True)
    client.force_login(user)
    url = reverse("admin:email_channel_inboundemail_changelist")
    assert client.get(url).status_code == 403


def test_the_detail_page_decodes_headers_shows_the_text_safely_and_releases(admin_client):
    raw = (
        b"From: =?utf-8?q?J=C4=81nis_B=C4=93rzi=C5=86=C5=A1?= <janis@example.lv>\r\n"
        b"To: altum@altum.lv\r\n"
        b"Subject: =?utf-8?b?UHJvbWLFq3RuxJM=?=\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"Message-ID: <held-1@example.lv>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Labdien</p><script>alert('x')</script>\r\n"
    )
    store_raw([RawMail(raw, "test")])
    process_pending(workers=0)
    row = InboundEmail.objects.get()
    assert row.state == InboundState.QUARANTINED
    url = reverse("admin:email_channel_inboundemail_change", args=[row.pk])
    html = admin_client.get(url).content.decode()
    assert "From: Jānis Bērziņš &lt;janis@example.lv&gt;" in html  # decoded, escaped
    assert "Subject: Prombūtnē" in html
    assert "<script>alert" not in html and "Labdien" in html
    assert "Release from quarantine" in html or "Atbrīvot no karantīnas" in html  # the button
    response = admin_client.post(reverse("admin:email_channel_inboundemail_release", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.released_at is not None
    assert (
        admin_client.get(
            reverse("admin:email_channel_inboundemail_release", args=[row.pk])
        ).status_code
        == 405
    )
