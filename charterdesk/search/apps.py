from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "charterdesk.search"
    label = "search"
    verbose_name = _("Search")
    # Which case events it hears: charterdesk.assembly.route.
