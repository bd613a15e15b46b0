"""Every event the case timeline shows reads as a sentence in both languages, never as its
internal name (a bounce once showed as "message.bounced")."""

from __future__ import annotations

import pytest
from django.utils import translation

from charterdesk.cases.models import CaseEvent
from charterdesk.desk.sentences import describe
from charterdesk.desk.views.case import MESSAGE_EVENTS
from charterdesk.standard.events import Event


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("event", [e for e in Event if e.value not in MESSAGE_EVENTS])
def test_every_timeline_event_is_a_sentence(event, language):
    params = {"reason": "550 5.1.1 user unknown", "channel": "email", "commitment": "EMAIL-ACK"}
    with translation.override(language):
        text = describe(CaseEvent(type=event.value, params=params))
    assert text and text != event.value and "." not in text.split(" ")[0]
