"""Who the tests act as, and where their notes live: in the organization "acme".

tests/conftest.py creates the accounts once per run and calls ``set_up``, which gives each
its place: the tests' note is owner's, a member's; outsider owns another organization,
"globex"; staff and vip belong to none. The access policy's columns are ACTORS.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from api.models import Note
from api_keys.models import APIKey
from api_keys.scopes import Scope
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from tests.keys import TEXTS, make_key
from users.models import User

# The people of the access policy, in the order of its columns; "anonymous" has no account.
PEOPLE = (
    "anonymous",
    "owner",  # the note's author, a member
    "other",  # another member
    "viewer",
    "admin",
    "org_owner",
    "outsider",  # owner of another organization
    "staff",  # staff, but no member of any organization
    "vip",  # on the VIP tier, no member of any organization
)
# API keys of acme, each acting as its creator within its scopes: "admin" made the first
# four; "demoted_key" was made by "viewer" when still an admin, with every scope.
KEYS: dict[str, dict[str, object]] = {
    "read_key": {"scopes": [Scope.NOTES_READ, Scope.MEMBERS_READ]},
    "write_key": {"scopes": [Scope.NOTES_WRITE]},
    "revoked_key": {"revoked": True},
    "expired_key": {"expires_in": -timedelta(seconds=1)},
    "demoted_key": {"creator": "viewer"},
}
# What each key gets on a route that names no scope: a working key 403, the others 401.
KEYS_REFUSED = {
    "read_key": 403,
    "write_key": 403,
    "revoked_key": 401,
    "expired_key": 401,
    "demoted_key": 403,
}
# Every column of the access policy: the people, then the keys.
ACTORS = (*PEOPLE, *KEYS)

# The actors with an account, and what sets each apart. Everyone has an email address
# (invitations are accepted by the account whose email was invited).
ACCOUNTS: dict[str, dict[str, object]] = {
    name: {"email": f"{name}@example.com"}
    for name in ("owner", "other", "viewer", "admin", "org_owner", "outsider")
}
ACCOUNTS["staff"] = {"email": "staff@example.com", "is_staff": True}
ACCOUNTS["vip"] = {"email": "vip@example.com", "tier": User.Tier.VIP}

ORGANIZATION = "acme"  # the organization every note of the tests is in
ROLES = {
    "owner": Role.MEMBER,
    "other": Role.MEMBER,
    "viewer": Role.VIEWER,
    "admin": Role.ADMIN,
    "org_owner": Role.OWNER,
}

# Request bodies for the policy table's cells that need one other than its default.
ROUTE_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("organization-list", "POST"): {"name": "Initech"},
    ("organization-detail", "PATCH"): {"name": "Acme Corporation"},
    ("membership-detail", "PATCH"): {"role": "viewer"},
    ("invitation-list", "POST"): {"email": "newcomer@example.com", "role": "member"},
    ("invitation-accept", "POST"): {"token": "not-a-token-anyone-was-sent"},
    ("api-key-list", "POST"): {
        "name": "Nightly export",
        "scopes": [Scope.NOTES_READ],
        "expires_at": (timezone.now() + timedelta(days=30)).isoformat(),
    },
}


def set_up(accounts: dict[str, User]) -> None:
    """The two organizations, every member's role, and acme's keys."""
    acme = Organization.objects.create(name="Acme", slug=ORGANIZATION)
    globex = Organization.objects.create(name="Globex", slug="globex")
    Membership.objects.bulk_create(
        [
            Membership(user=accounts[name], organization=acme, role=role)
            for name, role in ROLES.items()
        ]
        + [Membership(user=accounts["outsider"], organization=globex, role=Role.OWNER)]
    )
    for name, fields in KEYS.items():
        creator = accounts[str(fields.get("creator", "admin"))]
        options = {option: value for option, value in fields.items() if option != "creator"}
        TEXTS[name] = make_key(creator, organization=acme, **options)


def note_list_url(organization: str = ORGANIZATION) -> str:
    return reverse("note-list", kwargs={"slug": organization})


def note_detail_url(pk: int, organization: str = ORGANIZATION) -> str:
    return reverse("note-detail", kwargs={"slug": organization, "pk": pk})


def api_key_list_url(organization: str = ORGANIZATION) -> str:
    return reverse("api-key-list", kwargs={"slug": organization})


def api_key_detail_url(pk: int, organization: str = ORGANIZATION) -> str:
    return reverse("api-key-detail", kwargs={"slug": organization, "pk": pk})


def key_fields(creator: User, organization: str = ORGANIZATION) -> dict[str, object]:
    """What tests.keys.make_key needs besides the creator: the key's organization."""
    return {"organization": Organization.objects.get(slug=organization)}


def new_note(owner: User, **fields: object) -> Note:
    """An unsaved note of ``owner`` in the organization (for ``Note.objects.bulk_create``)."""
    return Note(owner=owner, organization=Organization.objects.get(slug=ORGANIZATION), **fields)


def url_kwargs(note: Note) -> dict[str, dict[str, object]]:
    """The URL arguments of each route the policy table plays that takes any: the
    organization, its note, the membership of "other", a pending invitation and a key."""
    invitation = Invitation.objects.create(
        organization=note.organization,
        email="invited@example.com",
        token_hash="0" * 64,
        expires_at=note.created_at.replace(year=note.created_at.year + 1),
    )
    other = Membership.objects.get(organization=note.organization, user__username="other")
    in_organization: dict[str, object] = {"slug": ORGANIZATION}
    return {
        "note-list": in_organization,
        "note-detail": {**in_organization, "pk": note.pk},
        "organization-detail": in_organization,
        "membership-list": in_organization,
        "membership-detail": {**in_organization, "user_id": other.user_id},
        "invitation-list": in_organization,
        "invitation-detail": {**in_organization, "pk": invitation.pk},
        "audit-event-list": in_organization,
        "api-key-list": in_organization,
        "api-key-detail": {**in_organization, "pk": APIKey.objects.earliest("pk").pk},
    }
