"""The phone API's URLs (``/api/v1/phone/``), outside the language prefix."""

from django.urls import path

from charterdesk.channels.phone.api import api

urlpatterns = [path("", api.urls)]
