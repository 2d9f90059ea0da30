"""What a hostile client can send before any view runs: who it claims to be, and how much.

``client_ip`` is the one answer to "which address is this request from": throttles and
login lockouts both key on it. ``RequestLimitsMiddleware`` turns away headers and bodies
that no legitimate client sends, before sessions, CSRF or views touch them.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from rest_framework.request import Request
from rest_framework.settings import api_settings

from api.exceptions import error_response

# Every header, cookie included. gunicorn refuses longer header lines itself (8190 bytes);
# this holds under any server, runserver and the test client included.
MAX_HEADER_BYTES = 8192
# The longest IPv6 address, in its longest spelling (an IPv4-mapped tail).
MAX_IP_ADDRESS_LENGTH = 45


def client_ip(request: HttpRequest | Request) -> str:
    """The connecting address, or with ``NUM_PROXIES`` the one the nearest trusted proxy saw.

    Throttles (api/throttling.py) and django-axes (``AXES_CLIENT_IP_CALLABLE``) both call
    this, so rate limits and lockouts key on the same address. X-Forwarded-For counts only
    when NUM_PROXIES says how many proxies append to it (otherwise a client could send a new
    one with every guess), and then only its entry from the nearest trusted proxy: the one
    NUM_PROXIES from the end. When that entry is not an IP address, or the header has fewer
    entries than there are proxies, no trusted proxy wrote it (a client that reached the
    server directly, or a misconfigured proxy): the connecting address is used instead.
    """
    remote_addr = str(request.META.get("REMOTE_ADDR", ""))
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded_for: str | None = request.headers.get("x-forwarded-for")
    if num_proxies <= 0 or forwarded_for is None:
        return remote_addr
    entries = forwarded_for.split(",")
    if len(entries) < num_proxies:
        return remote_addr
    return ip_address_or_none(entries[-num_proxies]) or remote_addr


def ip_address_or_none(value: str) -> str | None:
    """``value`` as a normalised IPv4 or IPv6 address, or None if it is not one."""
    value = value.strip()
    if len(value) > MAX_IP_ADDRESS_LENGTH:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None  # "fe80::1%eth0": a zone means nothing off the proxy's own host
    return str(address)


def refuse(status: int, detail: str, code: str = "bad_request") -> JsonResponse:
    """The answer to a request turned away here, in the API's error shape on every path."""
    return error_response(status, detail, code)


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
            return refuse(413, f"Request bodies are limited to {limit} bytes.", "request_too_large")
        return self.get_response(request)
