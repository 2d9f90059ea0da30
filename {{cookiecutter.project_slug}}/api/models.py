from django.conf import settings
from django.db import models
{%- if cookiecutter.tenancy == "organizations" %}

from organizations.models import Organization
{%- endif %}


class Note(models.Model):
{%- if cookiecutter.tenancy == "organizations" %}
    """A short text in one organization, owned by the member who created it. Neither the
    organization nor the owner changes through the API."""
{%- else %}
    """A short text owned by the user who created it."""
{%- endif %}

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
{%- if cookiecutter.tenancy == "organizations" %}
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,  # deleting an organization deletes its notes
        related_name="notes",
        db_index=False,  # note_org_list_idx starts with the organization and serves its lookups
    )
{%- endif %}
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notes",
        db_index=False,  # note_owner_list_idx starts with the owner and serves its lookups
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The list's order, which its cursor pagination follows (api/pagination.py). Each way
        # the list is scoped has an index in this order, so a page is an index range scan
        # that reads only its own rows, however large the table grows.
        ordering = ["-created_at", "-id"]
        indexes = [
{%- if cookiecutter.tenancy == "organizations" %}
            # An organization's notes: what its members read (object_access=owner_or_read_only),
            # what its admins and owners read in any case, and the cascade when it is deleted.
            models.Index(fields=["organization", "-created_at", "-id"], name="note_org_list_idx"),
            # One member's notes in an organization (object_access=owner_only).
            models.Index(
                fields=["organization", "owner", "-created_at", "-id"],
                name="note_org_owner_list_idx",
            ),
            # One owner's notes anywhere: the quota count, the admin, a deleted user's cascade.
{%- else %}
            # Every note: the list where others may read (object_access=owner_or_read_only).
            models.Index(fields=["-created_at", "-id"], name="note_list_idx"),
            # One owner's notes: the list scoped to the requester (owner_only), a user's
            # notes in the admin, and the cascade when a user is deleted.
{%- endif %}
            models.Index(fields=["owner", "-created_at", "-id"], name="note_owner_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title
