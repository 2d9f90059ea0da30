"""How a client gets its credential: a session cookie.

GET /api/auth/login/ sets the CSRF cookie; POST username and password with the
``X-CSRFToken`` header starts the session. Every later unsafe request sends the
header too: SessionAuthentication enforces CSRF for logged-in users. POST
/api/auth/logout/ ends the session, /api/auth/logout-all/ every session of the user. A
password change (POST ``{"old_password", "new_password"}`` to /api/auth/password/, or by an
administrator) ends every other session of the user, deactivating the account every one.
Browsers log in at /api-auth/login/; the docs UI then sends the cookie and the CSRF header
by itself.
"""

from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from api.password import JSONOnly, LoginSerializer, LogoutEverywhereView, PasswordChangeView
from api.utils.permission import IsAuthenticated

# Revoked credentials need no receiver of users.signals.credentials_revoked here: each
# session holds an HMAC of the user's password and security stamp, and Django ends the
# sessions whose HMAC no longer matches (api/password.py keeps the one that changed it).


class SessionLoginSerializer(LoginSerializer):
    """In: username and password. Out: a message and the CSRF token to send from now on."""

    detail = serializers.CharField(read_only=True)
    csrftoken = serializers.CharField(read_only=True)


@method_decorator(csrf_protect, name="post")
class Login(JSONOnly, APIView):
    """GET: the CSRF token to log in with. POST: log in with a username and password (and
    that token in the ``X-CSRFToken`` header) to start a session."""

    # Public; POST has the "credentials" throttle scope and django-axes' lockout.

    authentication_classes = []
    permission_classes = []
    throttle_scope = "credentials"
    serializer_class = SessionLoginSerializer

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.request.method == "GET":  # reading the CSRF token is not a login attempt
            return [
                throttle for throttle in throttles if not isinstance(throttle, ScopedRateThrottle)
            ]
        return throttles

    def get(self, request: Request) -> Response:
        detail = "POST username and password with this token in the X-CSRFToken header."
        return Response({"detail": detail, "csrftoken": get_token(request)})

    def post(self, request: Request) -> Response:
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        login(request._request, serializer.validated_data["user"])
        # Django rotates the CSRF token at login: hand the client the new one.
        return Response({"detail": "Logged in.", "csrftoken": get_token(request)})


class Logout(JSONOnly, APIView):
    """End this session."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAll(LogoutEverywhereView):
    """End every session of your account, this one included, on every device."""


class PasswordChange(PasswordChangeView):
    """Change your password: send the current one and the new one. Every other session of
    your account ends; this one goes on."""

    # Logged-in users; the "credentials" throttle scope and the login lockout, as a login.


urlpatterns = [
    path("auth/login/", Login.as_view(), name="auth-login"),
    path("auth/logout/", Logout.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAll.as_view(), name="auth-logout-all"),
    path("auth/password/", PasswordChange.as_view(), name="auth-password"),
]
