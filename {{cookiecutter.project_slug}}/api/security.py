"""What a hostile client can send before any view runs: who it claims to be, and how much.

``client_ip`` is the one answer to "which address is this request from": throttles and
login lockouts both key on it. ``RequestLimitsMiddleware`` turns away headers and bodies
that no legitimate client sends, before sessions, CSRF or views touch them.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from rest_framework.throttling import BaseThrottle

# Every header, cookie included. gunicorn refuses longer header lines itself (8190 bytes);
# this holds under any server, runserver and the test client included.
MAX_HEADER_BYTES = 8192


def client_ip(request: HttpRequest) -> str:
    """The connecting address, or with ``NUM_PROXIES`` the one the nearest trusted proxy saw.

    DRF's throttles decide it this way (``REST_FRAMEWORK["NUM_PROXIES"]``); django-axes calls
    this function (``AXES_CLIENT_IP_CALLABLE``), so lockouts key on the same address.
    X-Forwarded-For counts only when NUM_PROXIES says how many proxies append to it:
    otherwise a client could send a new one with every guess.
    """
    # django-axes passes Django's request; the stubs ask for DRF's, but get_ident reads
    # only request.META, which both have.
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def refuse(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


class RequestLimitsMiddleware:
    """400 for a NUL byte or an oversized value in any header or cookie; 413 for a body
    declared larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``MAX_REQUEST_BODY_BYTES``).

    PostgreSQL cannot store NUL, so a NUL in the session cookie used to reach the session
    lookup as a 500. Django checks the body size only when a view reads ``request.body``;
    DRF's parsers and Django's multipart parser stream it, so the cap is enforced here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        headers = [value for name, value in request.META.items() if name.startswith("HTTP_")]
        # Cookie values are unquoted too: "\\000" in a quoted cookie is a NUL once parsed.
        if any("\x00" in value for value in [*headers, *request.COOKIES.values()]):
            return refuse(400, "Headers and cookies must not contain NUL bytes.")
        if any(len(value) > MAX_HEADER_BYTES for value in headers):
            return refuse(400, f"Headers are limited to {MAX_HEADER_BYTES} bytes each.")
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            return refuse(400, "Content-Length must be a number.")
        if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return refuse(413, f"Request bodies are limited to {limit} bytes.")
        return self.get_response(request)
