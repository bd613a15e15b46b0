"""Background tasks of the outbox: thin, idempotent, taking ids."""

from __future__ import annotations

from django_tasks import task

from charterdesk.outbox.services.delivery import outbox_deliver, outbox_send_pending


@task()
def outbox_send(outbox_id: int) -> str:
    """Send one outbox row if it is due (enqueued on commit, re-enqueued with ``run_after`` for a
    retry).  Running it twice, or for a row already sent, does nothing."""
    return outbox_deliver(outbox_id=outbox_id)


@task()
def outbox_sweep() -> dict[str, int]:
    """The sweep as a task, for deployments that schedule tasks rather than commands."""
    return outbox_send_pending()
