from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(**kwargs: Any) -> None:
    # Start-up check of the policy file's hash: after migrations (the demo, deployments); the first
    # sweep or timer task of every process checks again.
    from charterdesk.sla.policy_state import ensure_policy_current

    try:
        ensure_policy_current(force=True)
    except Exception:  # pragma: no cover - a database without our tables yet
        return


class SlaConfig(AppConfig):
    name = "charterdesk.sla"
    label = "sla"
    verbose_name = _("Commitment timers")

    def ready(self) -> None:
        # Which case events drive the timers: charterdesk.assembly.route.
        from charterdesk.calendar.services import register_change_listener
        from charterdesk.sla.engine import on_calendar_changed

        register_change_listener(on_calendar_changed)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="sla_policy_hash")
