"""Organizations, their members and invitations. Who may do what: api/utils/permission.py.

Every view under /api/orgs/<slug>/ is an ``OrganizationScopedMixin``: outsiders get 404,
and ``minimum_roles`` names the role each method needs (``HasOrganizationRole``).

Each change is an audit event of the organization (audit/events.py), recorded where it is
made and sent out only once it commits: a change refused or rolled back leaves none. Admins
and owners read the organization's events at /api/orgs/<slug>/audit-events/.
"""

from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api.pagination import BoundedCursorPagination
from api.utils.permission import (
    CanManageMembership,
    HasAPIKeyScope,
    HasOrganizationRole,
    IsAuthenticated,
    IsOrganizationMember,
    role_name,
)
from api_keys.scopes import Scope
from audit.events import Event, record
from audit.events import target as audit_target
from audit.models import AuditEvent
from organizations import invitations
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from organizations.scoping import OrganizationScopedMixin
from organizations.serializers import (
    AcceptInvitationSerializer,
    AuditEventFilterSerializer,
    AuditEventSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MyMembershipSerializer,
    OrganizationSerializer,
)
from organizations.throttles import InvitationsPerInviter, InvitationsPerOrganization
from users.models import User

TENANT_POLICY = [IsAuthenticated, IsOrganizationMember, HasOrganizationRole]


class LastOwner(APIException):
    """409: the change would leave the organization without an owner."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "An organization needs an owner: make another member an owner first, "
        "or delete the organization."
    )
    default_code = "last_owner"


class AboveYourRole(PermissionDenied):
    """403: granting or inviting with a role above the requester's own."""

    def __init__(self, action: str, mine: int) -> None:
        super().__init__(f"You cannot {action} a role above your own ({role_name(mine)}).")


class OrganizationQuotaReached(PermissionDenied):
    default_code = "quota_exceeded"

    def __init__(self, quota: int) -> None:
        super().__init__(
            f"You own the limit of {quota} organizations. Delete one or hand it over first."
        )


class OrganizationList(generics.ListCreateAPIView[Organization]):
    """The organizations you belong to, each with your role; or create one, which makes you
    its owner. The slug is derived from the name when you leave it out."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        # One join: the filter and the annotation use the same membership row.
        user = cast(User, self.request.user)  # IsAuthenticated let the request in
        return Organization.objects.filter(memberships__user=user).annotate(
            role=F("memberships__role")
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Organization]) -> None:
        user = cast(User, self.request.user)
        quota = settings.ORGANIZATIONS_PER_USER
        try:
            with transaction.atomic():
                # As for notes: concurrent creates by one user take turns at the quota.
                User.objects.select_for_update(no_key=True).get(pk=user.pk)
                owned = Membership.objects.filter(user=user, role=Role.OWNER).count()
                if owned >= quota:
                    raise OrganizationQuotaReached(quota)
                organization = serializer.save()
                Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
                record(
                    Event.ORG_CREATED,
                    organization=organization,
                    target=audit_target("organization", organization.pk),
                    changes={"name": [None, organization.name]},
                )
        except IntegrityError as error:  # the slug was taken meanwhile
            raise ValidationError(
                {"slug": ["An organization with this slug already exists."]}, code="invalid"
            ) from error
        organization.role = Role.OWNER  # type: ignore[attr-defined]


class OrganizationDetail(
    OrganizationScopedMixin, generics.RetrieveUpdateDestroyAPIView[Organization]
):
    """One organization you belong to: read it (members), rename it (admins and owners), or
    delete it with its notes, memberships and invitations (owners)."""

    permission_classes = TENANT_POLICY
    serializer_class = OrganizationSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    minimum_roles = {"GET": Role.VIEWER, "PATCH": Role.ADMIN, "DELETE": Role.OWNER}

    def get_object(self) -> Organization:
        self.organization.role = self.membership.role  # type: ignore[attr-defined,union-attr]
        return self.organization

    def perform_update(self, serializer: serializers.BaseSerializer[Organization]) -> None:
        with transaction.atomic():
            # The row as it is now, locked: two renames at once each record what they
            # replaced, not what the organization was called when both began.
            current = Organization.objects.select_for_update().get(pk=self.organization.pk)
            changes = changed_fields(serializer, current)
            serializer.save()
            if changes:  # a PATCH that changes nothing records nothing
                record(
                    Event.ORG_UPDATED,
                    organization=self.organization,
                    target=audit_target("organization", self.organization.pk),
                    changes=changes,
                )

    def perform_destroy(self, instance: Organization) -> None:
        with transaction.atomic():
            # Before the delete, which clears the instance's pk; out only once it commits.
            record(
                Event.ORG_DELETED,
                organization=instance,
                target=audit_target("organization", instance.pk),
                changes={"name": [instance.name, None]},
            )
            instance.delete()


def changed_fields(
    serializer: serializers.BaseSerializer[Any], current: Any
) -> dict[str, list[Any]]:
    """``{"field": [before, after]}`` for each field the request changes, as the API shows
    them (JSON, for the audit event)."""
    fields = cast(serializers.Serializer, serializer).fields
    changes = {}
    for name, value in serializer.validated_data.items():
        before = fields[name].to_representation(getattr(current, name))
        after = fields[name].to_representation(value)
        if before != after:
            changes[name] = [before, after]
    return changes


class MembershipMixin(OrganizationScopedMixin, generics.GenericAPIView[Membership]):
    serializer_class = MembershipSerializer
    # API keys with members:read may read the members; changing them needs a person.
    api_key_scopes = {"GET": Scope.MEMBERS_READ}

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(organization=self.organization).select_related("user")


class MembershipList(MembershipMixin, generics.ListAPIView[Membership]):
    """The organization's members and their roles, newest first. Members join by invitation."""

    permission_classes = [HasAPIKeyScope, *TENANT_POLICY]
    minimum_roles = {"GET": Role.VIEWER}


class MembershipDetail(MembershipMixin, generics.RetrieveUpdateDestroyAPIView[Membership]):
    """One member, by user id: read (members), change the role (admins and owners, never
    above their own; only owners touch owners), or remove (admins and owners; any member
    to leave). The last owner can neither leave, be removed nor be demoted (409)."""

    permission_classes = [HasAPIKeyScope, *TENANT_POLICY, CanManageMembership]
    http_method_names = ["get", "patch", "delete", "head", "options"]
    minimum_roles = {"GET": Role.VIEWER, "PATCH": Role.ADMIN, "DELETE": Role.VIEWER}
    lookup_field = "user_id"

    def locked(self, target: Membership) -> tuple[Membership, Membership, int]:
        """The requester's and the target's memberships as they are now, and the number of
        owners, with those rows locked until the transaction ends: two owners demoting or
        removing each other at once take turns, and the second sees the first's change."""
        mine = cast(Membership, self.membership)  # the tenant policy let a member in
        rows = list(
            Membership.objects.select_for_update()
            .filter(organization=self.organization)
            .filter(Q(role=Role.OWNER) | Q(pk__in=[mine.pk, target.pk]))
            .order_by("pk")  # one order for every request: no deadlock between them
        )
        by_pk = {row.pk: row for row in rows}
        if mine.pk not in by_pk or target.pk not in by_pk:
            raise NotFound  # one of them left or was removed meanwhile
        owners = sum(row.role == Role.OWNER for row in rows)
        return by_pk[mine.pk], by_pk[target.pk], owners

    def recheck(self, request: Request, mine: Membership, target: Membership) -> None:
        """The policy again, on the locked rows: a concurrent change may have lowered the
        requester's role since the request began."""
        self.membership = mine
        self.check_permissions_for(request, target)

    def check_permissions_for(self, request: Request, target: Membership) -> None:
        for permission in self.get_permissions():
            if not permission.has_permission(request, self):
                self.permission_denied(request, message=getattr(permission, "message", None))
            if not permission.has_object_permission(request, self, target):
                self.permission_denied(request, message=getattr(permission, "message", None))

    def perform_update(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        if "role" not in serializer.validated_data:  # the one field there is to change
            raise ValidationError({"role": ["This field is required."]}, code="required")
        role: Role = serializer.validated_data["role"]
        with transaction.atomic():
            mine, target, owners = self.locked(serializer.instance)  # type: ignore[arg-type]
            self.recheck(self.request, mine, target)
            if role > mine.role:
                raise AboveYourRole("grant", mine.role)
            if target.role == Role.OWNER and role < Role.OWNER and owners == 1:
                raise LastOwner
            serializer.save()
            if role != target.role:  # the locked row's role: what this request replaced
                record(
                    Event.MEMBER_ROLE_CHANGED,
                    organization=self.organization,
                    target=audit_target("user", target.user_id),
                    changes={"role": [Role(target.role).label, role.label]},
                )

    def perform_destroy(self, instance: Membership) -> None:
        with transaction.atomic():
            mine, target, owners = self.locked(instance)
            self.recheck(self.request, mine, target)
            if target.role == Role.OWNER and owners == 1:
                raise LastOwner
            target.delete()
            record(
                # By user: delete() has cleared the membership's pk.
                Event.MEMBER_LEFT if target.user_id == mine.user_id else Event.MEMBER_REMOVED,
                organization=self.organization,
                target=audit_target("user", target.user_id),
                changes={"role": [Role(target.role).label, None]},
            )


class InvitationMixin(OrganizationScopedMixin, generics.GenericAPIView[Invitation]):
    permission_classes = TENANT_POLICY
    serializer_class = InvitationSerializer

    def get_queryset(self) -> QuerySet[Invitation]:
        return Invitation.objects.filter(organization=self.organization).select_related(
            "invited_by"
        )


class InvitationList(InvitationMixin, generics.ListCreateAPIView[Invitation]):
    """The organization's invitations (admins and owners); or invite an email address with a
    role no higher than your own. The answer is the same whether or not an account with
    that email exists; the link goes by email only. Invitations are rate-limited per
    organization and per inviter."""

    minimum_roles = {"GET": Role.ADMIN, "POST": Role.ADMIN}
    throttle_classes = [
        *cast(Sequence[type[BaseThrottle]], api_settings.DEFAULT_THROTTLE_CLASSES),
        InvitationsPerOrganization,
        InvitationsPerInviter,
    ]

    def perform_create(self, serializer: serializers.BaseSerializer[Invitation]) -> None:
        mine = cast(Membership, self.membership)  # the tenant policy let a member in
        role: Role = serializer.validated_data["role"]
        if role > mine.role:
            raise AboveYourRole("invite with", mine.role)
        serializer.instance = invitations.invite(
            self.organization,
            cast(User, self.request.user),
            serializer.validated_data["email"],
            role,
        )


class InvitationDetail(InvitationMixin, generics.DestroyAPIView[Invitation]):
    """Revoke a pending invitation (admins and owners): its link stops working at once."""

    minimum_roles = {"GET": Role.ADMIN, "DELETE": Role.ADMIN}  # GET: OPTIONS and HEAD

    def get_queryset(self) -> QuerySet[Invitation]:
        return super().get_queryset().filter(accepted_at=None, revoked_at=None)

    def perform_destroy(self, instance: Invitation) -> None:
        with transaction.atomic():
            # Only if it is still pending when the UPDATE runs: of a revoke and an accept (or
            # two revokes) at the same moment, one wins, and only the winner is recorded.
            revoked = Invitation.objects.filter(
                pk=instance.pk, accepted_at=None, revoked_at=None
            ).update(revoked_at=timezone.now())
            if not revoked:
                raise NotFound
            record(
                Event.INVITATION_REVOKED,
                organization=self.organization,
                target=audit_target("invitation", instance.pk),
            )


class AcceptInvitation(generics.GenericAPIView[Membership]):
    """Accept an invitation with the token from its email: 201 and your membership. Your
    account's email must be the one invited (letter case aside); a wrong, used, revoked or
    expired token, or an organization you already belong to, is refused and changes nothing."""

    permission_classes = [IsAuthenticated]
    serializer_class = AcceptInvitationSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = invitations.accept(
            serializer.validated_data["token"], cast(User, request.user)
        )
        return Response(MyMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class AuditEventPagination(BoundedCursorPagination):
    # auditevent_org_idx's order (audit/models.py): a page reads only its own rows.
    ordering = ("-at", "-id")


class AuditEventList(OrganizationScopedMixin, generics.ListAPIView[AuditEvent]):
    """The organization's audit trail, newest first (admins and owners): who created or
    renamed it, changed whose role, removed whom, who left, who invited with which role and
    who accepted, each with the time, address, method, path, status and id of its request.
    `event` and `actor` (a user id) narrow it down.

    Only this organization's events: one deleted and created again with the same slug
    starts a trail of its own. Admins see the addresses members made their changes from, as
    in the audit logs of GitHub and Sentry; an invitation is named by its id, never by its
    email address or token. Read-only: nobody changes or deletes an event here, and events
    stay until the service's operator prunes old ones.
    """

    permission_classes = TENANT_POLICY
    serializer_class = AuditEventSerializer
    pagination_class = AuditEventPagination
    # Every method, so that whoever may read the trail is told it is read-only (405) and
    # everyone else that it is not theirs to read (403), whatever the method.
    minimum_roles = dict.fromkeys(["GET", "POST", "PUT", "PATCH", "DELETE"], Role.ADMIN)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        # As a plain dict: DRF reads a form's empty field as left out, but ?actor= with an
        # empty id is a client's mistake, not a wish to see everyone's events.
        filters = AuditEventFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)  # a 400 naming the parameter
        # By id, never by slug: another organization may have had this one's slug.
        events = AuditEvent.objects.filter(organization_id=self.organization.pk)
        if "event" in filters.validated_data:
            events = events.filter(event=filters.validated_data["event"])
        if "actor" in filters.validated_data:
            events = events.filter(actor_id=filters.validated_data["actor"])
        return events
