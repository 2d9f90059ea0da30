"""How a client gets its credential: POST username and password, receive a JWT pair.

POST ``{"username", "password"}`` to /api/auth/token/ and send the access token back as
``Authorization: Bearer <access>`` (in the docs UI: Authorize, paste the access token).
An access token lasts ``JWT_ACCESS_MINUTES``; before it runs out, POST ``{"refresh"}`` to
/api/auth/token/refresh/ for a new pair. Each refresh token works once: the new pair
replaces it, and presenting a replaced one again ends every token of that login (its
chain). A chain ends ``JWT_REFRESH_DAYS`` after its login, however often it refreshes.
POST ``{"refresh"}`` to /api/auth/logout/ to end a chain;
/api/auth/logout-all/ logs the user out everywhere: every token and browser session. So does
a password change (POST ``{"old_password", "new_password"}`` to /api/auth/password/, or by
an administrator) and deactivating the account. Tokens are never read from the URL.
Browsers can also log in at /api-auth/login/.
"""

# The module docstring is also the OpenAPI schema's "Authentication" section: it speaks to
# clients. Refresh chains are implemented in api/authentication.py.

import contextlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import path
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import (
    AuthenticationFailed,
    InvalidToken,
    TokenBackendError,
    TokenError,
)
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenObtainPairView

from api.authentication import (
    CHAIN_CLAIM,
    RefreshToken,
    ReusedToken,
    check_stamp,
    end_refresh_tokens,
)
from api.password import JSONOnly, LogoutEverywhereView, PasswordChangeView, username_field
from api.security import client_ip
from audit.events import Event, record, target
from users.models import User
from users.signals import credentials_revoked


class ObtainPairSerializer(TokenObtainPairSerializer):
    """In: username and password. Out: an access and a refresh token (a new chain)."""

    token_class = RefreshToken
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


class ChainEnded(AuthenticationFailed):
    """401: the refresh token presented was used before, so its whole chain has ended."""

    default_detail = (
        "This refresh token was already used: every token of its login has been ended. "
        "Log in again."
    )
    default_code = "token_reused"


def presented_token(raw: str) -> RefreshToken:
    """The refresh token ``raw``; a used one ends its chain. AuthenticationFailed if unusable."""
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]  # simplejwt takes the encoded str
    except ReusedToken as reused:
        end_reused_chain(reused.token)
        raise ChainEnded from reused
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error


def end_reused_chain(token: RefreshToken) -> None:
    """A refresh token came back after it was used: whoever holds the chain, the client or
    a thief, loses it. An audit event says so, naming the chain's user, once: replaying a
    token of a chain that has ended already changes nothing and stores nothing."""
    if not token.end_chain():
        return
    user_id = token.get(api_settings.USER_ID_CLAIM)
    record(
        Event.CREDENTIALS_REVOKED,
        target=target("user", user_id),
        reason={"code": "token_reused", "chain": token.get(CHAIN_CLAIM)},
    )


class RefreshSerializer(serializers.Serializer):
    """In: a refresh token. Out: a new access and refresh token; the one sent is used up.

    Refused (401): a token that does not verify or has expired; one used before, which ends
    its whole chain; one whose user is gone or inactive, changed the password, or logged out
    everywhere since. When two requests present the same token at once, one wins and the
    other counts as a reuse.
    """

    refresh = serializers.CharField(max_length=4096)  # in: the token; out: its successor
    access = serializers.CharField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = presented_token(attrs["refresh"])
        user_id = refresh.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                "No active account found with the given credentials", "no_active_account"
            )
        issued_under = refresh.get(api_settings.REVOKE_TOKEN_CLAIM)  # hash of the password
        if api_settings.CHECK_REVOKE_TOKEN and issued_under != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The user's password has been changed.", "password_changed")
        check_stamp(refresh, user)
        successor = refresh.use()
        if successor is None:  # another request used it a moment ago: a reuse
            end_reused_chain(refresh)
            raise ChainEnded
        return {"access": str(successor.access_token), "refresh": str(successor)}


class RefreshChainThrottle(ScopedRateThrottle):
    """The "refresh" rate per refresh chain: each login refreshes at its own pace, however
    many share a client address. A token that does not verify counts against its address."""

    def get_cache_key(self, request: Request, view: APIView) -> str:
        data = request.data
        chain = chain_of(data.get("refresh") if isinstance(data, dict) else None)
        ident = f"chain-{chain}" if chain else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def chain_of(raw: object) -> str | None:
    """The chain of a refresh token whose signature and expiry verify (no database query)."""
    if not isinstance(raw, str) or len(raw) > 4096:
        return None
    try:
        # simplejwt annotates the encoded token as a Token; it is the string.
        payload = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError:
        return None
    chain = payload.get(CHAIN_CLAIM)
    return chain if isinstance(chain, str) and len(chain) <= 64 else None


class ObtainTokenPair(JSONOnly, TokenObtainPairView):
    """Log in with a username and password: an access token, sent with every request as
    ``Authorization: Bearer <access>``, and a refresh token that gets the next pair before the
    access token runs out. Too many failed logins for a username from one address lock that
    username out there for a while (429)."""

    # Public; the "credentials" throttle scope, and django-axes' lockout (api/password.py).

    serializer_class = ObtainPairSerializer
    throttle_scope = "credentials"

    def get_serializer_context(self) -> dict[str, Any]:
        # authenticate() gets the Django request: django-axes marks a lockout on it.
        return {**super().get_serializer_context(), "request": self.request._request}


class RefreshTokenView(JSONOnly, APIView):
    """A view whose credential is the refresh token in the body: public, and a refused
    token is a 401 with a Bearer challenge (as simplejwt's views answer), not a 403."""

    authentication_classes = []  # an expired access token must not stand in the way
    permission_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        return f'{api_settings.AUTH_HEADER_TYPES[0]} realm="api"'


class RefreshTokenPair(RefreshTokenView):
    """Trade a refresh token for a new access and refresh token. Each refresh token works
    once: presenting one again ends every token of its login (401), so keep only the newest.
    Needs no access token: the refresh token is the credential."""

    # Public; the "refresh" throttle scope, counted per refresh chain (RefreshChainThrottle).

    throttle_scope = "refresh"
    serializer_class = RefreshSerializer

    def get_throttles(self) -> list[BaseThrottle]:
        # With throttling on, the refresh rate per chain replaces every per-address rate: a
        # refresh is anonymous, and the anonymous rate is counted per address.
        return [RefreshChainThrottle()] if super().get_throttles() else []

    def post(self, request: Request) -> Response:
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class LogoutSerializer(serializers.Serializer):
    """In: a refresh token. Its chain ends: that token, and the one it was rotated into."""

    refresh = serializers.CharField(write_only=True, max_length=4096)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A token already used: presented_token() has ended its chain, as was asked.
        with contextlib.suppress(ChainEnded):
            token = presented_token(attrs["refresh"])
            if token.end_chain():  # a chain that had ended already: nothing happened
                # The claim holds the id as a string (simplejwt's way); the trail names a
                # user by the integer id, as every other event does.
                user_id = int(token[api_settings.USER_ID_CLAIM])
                record(Event.LOGOUT, actor=user_id, target=target("user", user_id))
        return attrs


class Logout(RefreshTokenView):
    """End one login: send its refresh token, and every refresh token of that login stops
    working (its access tokens run out within minutes). Needs no access token: the refresh
    token is the credential."""

    serializer_class = LogoutSerializer

    def post(self, request: Request) -> Response:
        self.serializer_class(data=request.data).is_valid(raise_exception=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAll(LogoutEverywhereView):
    """End every token (access and refresh) and browser session of your account, this one
    included, on every device."""


class PasswordChange(PasswordChangeView):
    """Change your password: send the current one and the new one. Every token of your
    account, access and refresh, stops working: log in again with the new password."""

    # Logged-in users; the "credentials" throttle scope and the login lockout, as a login.


@receiver(credentials_revoked, dispatch_uid="api.credentials.end_refresh_tokens")
def end_every_chain(sender: type[User], user: User, **kwargs: Any) -> None:
    """Every refresh token of the user ends, whoever changed the password, deactivated the
    account or logged out everywhere.

    Their security stamp changed too, which already refuses every token issued before;
    blacklisting them as well keeps them refused should the stamp ever be restored.
    """
    end_refresh_tokens(OutstandingToken.objects.filter(user=user))


urlpatterns = [
    path("auth/token/", ObtainTokenPair.as_view(), name="auth-token"),
    path("auth/token/refresh/", RefreshTokenPair.as_view(), name="auth-token-refresh"),
    path("auth/logout/", Logout.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAll.as_view(), name="auth-logout-all"),
    path("auth/password/", PasswordChange.as_view(), name="auth-password"),
]
