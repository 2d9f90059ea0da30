"""How a client gets its credential: POST username and password, receive a token.

POST ``{"username", "password"}`` to /api/auth/token/ and send the token back as
``Authorization: Token <token>`` (in the docs UI: Authorize, value ``Token <token>``).
Every login issues a new token (one per device), which expires after ``TOKEN_TTL_HOURS``;
the server keeps only a hash of it. POST /api/auth/logout/ ends the token the request
was made with; /api/auth/logout-all/ logs the user out everywhere: every token and every
browser session. So does a password change (POST ``{"old_password", "new_password"}`` to
/api/auth/password/, or by an administrator) and deactivating the account. Tokens are never
read from the URL. Browsers can also log in at /api-auth/login/.
"""

from typing import Any

from django.dispatch import receiver
from django.urls import path
from knox import views as knox
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import TokenAuthentication
from api.password import JSONOnly, LoginSerializer, LogoutEverywhereView, PasswordChangeView
from api.utils.permission import IsAuthenticated
from users.models import User
from users.signals import credentials_revoked


class TokenLoginSerializer(LoginSerializer):
    """In: username and password. Out: a new token and when it expires."""

    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True)


class Login(JSONOnly, knox.LoginView):
    """Log in with a username and password: a new token, and when it expires. Every login
    issues a token of its own (one per device); send it as ``Authorization: Token <token>``.
    Too many failed logins for a username from one address lock that username out there for
    a while (429)."""

    # Public; the "credentials" throttle scope, and django-axes' lockout (api/password.py).
    authentication_classes = []  # a stale Authorization header must not block getting a new token
    permission_classes = []
    throttle_scope = "credentials"  # knox keeps the default throttle classes (DRF's view did not)
    serializer_class = TokenLoginSerializer

    def post(self, request: Request, format: str | None = None) -> Response:
        serializer = self.serializer_class(data=request.data, context=self.get_context())
        serializer.is_valid(raise_exception=True)
        user: User = serializer.validated_data["user"]
        request.user = user
        response: Response = super().post(request, format=format)  # knox: a new token
        # The password check takes a while. Had the user's credentials been revoked since
        # (another device logging out everywhere, a password change, deactivation), the
        # revocation deleted the tokens before this one existed: it must not outlive it.
        if not User.objects.filter(pk=user.pk, security_stamp=user.security_stamp).exists():
            AuthToken.objects.filter(user=user).delete()
            raise AuthenticationFailed("Your credentials were revoked while you logged in.")
        return response


class Logout(JSONOnly, knox.LogoutView):
    """End the token this request was made with. Your other tokens and sessions go on."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]


class LogoutAll(LogoutEverywhereView):
    """End every token and browser session of your account, this one included, on every
    device."""


class PasswordChange(PasswordChangeView):
    """Change your password: send the current one and the new one. Every token of your
    account stops working, this one included: log in again with the new password."""

    # Logged-in users; the "credentials" throttle scope and the login lockout, as a login.


@receiver(credentials_revoked, dispatch_uid="api.credentials.end_tokens")
def end_tokens(sender: type[User], user: User, **kwargs: Any) -> None:
    """Every token of the user ends (deleted, so reactivating the account cannot bring it
    back), whoever changed the password, deactivated the account or logged out everywhere."""
    AuthToken.objects.filter(user=user).delete()


urlpatterns = [
    path("auth/token/", Login.as_view(), name="auth-token"),
    path("auth/logout/", Logout.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAll.as_view(), name="auth-logout-all"),
    path("auth/password/", PasswordChange.as_view(), name="auth-password"),
]
