"""Services of the outbox: writing outbound mail, sending it, acknowledgements, delays, bounces."""

from charterdesk.outbox.services.ack import ack_refusal, ack_send
from charterdesk.outbox.services.bounce import outbox_mark_bounced
from charterdesk.outbox.services.delay import delay_explanation_send, delay_explanation_text
from charterdesk.outbox.services.delivery import (
    outbox_deliver,
    outbox_retry,
    outbox_send_pending,
    retry_policy,
)
from charterdesk.outbox.services.templates import template_find, template_render
from charterdesk.outbox.services.write import outbox_write, outbox_write_notice

__all__ = [
    "ack_refusal",
    "ack_send",
    "delay_explanation_send",
    "delay_explanation_text",
    "outbox_deliver",
    "outbox_mark_bounced",
    "outbox_retry",
    "outbox_send_pending",
    "outbox_write",
    "outbox_write_notice",
    "retry_policy",
    "template_find",
    "template_render",
]
