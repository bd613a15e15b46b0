from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/phone/", include("charterdesk.channels.phone.api_urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("reports/", include("charterdesk.reports.urls")),
    path("feedback/", include("charterdesk.feedback.urls")),
    path("", include("charterdesk.signin.urls")),
    path("phone/", include("charterdesk.channels.phone.urls")),
    path("", include("charterdesk.channels.post.urls")),
    path("", include("charterdesk.desk.urls")),
    path("", include("charterdesk.appointments.urls")),
    prefix_default_language=False,
)
