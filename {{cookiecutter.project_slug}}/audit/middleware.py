"""Every request gets an id, every response says it, and every log record carries it."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from audit.context import RequestContext, current_request
from audit.events import flush

# What an incoming X-Request-ID may be for the service to keep it: short, and nothing that
# could break a log line or a header.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request: HttpRequest) -> str:
    """The client's or the proxy's X-Request-ID when it is well formed, else a new one."""
    incoming = request.headers.get("x-request-id", "")
    if WELL_FORMED_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIDMiddleware:
    """First in MIDDLEWARE: ``request.request_id`` for the whole request, ``X-Request-ID`` on
    every response (the other middleware's answers included), and the request's audit events
    sent out with the status of the response (audit/events.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        context = RequestContext(request=request, request_id=request_id_of(request))
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = current_request.set(context)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = context.request_id
            flush(context, response)
        finally:
            current_request.reset(token)
        return response
