"""Errors Django answers outside DRF's views, in the API's shape under /api/.

DRF's views already answer ``{"detail": ...}``. Django's own handlers answer an unknown
path, a CSRF failure, an unhandled exception and a locked-out login; under /api/ they
answer JSON in the same shape, elsewhere (browsable API login, admin) Django's HTML pages.
config/urls.py names handler404 and handler500; settings name CSRF_FAILURE_VIEW and
AXES_LOCKOUT_CALLABLE.
"""

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views import csrf, defaults

logger = logging.getLogger(__name__)

# Errors that mean "the database is unreachable or too slow", not "the code is wrong":
# connection refused or lost, connect_timeout, statement_timeout.
DATABASE_OUTAGES = (OperationalError, InterfaceError)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an unknown path."""
    if is_api(request):
        return api_error(404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unhandled exception; 503 when the database is out of reach.

    Django calls it inside its ``except`` block, so ``sys.exc_info()`` holds the exception.
    """
    if isinstance(sys.exc_info()[1], DATABASE_OUTAGES):
        logger.warning("Database unavailable while serving %s", request.path)
        if is_api(request):
            response = api_error(503, "The service is temporarily unavailable.")
            response["Retry-After"] = "30"
            return response
    if is_api(request):
        return api_error(500, "Server error.")
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a missing or wrong CSRF token on a session-authenticated write."""
    if is_api(request):
        return api_error(403, f"CSRF Failed: {reason}")
    return csrf.csrf_failure(request, reason)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # The cool-off runs from the failure that started the lockout, so this is the most.
    return (
        "Too many failed login attempts for this username from your address. "
        f"Try again in at most {minutes} minutes."
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict[str, Any] | None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 once django-axes has locked a username for an address.

    The API answers ``{"detail": ...}``; the forms that check a password (the logins of the
    browsable API and the admin, the admin's password change) show the form again with the
    reason as its error, instead of "wrong password": on the old password's field where
    there is one (the admin's template shows only field errors there), else for the form.
    """
    response: HttpResponse
    if is_api(request):
        response = api_error(429, lockout_message())
    elif isinstance(original_response, TemplateResponse) and "form" in (
        context := original_response.context_data or {}
    ):
        form = context["form"]
        field = "old_password" if "old_password" in form.fields else NON_FIELD_ERRORS
        form.errors[field] = form.error_class([lockout_message()])
        response = original_response
        response.content = response.rendered_content
        response.status_code = 429
    else:
        response = HttpResponse(lockout_message(), status=429, content_type="text/plain")
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
