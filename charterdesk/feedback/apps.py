from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "charterdesk.feedback"
    label = "feedback"
    verbose_name = _("Feedback and surveys")

    def ready(self) -> None:
        # A transition door: the coordinator moves this into charterdesk.assembly.route.
        from charterdesk.cases.recording import register_listener
        from charterdesk.feedback.listeners import on_case_event

        register_listener(on_case_event)
