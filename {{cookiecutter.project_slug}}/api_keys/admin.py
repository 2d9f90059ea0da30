from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from api_keys.models import APIKey
from audit.events import Event, record, target


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are created through the API, the one place that shows a key once. Here staff
    with the permissions see them (never the key, which is not stored) and revoke them."""

    list_display = ("name", "prefix", "created_by", "created_at", "expires_at", "revoked_at")
    list_select_related = ("created_by",)
    search_fields = ("=prefix",)
    search_help_text = "A key's prefix: the part before the dot."
    readonly_fields = [field.name for field in APIKey._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        APIKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked_at=timezone.now())
        for key in keys:
            record(
                Event.API_KEY_REVOKED,
                actor=request.user,
                target=target("api_key", key.pk),
{%- if cookiecutter.tenancy == "organizations" %}
                organization=key.organization,
{%- endif %}
            )
        self.message_user(request, f"{len(keys)} keys revoked.")
