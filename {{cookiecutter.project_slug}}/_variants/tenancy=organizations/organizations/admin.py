from django.contrib import admin

from organizations.models import Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations and their members, for staff: the API gives staff no say inside them."""

    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations, read-only: their tokens exist only in the emails, so none can be made here."""

    list_display = ("email", "organization", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("organization",)
    search_fields = ("email", "organization__slug")
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
