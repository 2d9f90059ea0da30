"""Rate limits: DRF's throttles, keyed on the same client address as the login lockouts,
and the "credentials" rate on the login forms too.

DRF's throttles read X-Forwarded-For themselves and take whatever its entry says, an entry
that is not an address included; here they ask api.security.client_ip, which does not.

/api-auth/login/, /admin/login/ and /admin/password_change/ are Django views, which DRF's
throttles never see. Every attempt there costs a password hash (even for an unknown
username: Django hashes anyway so that timing does not tell), so without the middleware a
client could keep a core busy by trying a new username each time; the lockouts count per
username.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from rest_framework import throttling
from rest_framework.request import Request

from api.security import client_ip
from api_keys.models import APIKey

if TYPE_CHECKING:  # rest_framework.views imports this module while it loads
    from rest_framework.views import APIView


class ClientAddress(throttling.BaseThrottle):
    """A throttle that tells clients apart by api.security.client_ip."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class AnonRateThrottle(ClientAddress, throttling.AnonRateThrottle):
    """The "anon" rate per client address."""


class UserRateThrottle(ClientAddress, throttling.UserRateThrottle):
    """The "user" rate per user; per client address before login. Requests made with API
    keys have a "user" budget of their own: all the keys of one creator together, so that
    neither a busy key slows its creator down nor many keys multiply the creator's rate.
    Each key has its own rate too (APIKeyRateThrottle)."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, APIKey):
            ident = f"api-keys-of-{request.auth.created_by_id}"
            return self.cache_format % {"scope": self.scope, "ident": ident}
        return super().get_cache_key(request, view)


class APIKeyRateThrottle(throttling.SimpleRateThrottle):
    """The "api_key" rate per API key, for requests made with one."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, APIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ScopedRateThrottle(ClientAddress, throttling.ScopedRateThrottle):
    """The rate of the view's ``throttle_scope``, per user or else per client address."""


class LoginForm:
    """What DRF's ScopedRateThrottle reads from a view: the scope whose rate applies. (Not
    an APIView: DRF imports this module while rest_framework.views is still loading.)"""

    throttle_scope = "credentials"


LOGIN_FORM = LoginForm()


class LoginFormThrottleMiddleware:
    """POSTs to the forms that check a password share the "credentials" rate of each client
    address (each user, once logged in); 429 past it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST" and request.path in password_forms():
            throttle = ScopedRateThrottle()
            # Django's request and a stand-in view: the stubs ask for DRF's, but the throttle
            # reads only the request's .user and .META and the view's throttle_scope.
            if not throttle.allow_request(request, LOGIN_FORM):  # type: ignore[arg-type]
                seconds = math.ceil(throttle.wait() or 0)
                message = f"Too many password attempts. Try again in {seconds} seconds."
                response = HttpResponse(
                    message,
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(seconds)
                # Imported here: DRF imports this module while rest_framework.views loads.
                from audit.events import Event, record

                record(Event.THROTTLED, reason={"code": "throttled", "message": message})
                return response
        return self.get_response(request)


@functools.cache
def password_forms() -> frozenset[str]:
    """The paths of the forms that check a password (the URLconf does not change)."""
    return frozenset(
        reverse(name) for name in ("rest_framework:login", "admin:login", "admin:password_change")
    )
