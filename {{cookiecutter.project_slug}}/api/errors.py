"""Errors Django answers outside DRF's views, in the API's error shape under /api/.

DRF's views answer in the shape through api.exceptions.exception_handler. Django's own
handlers answer an unknown path, a request it refuses, a CSRF failure, an unhandled
exception and a locked-out login; under /api/ they answer the same JSON (``error_response``),
elsewhere (browsable API login, admin) Django's HTML pages. config/urls.py names handler400,
handler403, handler404 and handler500; settings name CSRF_FAILURE_VIEW and
AXES_LOCKOUT_CALLABLE.

With DEBUG on, Django skips handler400, handler404 and handler500 for its technical pages;
``DebugErrorsMiddleware`` answers JSON under /api/ in their place, so development sees the
answers clients will get.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.views import csrf, defaults
from rest_framework import exceptions
from rest_framework.response import Response

from api.exceptions import error_response

logger = logging.getLogger(__name__)

# Errors that mean "the database is unreachable or too slow", not "the code is wrong":
# connection refused or lost, connect_timeout, statement_timeout.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
# Where remember_exception() keeps a request's unhandled exception for the middleware.
DEBUG_EXCEPTION = "_api_debug_exception"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses (a Host not in ALLOWED_HOSTS, too many fields)."""
    if is_api(request):
        return api_bad_request()
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: Django's PermissionDenied outside DRF's views (DRF answers its own)."""
    if is_api(request):
        # DRF's own words and code, so this 403 reads like the ones its views answer.
        denied = exceptions.PermissionDenied
        return error_response(403, str(denied.default_detail), denied.default_code)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an unknown path."""
    if is_api(request):
        return api_not_found()
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unhandled exception; 503 when the database is out of reach.

    Django calls it inside its ``except`` block, so ``sys.exc_info()`` holds the exception.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_OUTAGES):
        logger.warning("Database unavailable while serving %s", request.path)
    if is_api(request):
        return api_server_error(exception)
    return defaults.server_error(request)


def api_bad_request() -> JsonResponse:
    return error_response(400, "Bad request.", "bad_request")


def api_not_found() -> JsonResponse:
    return error_response(
        404, str(exceptions.NotFound.default_detail), exceptions.NotFound.default_code
    )


def api_server_error(
    exception: BaseException | None, detail: str = "Server error."
) -> JsonResponse:
    """500 for an unhandled exception; 503 with Retry-After when the database is out of reach:
    the client may try again, the code is not wrong."""
    if isinstance(exception, DATABASE_OUTAGES):
        response = error_response(
            503, "The service is temporarily unavailable.", "service_unavailable"
        )
        response["Retry-After"] = "30"
        return response
    return error_response(500, detail, "server_error")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a missing or wrong CSRF token on a session-authenticated write."""
    if is_api(request):
        return error_response(403, f"CSRF Failed: {reason}", "csrf_failed")
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

    The API answers in the error shape, code ``locked_out``; the forms that check a password
    (the logins of the browsable API and the admin, the admin's password change) show the
    form again with the reason as its error, instead of "wrong password": on the old
    password's field where there is one (the admin's template shows only field errors
    there), else for the form.
    """
    response: HttpResponse
    if is_api(request):
        response = error_response(429, lockout_message(), "locked_out")
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


@receiver(got_request_exception, dispatch_uid="api.errors.remember_exception")
def remember_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """With DEBUG on, keeps an unhandled exception under /api/ for DebugErrorsMiddleware.

    Django sends this signal inside its ``except`` block, just before it renders the debug
    page, which is all the middleware gets to see afterwards.
    """
    if settings.DEBUG and request is not None and is_api(request):
        setattr(request, DEBUG_EXCEPTION, sys.exc_info()[1])


class DebugErrorsMiddleware:
    """With DEBUG on, JSON in the error shape under /api/ instead of Django's technical pages:
    the 404 for an unknown path, the 400 for a request Django refuses, and the debug page
    for an unhandled exception (a 500, or a 503 for a database outage). The 500's detail
    names the exception's class; the traceback is in the server's log, as before.

    First in MIDDLEWARE: it sees the answers to exceptions raised in every other
    middleware, and it keeps the headers they added (security headers, cookies). Answers
    from DRF (JSON, or the browsable API's HTML pages) pass untouched, and so does
    everything with DEBUG off, when handler400/404/500 answer JSON themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not (settings.DEBUG and is_api(request) and is_technical_page(response)):
            return response
        if response.status_code == 404:
            answer = api_not_found()
        elif response.status_code == 400:
            answer = api_bad_request()
        else:
            exception = getattr(request, DEBUG_EXCEPTION, None)
            detail = "Server error."
            if exception is not None:
                name = type(exception).__name__
                detail = f"Server error ({name}): the traceback is in the server's log."
            answer = api_server_error(exception, detail)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                answer.headers.setdefault(header, value)
        answer.cookies = response.cookies
        return answer


def is_technical_page(response: HttpResponseBase) -> bool:
    """Django's technical 404, or its debug page for an exception (a 500, or a 400 for a
    request it refuses): HTML or plain text, from no DRF view."""
    content_type = response.get("Content-Type", "")
    return (
        response.status_code in (400, 404, 500)
        and not isinstance(response, Response)
        and content_type.startswith(("text/html", "text/plain"))
    )
