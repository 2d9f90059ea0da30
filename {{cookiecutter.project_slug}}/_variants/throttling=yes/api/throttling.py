"""The "credentials" rate on the login forms too, not only on the API's credential endpoint.

/api-auth/login/ and /admin/login/ are Django views, which DRF's throttles never see. Every
attempt there costs a password hash (even for an unknown username: Django hashes anyway so
that timing does not tell), so without this a client could keep a core busy by trying a
new username each time; the lockouts count per username.
"""

import math
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class LoginForm(APIView):
    """What DRF's ScopedRateThrottle reads from a view: the scope whose rate applies."""

    throttle_scope = "credentials"


LOGIN_FORM = LoginForm()


class LoginFormThrottleMiddleware:
    """POSTs to the login forms share the "credentials" rate of each client address; 429 past it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST" and request.path in self.login_forms():
            throttle = ScopedRateThrottle()
            # Django's request: the stubs ask for DRF's, but the throttle reads only .user
            # and .META, which AuthenticationMiddleware and the server have set on it.
            if not throttle.allow_request(request, LOGIN_FORM):  # type: ignore[arg-type]
                seconds = math.ceil(throttle.wait() or 0)
                response = HttpResponse(
                    f"Too many login attempts from your address. Try again in {seconds} seconds.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(seconds)
                return response
        return self.get_response(request)

    @staticmethod
    def login_forms() -> set[str]:
        return {reverse("rest_framework:login"), reverse("admin:login")}
