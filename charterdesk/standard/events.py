"""The vocabulary of events that start and stop a commitment's clock.

Cases write ``CaseEvent`` rows whose ``type`` is one of these names; the policy file refers to them in
``starts_on`` / ``stops_on``.  Keeping the vocabulary here (``standard`` imports nothing of ours) lets
the loader reject a policy that names an event no part of the software emits.
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    CASE_OPENED = "case.opened"
    CASE_ASSIGNED = "case.assigned"
    CASE_TRANSFERRED = "case.transferred"
    CASE_REFERRED = "case.referred"
    CASE_DECLINED = "case.declined"
    CASE_RESOLVED = "case.resolved"
    CASE_CLOSED = "case.closed"
    CASE_REOPENED = "case.reopened"
    CASE_CONFIDENTIALITY = "case.confidentiality"
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_SENT = "message.sent"
    MESSAGE_BOUNCED = "message.bounced"
    MESSAGE_NOT_SENT = "message.not_sent"
    NOTE_ADDED = "note.added"
    ACK_SENT = "ack.sent"
    REPLY_SENT = "reply.sent"
    DELAY_EXPLAINED = "delay.explained"
    ESTIMATE_PROMISED = "estimate.promised"
    ESTIMATE_KEPT = "estimate.kept"
    ESTIMATE_MOVED = "estimate.moved"
    MISTAKE_RECORDED = "mistake.recorded"
    CALL_OFFERED = "call.offered"
    CALL_ANSWERED = "call.answered"
    CALL_GREETED = "call.greeted"
    CALLBACK_PROMISED = "callback.promised"
    CALLBACK_MADE = "callback.made"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_STARTED = "appointment.started"
    CLIENT_LATE_NOTICE = "appointment.late_notice"
    APPOINTMENT_NO_SHOW = "appointment.no_show"
    IDENTITY_CHECKED = "appointment.identity_checked"
    FEEDBACK_RECEIVED = "feedback.received"
    TIMER_WARNING = "timer.warning"
    TIMER_BREACHED = "timer.breached"
    TIMER_MET = "timer.met"
