"""The organization in the URL and the requester's membership, resolved once per request.

Every view under /api/orgs/<slug>/ builds on ``OrganizationScopedMixin``. Before any
permission class runs, it looks up the requester's membership of that organization in one
query; the classes in api/utils/permission.py then read ``view.membership`` and never query
again, so a list costs the same number of queries whatever the classes check.

Someone logged in who is not a member gets 404 for the organization and everything under
it, whatever the method: the answer is the same as for an organization that does not exist.
An anonymous request goes on to the permission classes, which refuse it with 401 or 403 as
everywhere else in the API. An API key acts only inside its own organization: in any other,
even one its creator belongs to, the answer is 404 as for an outsider.
"""

from typing import Any

from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from api_keys.models import APIKey
from organizations.models import Membership, Organization


class OrganizationScopedMixin(generics.GenericAPIView[Any]):
    """Sets ``self.membership`` and ``self.organization`` for a member; 404 for anyone else."""

    # The minimum role per method (organizations.roles.Role), read by HasOrganizationRole.
    minimum_roles: dict[str, int] = {}
    membership: Membership | None = None
    organization: Organization

    def check_permissions(self, request: Request) -> None:
        if request.user.is_authenticated:
            membership = (
                Membership.objects.select_related("organization")
                .filter(user=request.user, organization__slug=self.kwargs["slug"])
                .first()
            )
            if membership is None or not in_keys_organization(request, membership):
                raise NotFound  # DRF's: the browsable API renders it as a page, like others
            self.membership, self.organization = membership, membership.organization
        super().check_permissions(request)


def in_keys_organization(request: Request, membership: Membership) -> bool:
    """A request made with an API key acts only inside the key's organization; elsewhere,
    even where the key's creator is a member, it is an outsider."""
    key = request.auth
    return not isinstance(key, APIKey) or key.organization_id == membership.organization_id
