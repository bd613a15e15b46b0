from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "charterdesk.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from charterdesk.cases.events import register_batch_listener, register_listener
        from charterdesk.search.listeners import on_case_event, on_case_events

        register_listener(on_case_event)
        register_batch_listener(on_case_events, replaces=on_case_event)
