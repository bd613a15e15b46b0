"""The WSGI application (gunicorn: ``gunicorn -c config/gunicorn.conf.py config.wsgi``).

Two Django handlers share the URLs and views: the machine API that exchanges post call events to
(``POST /api/v1/phone/events``, signed with HMAC, no cookies, no browser) runs through
``SecurityMiddleware`` only; everything else through the whole ``MIDDLEWARE`` (sessions, CSRF,
messages, locale, sign-in, CSP …), which a signed machine request has no use for and which would
cost every call event its share of the CPU.
"""

import os
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MACHINE_API_PATHS = frozenset({"/api/v1/phone/events"})
MACHINE_API_MIDDLEWARE = ("django.middleware.security.SecurityMiddleware",)


class MachineAPIHandler(WSGIHandler):
    """Django's WSGI handler with a short middleware chain (``MACHINE_API_MIDDLEWARE``, synchronous
    middleware without view hooks) and ``Content-Length`` on every answer (keep-alive)."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(MACHINE_API_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = super().get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response


site = get_wsgi_application()
machine_api = MachineAPIHandler()


def application(environ, start_response):  # type: ignore[no-untyped-def]
    if environ.get("PATH_INFO") in MACHINE_API_PATHS:
        return machine_api(environ, start_response)
    return site(environ, start_response)
