"""Services of the outbox: writing outbound mail, sending it, acknowledgements, delays, bounces."""

from charterdesk.outbox.services.ack import ack_refusal, automatic_mail_reason, send_acknowledgement
from charterdesk.outbox.services.bounce import outbox_mark_bounced
from charterdesk.outbox.services.compose import outbox_write
from charterdesk.outbox.services.delay import delay_explanation_text, send_delay_explanation
from charterdesk.outbox.services.delivery import (
    outbox_deliver,
    outbox_retry,
    outbox_send_pending,
    retry_policy,
)
from charterdesk.outbox.services.templates import find_template, render_for_case

__all__ = [
    "ack_refusal",
    "automatic_mail_reason",
    "delay_explanation_text",
    "find_template",
    "outbox_deliver",
    "outbox_mark_bounced",
    "outbox_retry",
    "outbox_send_pending",
    "outbox_write",
    "render_for_case",
    "retry_policy",
    "send_acknowledgement",
    "send_delay_explanation",
]
