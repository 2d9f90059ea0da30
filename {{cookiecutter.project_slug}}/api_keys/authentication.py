"""How the API reads an API key: ``Authorization: Api-Key <key>``, and nowhere else.

The key's row is found by its public prefix and its digest compared in constant time
(api_keys/keys.py); a key that is malformed, unknown, revoked or expired, or whose creator
is deactivated, is refused with 401 before any permission class is asked.

A key is for the routes that name a scope for it (``api_key_scopes``, checked by
api.utils.permission.HasAPIKeyScope): on any other route a valid key is refused with 403,
so a route added without thinking of keys is closed to them (credentials, keys, profile).
A public route (no permission classes, or only AllowAny) ignores the header.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import AllowAny

from api.utils.permission import HasAPIKeyScope
from api_keys.keys import KEY_FORMAT, matches
from api_keys.models import APIKey

if TYPE_CHECKING:  # DRF imports this module (DEFAULT_AUTHENTICATION_CLASSES) with its views
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from users.models import User

KEYWORD = "Api-Key"
# last_used_at is a hint for people deciding which keys to revoke, not a log: writing it
# once a minute per key keeps busy keys from writing their row on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class APIKeyRefused(AuthenticationFailed):
    """401 with ``WWW-Authenticate: Api-Key``, whatever the first authentication class is
    (api/exceptions.py): the client sent a key, and that key does not work."""

    www_authenticate = KEYWORD


class APIKeyNotAccepted(PermissionDenied):
    """403: a valid key, on a route no scope names."""

    default_detail = "This route does not accept API keys: use a person's credential."
    default_code = "api_key_not_accepted"


def accepts_api_keys(view: APIView | None) -> bool:
    """The view lists HasAPIKeyScope, and takes its classes from that list: a view whose
    get_permissions() chooses others could drop the scope check, so it refuses keys."""
    from rest_framework.views import APIView  # loaded by now; this module loads with it

    return (
        view is not None
        and HasAPIKeyScope in view.permission_classes
        and type(view).get_permissions is APIView.get_permissions
    )


def is_public(view: APIView | None) -> bool:
    """No permission class, or only AllowAny (drf-spectacular's schema and docs views)."""
    return view is not None and all(
        isinstance(permission, type) and issubclass(permission, AllowAny)
        for permission in view.permission_classes
    )


class APIKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <key>``: the key's creator, with the key as ``request.auth``."""

    def authenticate(self, request: Request) -> tuple[User, APIKey] | None:
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        view = (request.parser_context or {}).get("view")
        if is_public(view):
            return None
        if len(words) != 2 or not (found := KEY_FORMAT.fullmatch(words[1])):
            raise APIKeyRefused("Invalid API key.")
        key = (
            APIKey.objects.select_related("created_by")
            .filter(prefix=found.group(1).decode())
            .first()
        )
        if key is None or not matches(words[1], key.hashed_key):
            raise APIKeyRefused("Invalid API key.")
        now = timezone.now()
        if key.revoked_at is not None:
            raise APIKeyRefused("This API key was revoked.")
        if key.expires_at <= now:
            raise APIKeyRefused("This API key has expired.")
        if not key.created_by.is_active:
            raise APIKeyRefused("The account that created this API key is deactivated.")
        if not accepts_api_keys(view):
            raise APIKeyNotAccepted
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            # Conditional: of concurrent requests, one writes.
            APIKey.objects.filter(pk=key.pk).exclude(
                last_used_at__gt=now - LAST_USED_RESOLUTION
            ).update(last_used_at=now)
        return key.created_by, key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
