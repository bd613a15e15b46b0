from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def sso_enabled() -> bool:
    return bool(settings.CHARTERDESK_OIDC)


@register.simple_tag
def sso_provider_name() -> str:
    return str(settings.CHARTERDESK_OIDC_PROVIDER_NAME)
