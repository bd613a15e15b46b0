"""Spoofed senders (issue 13): SPF/DKIM/DMARC as our receiving server found them, read only
from its own Authentication-Results header, stored on the message and shown in the desk."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from charterdesk.cases.models import Case, CaseLink, Direction
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.channels.email.intake.authentication import read_results, sender_authentication
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail
from charterdesk.channels.email.parsing import parse_message
from tests.email.messages import build
from tests.factories import make_client, make_employee

OURS = "mx.altum.lv"


def with_results(*values: str, sender: str = "Jānis <janis@example.lv>", **kw) -> bytes:
    raw = build(sender=sender, **kw)
    head = "".join(f"Authentication-Results: {v}\r\n" for v in values).encode()
    return head + raw


def verdict(raw: bytes, trusted=(OURS,)):
    result = sender_authentication(parse_message(raw), trusted)
    return result and result["verdict"]


def test_read_results_with_comments_and_properties():
    by, results = read_results(
        "mx.altum.lv (Postfix); spf=pass (sender SPF authorized) smtp.mailfrom=example.lv;"
        " dkim=pass (2048-bit key) header.d=example.lv header.s=s1; dmarc=pass (p=reject)"
        " header.from=example.lv"
    )
    assert by == "mx.altum.lv"
    assert [(m, r) for m, r, _p in results] == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
    ]
    assert results[1][2]["header.d"] == "example.lv"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (f"{OURS}; dmarc=pass header.from=example.lv", "pass"),
        (f"{OURS}; spf=pass smtp.mailfrom=example.lv; dmarc=fail header.from=example.lv", "fail"),
        (f"{OURS}; dkim=pass header.d=example.lv", "pass"),
        (f"{OURS}; dkim=pass header.d=elsewhere.com", "none"),  # not aligned with From
        (f"{OURS}; spf=fail smtp.mailfrom=example.lv", "fail"),
        (f"{OURS}; spf=softfail smtp.mailfrom=example.lv", "none"),
        (f"{OURS}; none", "none"),
    ],
)
def test_verdicts(results, expected):
    assert verdict(with_results(results)) == expected


def test_only_our_receiving_host_is_believed():
    forged = with_results("mx.attacker.example; dmarc=pass header.from=example.lv")
    assert verdict(forged) is None
    assert verdict(with_results(f"{OURS}; dmarc=pass"), trusted=()) is None  # not configured
    # Our server's header is the topmost; one the sender brought along below it does not count.
    raw = with_results(f"{OURS}; dmarc=fail", f"{OURS}; dmarc=pass")
    assert verdict(raw) == "fail"


@pytest.mark.django_db
def test_the_result_is_stored_and_shown_on_the_message(settings):
    settings.CHARTERDESK_EMAIL_AUTHSERV_IDS = [OURS]
    store_raw(
        [
            RawMail(
                with_results(
                    f"{OURS}; spf=pass smtp.mailfrom=example.lv; dkim=pass header.d=example.lv; dmarc=pass"
                ),
                "test",
            )
        ]
    )
    process_pending(workers=0)
    row = InboundEmail.objects.get()
    message = row.case_message
    assert message.meta["auth"] == {
        "by": OURS,
        "spf": "pass",
        "dkim": "pass",
        "dmarc": "pass",
        "verdict": "pass",
    }
    assert row.info["auth"]["verdict"] == "pass"
    http = HttpClient()
    http.force_login(make_employee().user)
    with translation.override("lv"):
        page = http.get(
            reverse("case", args=[row.case_id]), HTTP_ACCEPT_LANGUAGE="lv"
        ).content.decode()
    assert "sūtītājs pārbaudīts" in page and "DMARC pass" in page


@pytest.mark.django_db
def test_a_forged_client_address_does_not_thread_by_subject(settings):
    settings.CHARTERDESK_EMAIL_AUTHSERV_IDS = [OURS]
    client = make_client(email="janis@example.lv")
    case = case_open(client=client, channel="email", subject="Garantija")
    case_add_message(
        case=case, direction=Direction.INBOUND, kind="request", body="x", channel="email"
    )
    raw = with_results(
        f"{OURS}; dmarc=fail header.from=example.lv", subject=f"Re: [{case.reference}]"
    )
    store_raw([RawMail(raw, "test")])
    process_pending(workers=0)
    row = InboundEmail.objects.get()
    assert row.case_id != case.pk and row.info["auth"]["verdict"] == "fail"
    assert CaseLink.objects.get().other == case
    assert Case.objects.get(pk=case.pk).messages.count() == 1
