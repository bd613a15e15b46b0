"""The route of a case change: who hears which case events, and in what order.

Every case service writes its events with ``charterdesk.cases.recording.record_events`` (one event
or ten thousand, the same call).  After inserting them, in the same transaction, it calls the
steps below with the list, in this order.  ``cases`` imports none of these packages: this module
is installed into it at start-up (``AssemblyConfig.ready``).  A step that raises rolls the whole
case change back.

=====  ==========================================  ===========================================
order  events                                      step
=====  ==========================================  ===========================================
1      every event but ``timer.*``                 ``sla.engine.on_case_events``: the policy's
                                                   ``starts_on``/``stops_on``/``explained_by``
                                                   open, stop and explain timers; cases'
                                                   ``next_due_at``
2      ``message.sent``                            ``outbox.listener.on_case_events``: the
                                                   outbound mail row [EMAIL-IDENTITY]
3      ``message.sent``                            ``channels.post.listener.on_case_events``:
                                                   the letter of a post answer (identity block,
                                                   address) [EMAIL-IDENTITY on post]
4      ``case.opened``, ``message.received``,      ``search.listeners.on_case_events``: the
       ``message.sent``, ``note.added``            case's search document
5      ``case.resolved``                           ``feedback.listeners.on_case_events``: the
                                                   satisfaction survey, after the commit
                                                   [SURVEYS]
6      ``timer.warning``, ``timer.breached``       ``notifications.services.on_case_events``:
                                                   the assignee and the team lead told once
                                                   per event, in the desk and by e-mail in
                                                   working hours
=====  ==========================================  ===========================================

Besides the case events, one hand-over runs the other way: when an ``[EMAIL-ACK]`` timer becomes
owed, the SLA engine (a deferred task or the sweep) calls ``acknowledgement.ack_owed``, which
has the outbox send the acknowledgement through ``case_add_message`` — whose ``ack.sent`` event
comes back through step 1 and stops the timer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from charterdesk.assembly.acknowledgement import ack_owed
from charterdesk.cases import recording as case_events
from charterdesk.cases.models import CaseEvent
from charterdesk.channels.post.listener import on_case_events as post_step
from charterdesk.feedback.listeners import on_case_events as feedback_step
from charterdesk.notifications.services import TOLD_EVENTS
from charterdesk.notifications.services import on_case_events as notifications_step
from charterdesk.outbox.listener import on_case_events as outbox_step
from charterdesk.search.listeners import INDEXED_EVENTS
from charterdesk.search.listeners import on_case_events as search_step
from charterdesk.sla import hooks
from charterdesk.sla.engine import on_case_events as sla_step
from charterdesk.standard.events import Event

NOT_TIMERS = frozenset(e for e in Event if not e.value.startswith("timer."))


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    events: frozenset[Event]
    listener: Callable[[list[CaseEvent]], None]

    def __call__(self, events: list[CaseEvent]) -> None:
        wanted = [e for e in events if e.type in self.events]
        if wanted:
            self.listener(wanted)


ROUTE: tuple[Step, ...] = (
    Step("sla", NOT_TIMERS, sla_step),
    Step("outbox", frozenset({Event.MESSAGE_SENT}), outbox_step),
    Step("post", frozenset({Event.MESSAGE_SENT}), post_step),
    Step("search", INDEXED_EVENTS, search_step),
    Step("feedback", frozenset({Event.CASE_RESOLVED}), feedback_step),
    Step("notifications", TOLD_EVENTS, notifications_step),
)


def install() -> None:
    case_events.install_route(ROUTE)
    hooks.register_ack_sender(ack_owed)
