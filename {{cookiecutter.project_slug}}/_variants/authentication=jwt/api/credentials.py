"""How a client gets its credential: POST username and password, receive a JWT pair.

POST ``{"username", "password"}`` to /api/auth/token/ and send the access token back as
``Authorization: Bearer <access>`` (in the docs UI: Authorize, paste the access token).
An access token lasts ``JWT_ACCESS_MINUTES``; before it runs out, POST ``{"refresh"}`` to
/api/auth/token/refresh/ for a new pair. Each refresh token works once: the new pair
replaces it. POST ``{"refresh"}`` to /api/auth/logout/ to end a refresh token (its access
token lasts its few minutes). A password change (POST ``{"old_password", "new_password"}``
to /api/auth/password/, or by an administrator) ends every token issued before it.
Tokens are never read from the URL. Browsers can also log in at /api-auth/login/.
"""

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import path
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from api.password import JSONOnly, PasswordChangeView, username_field
from users.models import User
from users.signals import password_changed


class ObtainPairSerializer(TokenObtainPairSerializer):
    """In: username and password. Out: an access and a refresh token."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = username_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        data = super().validate(attrs)
        # What login() sends for a session: django-axes clears the failure count on it.
        user_logged_in.send(sender=type(self.user), request=self.context["request"], user=self.user)
        return data


class RefreshSerializer(TokenRefreshSerializer):
    """In: a refresh token. Out: a new access and refresh token; the one sent is used up.

    simplejwt's own looks the user up with ``get()`` (a deleted user was a 500), does not
    check the password hash in the token, and lets two simultaneous requests both use a
    refresh token; here each of those is a 401.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type, blacklist
        user_id = refresh.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                str(self.error_messages["no_active_account"]), "no_active_account"
            )
        issued_under = refresh.get(api_settings.REVOKE_TOKEN_CLAIM)  # hash of the password
        if api_settings.CHECK_REVOKE_TOKEN and issued_under != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The user's password has been changed.", "password_changed")
        # get_or_create()'s (entry, created): simplejwt annotates it as the entry alone.
        _, first_use = cast(tuple[BlacklistedToken, bool], refresh.blacklist())
        if not first_use:  # another request used it a moment ago
            raise AuthenticationFailed("Token is blacklisted", "token_not_valid")
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


class ObtainTokenPair(JSONOnly, TokenObtainPairView):
    """POST {"username", "password"} -> {"access", "refresh"}. Public; "credentials" throttle."""

    serializer_class = ObtainPairSerializer
    throttle_scope = "credentials"

    def get_serializer_context(self) -> dict[str, Any]:
        # authenticate() gets the Django request: django-axes marks a lockout on it.
        return {**super().get_serializer_context(), "request": self.request._request}


class RefreshTokenPair(JSONOnly, TokenRefreshView):
    """POST {"refresh"} -> {"access", "refresh"}. Public; "credentials" throttle."""

    serializer_class = RefreshSerializer
    throttle_scope = "credentials"


class Logout(JSONOnly, TokenBlacklistView):
    """POST {"refresh"} -> 204: that refresh token stops working. Public: the token is
    the credential."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChange(PasswordChangeView):
    """POST {"old_password", "new_password"} -> 204, and every token of the requester,
    access and refresh, stops working. Logged-in users; "credentials" throttle."""


@receiver(password_changed, dispatch_uid="api.credentials.end_refresh_tokens")
def end_refresh_tokens(sender: type[User], user: User, **kwargs: Any) -> None:
    """A changed password ends every refresh token of the user, whoever changed it.

    Access tokens end too: each carries a hash of the password it was issued under
    (``CHECK_REVOKE_TOKEN``), which no longer matches.
    """
    unused = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in unused], ignore_conflicts=True
    )


urlpatterns = [
    path("auth/token/", ObtainTokenPair.as_view(), name="auth-token"),
    path("auth/token/refresh/", RefreshTokenPair.as_view(), name="auth-token-refresh"),
    path("auth/logout/", Logout.as_view(), name="auth-logout"),
    path("auth/password/", PasswordChange.as_view(), name="auth-password"),
]
