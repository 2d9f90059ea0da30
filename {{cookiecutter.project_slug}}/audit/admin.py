from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only for everyone, superusers included: no add, change or delete
    (``manage.py prune_audit_events`` is the only way rows leave). Staff need the
    "view audit event" permission to see it."""

    list_display = ("at", "event", "actor_id", "status", "ip", "method", "path")
    list_filter = ("event",)
    search_fields = ("=request_id", "=actor_id", "=target_id")
    date_hierarchy = "at"
    show_full_result_count = False  # no COUNT(*) over the whole table on every page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
