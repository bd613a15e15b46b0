from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "charterdesk.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from charterdesk.cases.models import Case
        from charterdesk.security.principal import access_changed

        # The cases naming a person, remembered by their principal (cases/access.py:
        # visible_sets), are read again after someone is named or no longer named on a case.
        m2m_changed.connect(access_changed, sender=Case.named.through, dispatch_uid="access-named")
