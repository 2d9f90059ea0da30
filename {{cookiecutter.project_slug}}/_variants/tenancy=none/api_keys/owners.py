"""Whose API keys a request manages: your own. Anyone logged in may create keys, which act
as them."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics

from api.utils.permission import IsAuthenticated
from api_keys.models import APIKey


class KeyOwnerMixin(generics.GenericAPIView[APIKey]):
    """The requester's own keys, and nobody else's: another account's key is a 404."""

    permission_classes = [IsAuthenticated]

    def owned_keys(self) -> QuerySet[APIKey]:
        return APIKey.objects.filter(created_by=self.request.user.pk)

    def lock_owner(self) -> None:
        """Nothing beyond the creator's row (api_keys/views.py locks it)."""

    def owner_fields(self) -> dict[str, Any]:
        return {}

    def audit_organization(self) -> Any:
        """The organization of the keys' audit events (audit.events.record): none here."""
        return None
