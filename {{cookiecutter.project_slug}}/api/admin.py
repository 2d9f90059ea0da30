from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from api.models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Notes for staff. The form holds a body to ``NOTE_BODY_MAX_LENGTH`` like the API does."""

    list_display = ("title", "owner", "created_at", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("title", "body", "owner__username")
    raw_id_fields = ("owner",)

    def formfield_for_dbfield(
        self, db_field: "models.Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        # The form is built per request, so the limit is read then, as the serializer reads it.
        if db_field.name == "body":
            kwargs["max_length"] = settings.NOTE_BODY_MAX_LENGTH
        return super().formfield_for_dbfield(db_field, request, **kwargs)
