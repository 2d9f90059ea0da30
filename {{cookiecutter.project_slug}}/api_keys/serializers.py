from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from api_keys.models import APIKey
from api_keys.scopes import Scope


class APIKeySerializer(serializers.ModelSerializer[APIKey]):
    """A key as lists show it: never the key itself, which only its creation shows."""

    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=[scope.value for scope in Scope]),
        allow_empty=False,
        max_length=len(Scope),
        help_text="What the key may do: " + ", ".join(Scope) + ".",
    )
    expires_at = serializers.DateTimeField(
        help_text="When the key stops working: required, in the future, and within the "
        "service's maximum lifetime for keys (a year by default)."
    )

    class Meta:
        model = APIKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        return sorted(set(scopes))

    def validate_expires_at(self, expires_at: datetime) -> datetime:
        now = timezone.now()
        if expires_at <= now:
            raise serializers.ValidationError("Must be in the future.")
        days = settings.API_KEY_MAX_LIFETIME_DAYS
        if expires_at > now + timedelta(days=days):
            raise serializers.ValidationError(f"Must be at most {days} days ahead.")
        return expires_at


class NewAPIKeySerializer(APIKeySerializer):
    """A key just created: the only answer that shows the key. Store it now."""

    key = serializers.CharField(
        read_only=True,
        help_text="Send it as `Authorization: Api-Key <key>`. Shown once: it is not stored.",
    )

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]
