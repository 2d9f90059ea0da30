"""Creating, listing and revoking API keys: only with a person's credential, never with a
key (these views name no scope, so api_keys/authentication.py refuses keys here). Whose keys
a request sees, and who may manage them, is api_keys/owners.py."""

from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import generics, serializers, status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api_keys.keys import digest, new_key
from api_keys.models import APIKey
from api_keys.owners import KeyOwnerMixin
from api_keys.revocation import revoke
from api_keys.serializers import APIKeySerializer, NewAPIKeySerializer
from audit.events import Event, record, target
from users.models import User

# Prefixes are random: a collision is unlikely, and retried.
ATTEMPTS = 3


class APIKeyQuotaReached(PermissionDenied):
    """403 for a key past ``API_KEYS_ACTIVE_LIMIT``, saying what to do."""

    default_code = "quota_exceeded"

    def __init__(self, quota: int) -> None:
        super().__init__(
            f"There are already {quota} active API keys here. Revoke keys that are no "
            "longer used first."
        )


class APIKeyMixin(KeyOwnerMixin, generics.GenericAPIView[APIKey]):
    serializer_class = APIKeySerializer

    def get_queryset(self) -> QuerySet[APIKey]:
        return self.owned_keys()


class APIKeyList(APIKeyMixin, generics.ListCreateAPIView[APIKey]):
    """The API keys, newest first, revoked and expired ones included; or create one. The
    answer to a create is the only one that shows the key: store it at once. A key acts as
    you, within its scopes, until its expiry date (required, at most a year ahead) or until
    it is revoked; it never does more than you could do at that moment."""

    def get_serializer_class(self) -> type[serializers.BaseSerializer[APIKey]]:
        return NewAPIKeySerializer if self.request.method == "POST" else APIKeySerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, text = self.create_key(serializer.validated_data)
        body = {**NewAPIKeySerializer(key).data, "key": text}
        return Response(body, status=status.HTTP_201_CREATED)

    def create_key(self, fields: dict[str, Any]) -> tuple[APIKey, str]:
        """A new key and its text, the one time the text exists on the server."""
        creator = cast(User, self.request.user)  # the view's policy needs a login
        quota = settings.API_KEYS_ACTIVE_LIMIT
        with transaction.atomic():
            # The creator's row, locked: concurrent creates take turns at the quota, and a
            # revocation of the creator's credentials (logging out everywhere, a password
            # change) either comes first and is seen here, or comes after and revokes this
            # key too (api_keys/receivers.py).
            locked = User.objects.select_for_update(no_key=True).get(pk=creator.pk)
            if locked.security_stamp != creator.security_stamp or not locked.is_active:
                raise AuthenticationFailed("Your credentials were revoked meanwhile.")
            self.lock_owner()
            now = timezone.now()
            active = self.owned_keys().filter(revoked_at__isnull=True, expires_at__gt=now)
            if active[:quota].count() >= quota:
                raise APIKeyQuotaReached(quota)
            for attempt in range(ATTEMPTS):
                text, prefix = new_key()
                try:
                    with transaction.atomic():
                        key = APIKey.objects.create(
                            prefix=prefix,
                            hashed_key=digest(text),
                            created_by=creator,
                            **self.owner_fields(),
                            **fields,
                        )
                    break
                except IntegrityError:
                    if attempt == ATTEMPTS - 1:
                        raise
            record(
                Event.API_KEY_CREATED,
                target=target("api_key", key.pk),
                organization=self.audit_organization(),
                changes={
                    "name": [None, key.name],
                    "scopes": [None, key.scopes],
                    "expires_at": [None, key.expires_at.isoformat()],
                },
            )
        return key, text


class APIKeyDetail(APIKeyMixin, generics.RetrieveDestroyAPIView[APIKey]):
    """One API key, by id: read it (never the key itself), or revoke it. A revoked key
    answers 401 from the next request on; revoking one already revoked changes nothing."""

    def perform_destroy(self, instance: APIKey) -> None:
        revoke(APIKey.objects.filter(pk=instance.pk))
