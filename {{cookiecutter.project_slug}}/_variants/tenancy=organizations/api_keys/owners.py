"""Whose API keys a request manages: the organization's, for its admins and owners. A key
acts as the admin or owner who created it, inside this organization only."""

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied

from api_keys.models import APIKey
from organizations.models import Membership, Organization
from organizations.roles import Role
from organizations.scoping import OrganizationScopedMixin
from organizations.views import TENANT_POLICY


class KeyOwnerMixin(OrganizationScopedMixin):
    """The organization's keys, whoever created them: any admin or owner may read and revoke
    them. Members and viewers get 403; outsiders 404, as everywhere under /api/orgs/<slug>/."""

    permission_classes = TENANT_POLICY
    minimum_roles = {"GET": Role.ADMIN, "POST": Role.ADMIN, "DELETE": Role.ADMIN}

    def owned_keys(self) -> QuerySet[APIKey]:
        if self.membership is None:  # only the OpenAPI schema asks without a request
            return APIKey.objects.none()
        return APIKey.objects.filter(organization=self.organization)

    def lock_owner(self) -> None:
        """The organization's row: admins creating keys at once take turns at the quota. And
        the requester's membership, still an admin's: removed or demoted meanwhile, the
        request fails; removed after, the removal sees the new key and revokes it."""
        Organization.objects.select_for_update(no_key=True).get(pk=self.organization.pk)
        mine = Membership.objects.select_for_update().filter(
            pk=cast(Membership, self.membership).pk, role__gte=Role.ADMIN
        )
        if not mine.exists():
            raise PermissionDenied("Your role in this organization changed meanwhile.")

    def owner_fields(self) -> dict[str, Any]:
        return {"organization": self.organization}

    def audit_organization(self) -> Organization:
        return self.organization
