"""Case actions through the desk: each a form with validation and a clear error, each through the
case services; concurrent edits are refused with a "changed meanwhile" message, input kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.services import case_transfer
from charterdesk.desk.forms import referral_message
from tests.desk.conftest import signed_in

pytestmark = pytest.mark.django_db


def post(client, case: Case, action: str, **fields):
    case.refresh_from_db()
    data = {f"{action}-version": case.version, f"{action}-seen_event": 0}
    data.update({f"{action}-{k}" if k != "step" else k: v for k, v in fields.items()})
    return client.post(f"/cases/{case.pk}/{action}/", data)


def event_types(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("type", flat=True))


def test_case_page_shows_timeline_client_card_and_forms(office):
    html = signed_in(office.anna).get(f"/cases/{office.case.pk}/").content.decode()
    for text in (
        "Notikumu gaita",
        "Vai varam saņemt garantiju",
        "Vājredzība",  # timeline, special needs
        "+371 29 123 456",
        "ilze@example.lv",
        "Atbildēt klientam",
        "Nodot kolēģim",
        "[EMAIL-IDENTITY]",
        "Anna Bērziņa\nKonsultante",  # the identity block in the composer
    ):
        assert text in html, text
    # The title is the case's reference and subject only; the shortcuts list is in the page once.
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"{office.case.reference} {office.case.subject} · charterdesk", title
    assert html.count('id="shortcuts"') == 1


def test_reply_goes_through_the_case_service(office):
    client = signed_in(office.anna)
    response = post(client, office.case, "reply", body="Labdien! Jā, varat.", step="send")
    assert response.status_code == 302
    reply = Message.objects.get(case=office.case, kind="reply")
    assert reply.body == "Labdien! Jā, varat." and reply.author == office.anna
    assert "reply.sent" in event_types(office.case)


def test_empty_reply_is_refused_with_a_clear_error(office):
    response = post(signed_in(office.anna), office.case, "reply", body="  ", step="send")
    assert response.status_code == 200
    assert "Pirms sūtīšanas uzrakstiet atbildi" in response.content.decode()
    assert not Message.objects.filter(case=office.case, kind="reply").exists()


def test_reply_preview_shows_the_identity_block_and_sends_nothing(office):
    response = post(signed_in(office.anna), office.case, "reply", body="Teksts", step="preview")
    html = response.content.decode()
    assert "Priekšskatījums" in html and "Teksts" in html and "Anna Bērziņa" in html
    assert not Message.objects.filter(case=office.case, kind="reply").exists()


def test_reply_with_attachment_and_download(office):
    client = signed_in(office.anna)
    office.case.refresh_from_db()
    response = client.post(
        f"/cases/{office.case.pk}/reply/",
        {
            "reply-version": office.case.version,
            "reply-body": "Pielikumā veidlapa.",
            "step": "send",
            "reply-attachments": SimpleUploadedFile(
                "veidlapa.pdf", b"%PDF-1.4 test", "application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    attachment = Message.objects.get(case=office.case, kind="reply").attachments.get()
    download = client.get(f"/cases/{office.case.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert "veidlapa.pdf" in download["Content-Disposition"]


def test_transfer_suggests_competent_colleagues_first_and_needs_a_note(office):
    client = signed_in(office.anna)
    form = client.get(f"/cases/{office.case.pk}/").context["forms"]["transfer"]
    groups = form.fields["to"].choices
    assert groups[1][0].startswith("Kompetenti") and [c[0] for c in groups[1][1]] == [
        office.laura.pk
    ]
    assert [c[0] for c in groups[2][1]] == [office.janis.pk]
    response = post(client, office.case, "transfer", to=office.laura.pk, note="")
    assert "Uzrakstiet piezīmi kolēģim" in response.content.decode()
    response = post(client, office.case, "transfer", to=office.laura.pk, note="Lūdzu, pārņem.")
    assert response.status_code == 302
    office.case.refresh_from_db()
    assert office.case.assignee == office.laura
    assert (
        CaseEvent.objects.get(case=office.case, type="case.transferred").params["competent"] is True
    )


def test_assign_offers_only_the_competent(office):
    client = signed_in(office.anna)
    response = post(client, office.case, "assign", to=office.janis.pk)
    assert "nav programmas" in response.content.decode()
    office.case.refresh_from_db()
    assert office.case.assignee == office.anna


def test_refer_prefills_the_institutions_contacts(office):
    client = signed_in(office.anna)
    response = post(client, office.case, "refer", institution=office.vid.pk, step="prefill")
    html = response.content.decode()
    assert (
        "Valsts ieņēmumu dienests" in html
        and "+371 67 120 000" in html
        and "vid@vid.gov.lv" in html
    )
    ajax = client.get(f"/cases/{office.case.pk}/refer/message/?refer-institution={office.vid.pk}")
    assert "vid@vid.gov.lv" in ajax.content.decode()
    # The message must carry the contacts.
    response = post(
        client, office.case, "refer", institution=office.vid.pk, message_to_client="Ejiet uz VID."
    )
    assert "kontaktinformācija" in response.content.decode()
    response = post(
        client,
        office.case,
        "refer",
        institution=office.vid.pk,
        message_to_client=referral_message(office.case, office.vid),
    )
    assert response.status_code == 302
    office.case.refresh_from_db()
    assert office.case.status == "referred" and office.case.referred_to == office.vid
    assert Message.objects.filter(case=office.case, kind="referral").exists()


def test_decline_without_reasons_is_refused_and_with_reasons_accepted(office):
    client = signed_in(office.anna)
    response = post(client, office.case, "decline", reasons="Nē.")
    assert response.status_code == 200
    assert "jānorāda pamatoti iemesli" in response.content.decode()
    office.case.refresh_from_db()
    assert office.case.status == "open" and "case.declined" not in event_types(office.case)
    reasons = "Programma ir slēgta jauniem pieteikumiem kopš 1. novembra."
    response = post(client, office.case, "decline", reasons=reasons)
    assert response.status_code == 302
    office.case.refresh_from_db()
    assert office.case.status == "declined"
    assert Message.objects.get(case=office.case, kind="decline").body == reasons


@time_machine.travel(datetime(2030, 1, 15, 10, 0, tzinfo=UTC), tick=False)
def test_promise_needs_the_date_in_the_message(office):
    client = signed_in(office.anna)
    due = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    assert f"{due:%d.%m.%Y}" == "18.01.2030"  # the clock is frozen: the same dates every run
    response = post(
        client, office.case, "promise", due=due.strftime("%Y-%m-%dT%H:%M"), message="Drīz."
    )
    assert "jānorāda apsolītais datums" in response.content.decode()
    response = post(
        client,
        office.case,
        "promise",
        due=due.strftime("%Y-%m-%dT%H:%M"),
        message=f"Atbildēsim līdz {due:%d.%m.%Y}.",
    )
    assert response.status_code == 302
    office.case.refresh_from_db()
    assert office.case.promised_by == due
    past = post(client, office.case, "promise", due="2020-01-01T10:00", message="01.01.2020")
    assert "jābūt nākotnē" in past.content.decode()


def test_mistake_note_delay_resolve_close_reopen(office):
    client = signed_in(office.anna)
    assert (
        post(client, office.case, "mistake", description="", apology="Atvainojiet").status_code
        == 200
    )
    assert (
        post(
            client,
            office.case,
            "mistake",
            description="Nosūtīju nepareizu veidlapu.",
            apology="Atvainojiet par kļūdu!",
            correction="Pievienoju pareizo veidlapu.",
        ).status_code
        == 302
    )
    assert post(client, office.case, "note", body="Piezvanīt rīt.").status_code == 302
    assert post(client, office.case, "delay", body="Gaidām bankas atzinumu.").status_code == 302
    assert post(client, office.case, "resolve", summary="Atbildēts").status_code == 302
    # Reopening needs a reason; closing works from resolved.
    assert post(client, office.case, "reopen", reason="").status_code == 200
    assert post(client, office.case, "close").status_code == 302
    office.case.refresh_from_db()
    assert office.case.status == "closed"
    assert post(client, office.case, "reopen", reason="Klients rakstīja vēlreiz").status_code == 302
    office.case.refresh_from_db()
    assert office.case.status == "open"
    types = event_types(office.case)
    for t in (
        "mistake.recorded",
        "note.added",
        "delay.explained",
        "case.resolved",
        "case.closed",
        "case.reopened",
    ):
        assert t in types


def test_action_not_allowed_in_this_status(office):
    client = signed_in(office.anna)
    assert post(client, office.case, "close").status_code == 409  # open cases are resolved first
    assert "nav iespējama" in post(client, office.case, "close").content.decode()


def test_concurrent_change_is_refused_shown_and_input_kept(office):
    anna = signed_in(office.anna)
    page = anna.get(f"/cases/{office.case.pk}/")
    seen_version = page.context["case"].version
    seen_event = CaseEvent.objects.filter(case=office.case).order_by("-id").first().pk
    # Meanwhile Laura transfers the case to herself.
    case_transfer(case=office.case, to=office.laura, by=office.laura, note="Pārņemu.")
    reasons = "Programma ir slēgta jauniem pieteikumiem."
    response = anna.post(
        f"/cases/{office.case.pk}/decline/",
        {
            "decline-version": seen_version,
            "decline-seen_event": seen_event,
            "decline-reasons": reasons,
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Pa to laiku mainīts" in html and "Nodota kolēģim: Laura Zariņa" in html
    assert reasons in html  # nothing typed is lost
    office.case.refresh_from_db()
    assert office.case.status == "open"
    # The form now carries the new version: sending again is a deliberate second click.
    form = response.context["forms"]["decline"]
    assert int(form.data["decline-version"]) == office.case.version
    again = anna.post(f"/cases/{office.case.pk}/decline/", dict(form.data.items()))
    assert again.status_code == 302
    office.case.refresh_from_db()
    assert office.case.status == "declined"


def test_english_pages(office):
    client = signed_in(office.anna)
    html = client.get(f"/en/cases/{office.case.pk}/").content.decode()
    assert "Timeline" in html and "Reply to the client" in html and 'lang="en"' in html
    assert "Inbox" in client.get("/en/").content.decode()
    switch = client.post("/i18n/setlang/", {"language": "en", "next": f"/cases/{office.case.pk}/"})
    assert switch["Location"] == f"/en/cases/{office.case.pk}/"
    # The switch back: the English page offers the Latvian address itself.
    assert f'name="next" value="/cases/{office.case.pk}/"' in html
    back = client.post("/i18n/setlang/", {"language": "lv", "next": f"/cases/{office.case.pk}/"})
    assert back["Location"] == f"/cases/{office.case.pk}/"
    assert "Notikumu gaita" in client.get(back["Location"]).content.decode()


def test_answer_template_of_the_programme_fills_the_reply(office):
    from charterdesk.outbox.models import MessageTemplate

    template = MessageTemplate.objects.create(
        name="garantija-dokumenti",
        kind="reply",
        programme=office.housing,
        language="lv",
        body="Labdien, {{ client_name }}!\n\nPar lietu {{ case_reference }}: vajadzīgi dokumenti.",
    )
    MessageTemplate.objects.create(
        name="starts", kind="reply", programme=office.startup, language="lv", body="Cita programma"
    )
    MessageTemplate.objects.create(
        name="english", kind="reply", programme=office.housing, language="en", body="Other language"
    )
    client = signed_in(office.anna)
    offered = client.get(f"/cases/{office.case.pk}/").context["forms"]["reply"]
    assert [v for v, _l in offered.fields["template"].choices] == ["", str(template.pk)]
    response = post(client, office.case, "reply", template=template.pk, body="", step="template")
    html = response.content.decode()
    assert "Labdien, Ilze Bērziņa!" in html and office.case.reference in html
    assert not Message.objects.filter(case=office.case, kind="reply").exists()
    # htmx asks for the composer alone.
    office.case.refresh_from_db()
    partial = client.post(
        f"/cases/{office.case.pk}/reply/",
        {"reply-version": office.case.version, "reply-template": template.pk, "step": "template"},
        headers={"HX-Request": "true"},
    )
    assert partial.content.decode().lstrip().startswith('<form id="composer"')


def test_a_template_is_inserted_at_the_cursor_and_never_replaces_typed_text(office):
    from charterdesk.outbox.models import MessageTemplate

    template = MessageTemplate.objects.create(
        name="vid", kind="reply", programme=office.housing, language="lv", body="[VIDUS]"
    )
    client = signed_in(office.anna)
    typed = "Labdien!\nPaldies."
    response = post(client, office.case, "reply", template=template.pk, body=typed, step="template")
    assert "Labdien!\nPaldies.\n\n[VIDUS]" in response.content.decode()  # no cursor: after
    office.case.refresh_from_db()
    response = client.post(
        f"/cases/{office.case.pk}/reply/",
        {
            "reply-version": office.case.version,
            "reply-template": template.pk,
            "reply-body": typed,
            "cursor": "9",  # after "Labdien!\n"
            "step": "template",
        },
    )
    assert "Labdien!\n[VIDUS]Paldies." in response.content.decode()
    assert not Message.objects.filter(case=office.case, kind="reply").exists()


def test_attachments_are_served_as_downloads_and_images_and_pdf_shown_inline_safely(office):
    from charterdesk.cases.services import AttachmentData, case_add_message

    message = case_add_message(
        case=office.case,
        direction="in",
        kind="request",
        body="Pielikumi",
        attachments=[
            AttachmentData("foto.png", "image/png", b"\x89PNG\r\n\x1a\n"),
            AttachmentData("lapa.html", "text/html", b"<script>alert(1)</script>"),
        ],
    )
    png = message.attachments.get(filename="foto.png")
    page = message.attachments.get(filename="lapa.html")
    client = signed_in(office.anna)
    download = client.get(f"/cases/{office.case.pk}/attachments/{page.pk}/?inline=1")
    assert download["Content-Disposition"].startswith("attachment;")
    shown = client.get(f"/cases/{office.case.pk}/attachments/{png.pk}/?inline=1")
    assert shown["Content-Disposition"].startswith("inline;")
    assert "sandbox" in shown["Content-Security-Policy"]
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/cases/{office.case.pk}/attachments/{png.pk}/")[
        "Content-Disposition"
    ].startswith("attachment;")
