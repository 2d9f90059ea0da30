"""The organizations' operations in the OpenAPI schema: names, summaries, and the 409s.

api/schema.py imports this module; api/openapi.py adds the rest from the views, the role
each method needs included.
"""

from drf_spectacular.utils import OpenApiResponse

from api.openapi import ErrorSerializer, document
from organizations import views
from organizations.serializers import (
    AuditEventFilterSerializer,
    AuditEventSerializer,
    MembershipSerializer,
    MyMembershipSerializer,
    OrganizationSerializer,
)


# The view's serializer makes the slug read-only for an existing organization, which the
# schema, built without one, does not see: without this, PATCH would document a slug it ignores.
class OrganizationRenameSerializer(OrganizationSerializer):
    """What renaming an organization changes: its name. Its slug, in every URL of the
    organization, stays what it was created with."""

    class Meta(OrganizationSerializer.Meta):
        read_only_fields = ["slug", "created_at"]


LAST_OWNER = OpenApiResponse(
    ErrorSerializer,
    description="The organization's last owner would be left out (`last_owner`).",
)

document(
    views.OrganizationList,
    "organizations",
    get=("listOrganizations", "List the organizations you belong to"),
    post=("createOrganization", "Create an organization, with you as its owner"),
)
document(
    views.OrganizationDetail,
    "organizations",
    get=("getOrganization", "Read an organization"),
    patch={
        "operation_id": "updateOrganization",
        "summary": "Rename an organization",
        "request": OrganizationRenameSerializer,
    },
    delete=("deleteOrganization", "Delete an organization and everything in it"),
)
document(
    views.MembershipList,
    "organizations",
    get=("listMembers", "List an organization's members"),
)
document(
    views.MembershipDetail,
    "organizations",
    get=("getMember", "Read a member"),
    patch={
        "operation_id": "changeMemberRole",
        "summary": "Change a member's role",
        "responses": {200: MembershipSerializer, 409: LAST_OWNER},
    },
    delete={
        "operation_id": "removeMember",
        "summary": "Remove a member, or leave",
        "responses": {204: None, 409: LAST_OWNER},
    },
)
document(
    views.InvitationList,
    "organizations",
    get=("listInvitations", "List an organization's invitations"),
    post=("createInvitation", "Invite an email address to join"),
)
document(
    views.InvitationDetail,
    "organizations",
    delete=("revokeInvitation", "Revoke an invitation"),
)
document(
    views.AuditEventList,
    "organizations",
    get={
        "operation_id": "listOrganizationAuditEvents",
        "summary": "List an organization's audit events",
        "parameters": [AuditEventFilterSerializer],  # ?event= and ?actor=
        "responses": {
            200: AuditEventSerializer(many=True),
            400: OpenApiResponse(
                ErrorSerializer,
                description="`event` is no event's name, or `actor` no user id; `fields` "
                "says which. Or a header or cookie holds a NUL byte or is too long.",
            ),
        },
    },
)
document(
    views.AcceptInvitation,
    "organizations",
    post={
        "operation_id": "acceptInvitation",
        "summary": "Accept an invitation",
        "responses": {
            201: MyMembershipSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="The invitation is for another email address than your account's.",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="You are already a member of the organization (`already_member`).",
            ),
        },
    },
)
