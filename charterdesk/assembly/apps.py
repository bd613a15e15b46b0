from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "charterdesk.assembly"
    label = "assembly"
    verbose_name = _("Assembly")

    def ready(self) -> None:
        from charterdesk.assembly.route import install

        install()
