from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.events import Event
from audit.models import AuditEvent


class EventFilter(admin.SimpleListFilter):
    """By event name, from the fixed list: no query for the choices."""

    title = "event"
    parameter_name = "event"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(event.value, event.value) for event in Event]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> QuerySet[AuditEvent]:
        value = self.value()
        return queryset.filter(event=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only for everyone, superusers included: no add, change or delete
    (``manage.py prune_audit_events`` is the only way rows leave). Staff need the
    "view audit event" permission to see it."""

    list_display = ("at", "event", "actor_id", "status", "ip", "method", "path")
    list_filter = (EventFilter,)
    search_help_text = "A user id (the actor), or a request id."
    show_full_result_count = False  # one COUNT(*) per page, not two
    # The search box and the filter read the table through its indexes: no date hierarchy,
    # which would scan every row for its dates on each page.
    search_fields = ("request_id",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        """An actor's id finds that user's events (auditevent_actor_idx); anything else is
        a request id, matched exactly."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit() and len(term) < 19:
            return queryset.filter(actor_id=int(term)), False
        return queryset.filter(request_id=term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
