"""Organizations, who belongs to them with which role, and the invitations to join them."""

from typing import Any

from django.conf import settings
from django.db import models

from organizations.roles import Role


class Organization(models.Model):
    """A tenant: its members, their roles and its notes belong to it and to nothing else."""

    name = models.CharField(max_length=100)
    # The organization's handle in every URL under /api/orgs/<slug>/; it never changes.
    slug = models.SlugField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = self.slug.lower()  # the admin's form too: one organization per slug
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A user's place in one organization: one membership per user and organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,  # membership_user_list_idx starts with the user
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,  # membership_org_list_idx starts with the organization
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Newest first, as every list of the API (api/pagination.py); each list has its index.
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_each"),
        ]
        indexes = [
            # The members of an organization (GET /api/orgs/<slug>/members/).
            models.Index(
                fields=["organization", "-created_at", "-id"], name="membership_org_list_idx"
            ),
            # A user's organizations (GET /api/orgs/ and /api/me/).
            models.Index(fields=["user", "-created_at", "-id"], name="membership_user_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({Role(self.role).label})"


class Invitation(models.Model):
    """An invitation to join an organization with a role, for whoever owns ``email``.

    The link mailed to that address carries a random token; only its SHA-256 is stored, so
    the table cannot be used to join anything. It works once, until ``expires_at``, and only
    for an account whose email is ``email`` (organizations/invitations.py).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", db_index=False
    )
    email = models.EmailField()
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # An organization's invitations (GET /api/orgs/<slug>/invitations/).
            models.Index(
                fields=["organization", "-created_at", "-id"], name="invitation_org_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} as {Role(self.role).label}"
