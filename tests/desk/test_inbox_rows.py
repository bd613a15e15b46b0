"""The inbox's rows drawn in Python (desk/templatetags/inbox_rows.py) are the markup the template
drew (tests/desk/reference/inbox_rows.html, the loop as it was), in every state a row can be in,
in both languages, with hostile text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from charterdesk.cases.status import Status
from charterdesk.desk.timers import TimeLeft
from charterdesk.standard.channels import Channel

REFERENCE = Path(__file__).parent / "reference" / "inbox_rows.html"
NOW = datetime(2026, 11, 25, 12, 5, tzinfo=UTC)


def _case(pk, **kw):
    client = SimpleNamespace(
        name=kw.pop("client", "Ilze Bērziņa"), special_needs=kw.pop("needs", "")
    )
    defaults = dict(
        reference=f"ALT-2026-{pk:06d}",
        subject=f"Aizdevums {pk}",
        status="open",
        channel="email",
        created_at=NOW - timedelta(days=pk),
        programme=SimpleNamespace(name="Starta programma"),
        assignee=SimpleNamespace(full_name="Anna Bērziņa"),
    )
    defaults.update(kw)
    return SimpleNamespace(pk=pk, client=client, **defaults)


def _context():
    cases = [
        _case(1),
        _case(
            2,
            subject='<script>alert("x")</script> & co',
            client="O'Brien <b>",
            needs="Vājredzība: <lielie> burti",
        ),
        _case(3, programme=None, assignee=None, status="waiting", channel="phone"),
        _case(4, status="new", channel="post"),
        _case(5, status="resolved", channel="in_person"),
        _case(6),
    ]
    timers = {
        1: TimeLeft(
            due_at=NOW - timedelta(hours=3),
            seconds=-3600,
            breached=True,
            close=False,
            working=True,
            commitment="EMAIL-REPLY-1BD",
        ),
        2: TimeLeft(
            due_at=NOW + timedelta(minutes=40),
            seconds=2400,
            breached=False,
            close=True,
            working=True,
            commitment="EMAIL-ACK",
        ),
        3: TimeLeft(
            due_at=NOW + timedelta(days=2),
            seconds=90000,
            breached=False,
            close=False,
            working=False,
        ),
        4: TimeLeft(
            due_at=NOW + timedelta(hours=2),
            seconds=7200,
            breached=False,
            close=False,
            working=True,
            commitment="NO-SUCH-ID",
        ),
    }
    page = SimpleNamespace(cases=cases, unseen={1, 3}, wrote_again={2, 3}, undelivered={3, 6})
    return {
        "page": page,
        "timers": timers,
        "status_labels": {v: str(label) for v, label in Status.choices},
        "channel_labels": {v: str(label) for v, label in Channel.choices},
    }


def _norm(html: str) -> str:
    return re.sub(r"\n\s*\n", "\n", html).strip()


@pytest.mark.parametrize("language", ["lv", "en"])
def test_python_rows_are_the_templates_rows(language):
    context = _context()
    with translation.override(language):
        reference = Template(REFERENCE.read_text()).render(Context(context))
        drawn = Template("{% load inbox_rows %}{% inbox_rows %}").render(Context(context))
    assert _norm(drawn) == _norm(reference)
    assert (
        "<script>" not in drawn and "&lt;script&gt;" in drawn and "O&#x27;Brien &lt;b&gt;" in drawn
    )
    assert drawn.count("<tr ") == 6
