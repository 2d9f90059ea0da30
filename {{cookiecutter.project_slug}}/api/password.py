"""Where the API checks a password (logging in, changing it) and ends every credential (log
out everywhere), for every authentication option.

api/credentials.py builds its views on these. Passwords are checked by
``django.contrib.auth.authenticate()`` with the Django request, not DRF's wrapper around
it: django-axes counts failures per username and client address there, refuses a
locked-out username before any password is hashed, and marks that request so that its
middleware answers with the lockout.
"""

from collections.abc import Sequence
from typing import Any, cast

from django.contrib.auth import authenticate, get_user_model, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import JSONParser
from api.utils.permission import IsAuthenticated
from users.models import User


def username_field() -> serializers.CharField:
    """Write-only, no longer than the user model allows: django-axes records the username of
    every failed login in a 255-character column, and a longer one was a 500."""
    user_model = get_user_model()
    # USERNAME_FIELD names a field of the model itself, never a reverse relation.
    field = cast("models.Field[Any, Any]", user_model._meta.get_field(user_model.USERNAME_FIELD))
    max_length = field.max_length
    return serializers.CharField(write_only=True, max_length=max_length)


def password_field() -> serializers.CharField:
    """Write-only, masked in the browsable API, taken as sent (spaces count)."""
    return serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )


class JSONOnly(APIView):
    """View mixin for the credential endpoints: the body is JSON (or empty), else 415.

    DRF parses a body only when the view reads it; this parses it as soon as the request
    is authenticated, permitted and within its rate, so even an endpoint that ignores its
    body refuses forms and uploads, and nothing a client sends here is spooled to disk.
    """

    parser_classes: Sequence[type[BaseParser]] = [JSONParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        request.data  # noqa: B018 -- parse now: UnsupportedMediaType (415) for non-JSON


class LoginSerializer(serializers.Serializer):
    """In: username and password. Valid when they match an active user (``user``)."""

    username = username_field()
    password = password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        user = authenticate(
            request._request, username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            message = "Unable to log in with the provided credentials."
            raise serializers.ValidationError(message, code="authorization")
        attrs["user"] = user
        return attrs


class PasswordChangeSerializer(serializers.Serializer):
    """Your current password and the new one. The new one must be long enough, not too
    common, not all digits and not too like your username: a 400 says what it fails."""

    # The rules are AUTH_PASSWORD_VALIDATORS (settings/base.py).

    old_password = password_field()
    new_password = password_field()

    def validate_old_password(self, value: str) -> str:
        # Through authenticate(), not check_password(): a stolen token or session cannot
        # guess the password behind it faster than a login form can.
        request = self.context["request"]
        user = authenticate(request._request, username=request.user.get_username(), password=value)
        if user is None or user.pk != request.user.pk:
            raise serializers.ValidationError("Wrong password.", code="password_incorrect")
        return value

    def validate_new_password(self, value: str) -> str:
        try:
            validate_password(value, self.context["request"].user)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error
        return value


class PasswordChangeView(JSONOnly):
    """POST {"old_password", "new_password"} -> 204. Logged-in users; "credentials" throttle."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "credentials"
    serializer_class = PasswordChangeSerializer

    def post(self, request: Request) -> Response:
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        self.change_password(request, serializer.validated_data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def change_password(self, request: Request, password: str) -> None:
        """Save the new password: the credentials issued before stop working, except the
        session that made the change, if a session did.

        User.save() changes the user's security stamp, which ends every session, and sends
        users.signals.credentials_revoked, whose receiver in api/credentials.py ends the
        user's tokens.
        """
        user = cast(User, request.user)  # permission_classes let only a logged-in user in
        user.set_password(password)
        user.save(update_fields=["password"])
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, user)  # this one goes on


class LogoutEverywhereView(JSONOnly):
    """POST -> 204: every credential of the requester ends, this one included: tokens,
    refresh tokens and browser sessions (the browsable API's, the admin's) on every device."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        user = cast(User, request.user)  # permission_classes let only a logged-in user in
        user.revoke_credentials(User.RevocationReason.LOGOUT_ALL)
        if isinstance(request.successful_authenticator, SessionAuthentication):
            logout(request._request)  # this browser's cookie goes too, not only its session
        return Response(status=status.HTTP_204_NO_CONTENT)
