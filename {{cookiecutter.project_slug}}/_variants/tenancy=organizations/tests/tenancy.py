"""What the organizations' tests share: their URLs, and who belongs where.

tests/actors.py sets the scene once per run: "acme" with a member of every role, "globex"
owned by "outsider". A test adds to it with these helpers, inside its own transaction,
which rolls back with it.
"""

from django.urls import reverse
from rest_framework.test import APIClient

from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.actors import ORGANIZATION
from tests.auth import authenticate
from users.models import User

OTHER_ORGANIZATION = "globex"  # owned by "outsider", who is no member of acme


def org_url(route: str, organization: str = ORGANIZATION, **kwargs: object) -> str:
    """The URL of ``route`` under /api/orgs/<organization>/."""
    return reverse(route, kwargs={"slug": organization, **kwargs})


def member_url(user: User, organization: str = ORGANIZATION) -> str:
    return org_url("membership-detail", organization, user_id=user.pk)


def join(user: User, organization: str, role: Role) -> Membership:
    """Make ``user`` a member of ``organization`` with ``role``, as accepting would."""
    return Membership.objects.create(
        user=user, organization=Organization.objects.get(slug=organization), role=role
    )


def role_in(user: User, organization: str = ORGANIZATION) -> str | None:
    """``user``'s role in ``organization`` by name, or None when they are no member."""
    membership = Membership.objects.filter(user=user, organization__slug=organization).first()
    return None if membership is None else Role(membership.role).label


def client_of(user: User) -> APIClient:
    """A client logged in as ``user``, for an account the actors do not have."""
    client = APIClient()
    authenticate(client, user)
    return client
