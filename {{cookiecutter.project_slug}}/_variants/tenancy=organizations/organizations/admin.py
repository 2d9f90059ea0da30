from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role


class KeepsAnOwner(BaseInlineFormSet):
    """The admin's members of an organization: staff cannot leave it without an owner, which
    nobody could then give back through the API."""

    def clean(self) -> None:
        super().clean()
        kept = [form.cleaned_data for form in self.forms if form.cleaned_data]
        owners = [row for row in kept if not row.get("DELETE") and row.get("role") == Role.OWNER]
        if not owners:
            raise ValidationError("An organization needs at least one owner.")


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = KeepsAnOwner
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations and their members, for staff: the API gives staff no say inside them."""

    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj else ()  # in every URL of the organization: it never changes


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations, read-only: their tokens exist only in the emails, so none can be made here."""

    list_display = ("email", "organization", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("organization",)
    search_fields = ("email", "organization__slug")
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
