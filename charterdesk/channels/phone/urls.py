from django.urls import path

from charterdesk.channels.phone import views

app_name = "phone"

urlpatterns = [
    path("", views.calls, name="calls"),
    path("pop/", views.pop, name="pop"),
    path("calls/<int:pk>/", views.call_page, name="call"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("measures/", views.measures, name="measures"),
    path("sampling/", views.sampling, name="sampling"),
]
