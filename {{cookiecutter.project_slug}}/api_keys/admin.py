from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from api_keys.models import APIKey
from api_keys.revocation import revoke


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are created through the API, the one place that shows a key once. Here staff
    with the permissions see them (never the key, which is not stored) and revoke them."""

    list_display = ("name", "prefix", "created_by", "created_at", "expires_at", "revoked_at")
    list_select_related = ("created_by",)
    search_fields = ("=prefix",)
    search_help_text = "A key's prefix: the part before the dot."
    # Never the digest: with it, a leaked key could be matched offline.
    exclude = ("hashed_key",)
    readonly_fields = [field.name for field in APIKey._meta.fields if field.name != "hashed_key"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        revoked = revoke(queryset)
        self.message_user(request, f"{len(revoked)} keys revoked.")
