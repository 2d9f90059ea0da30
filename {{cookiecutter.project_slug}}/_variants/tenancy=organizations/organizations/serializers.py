import re
import secrets
from typing import Any, TypedDict

from django.core.validators import RegexValidator
from django.db.models import Manager
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from audit.events import Event
from audit.models import AuditEvent
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from users.models import User

# Control characters (C0 and C1), zero-width and direction marks, line and paragraph
# separators: what could break a mail header or make a name read as another in a mail.
UNPRINTABLE = r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"


class RoleField(serializers.ChoiceField):
    """A role by name ("viewer", "member", "admin", "owner"), stored as its rank."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[role.label for role in Role], **kwargs)

    def to_internal_value(self, data: Any) -> Any:  # a Role, where DRF's fields give str
        label = super().to_internal_value(data)
        return next(role for role in Role if role.label == label)

    def to_representation(self, value: Any) -> str:
        return Role(value).label


class OrganizationSerializer(serializers.ModelSerializer):
    """An organization, and the requester's role in it. ``slug`` is its handle in URLs:
    derived from the name when left out, and fixed once created."""

    role = RoleField(read_only=True, help_text="Your role in this organization.")

    class Meta:
        model = Organization
        fields = ["slug", "name", "role", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "slug": {"required": False},
            # The name goes into invitation emails' subject, where a line break is an error.
            "name": {
                "validators": [
                    RegexValidator(
                        UNPRINTABLE,
                        inverse_match=True,
                        message="The name must be one line, without control characters.",
                    )
                ]
            },
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:  # the slug is in every URL of the organization
            fields["slug"].read_only = True
        return fields

    def validate_slug(self, slug: str) -> str:
        # One organization per slug whatever the letter case: "ACME" must not pose as "acme".
        slug = slug.lower()
        if Organization.objects.filter(slug=slug).exists():
            raise serializers.ValidationError("An organization with this slug already exists.")
        return slug

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("slug"):
            attrs["slug"] = slugify(attrs["name"])[:50].strip("-")
            if not attrs["slug"]:
                raise serializers.ValidationError(
                    {"slug": ["The name has no letters or digits to make a slug of; give one."]}
                )
            if Organization.objects.filter(slug=attrs["slug"]).exists():
                # Another organization has the name's slug: keep the name, vary the slug.
                attrs["slug"] = f"{attrs['slug'][:43]}-{secrets.token_hex(3)}"
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    """A member of the organization: who, with which role, since when."""

    user_id = serializers.IntegerField(source="user.pk", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    role = RoleField()

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


class MyMembershipListSerializer(serializers.ListSerializer):
    """Your memberships with their organizations in one query (/api/me/ gives them as
    ``user.memberships``, a related manager): not one query more per organization."""

    def to_representation(self, data: Any) -> list[Any]:
        if isinstance(data, Manager):
            data = data.select_related("organization")
        return super().to_representation(data)


class MyMembershipSerializer(serializers.ModelSerializer):
    """An organization you belong to, and your role in it."""

    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The organization's slug."
    )
    name = serializers.CharField(source="organization.name", read_only=True)
    role = RoleField(read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "name", "role"]
        list_serializer_class = MyMembershipListSerializer


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation: to whom, with which role, and where it stands. Its token is only
    ever in the email."""

    role = RoleField(default=Role.MEMBER)
    status = serializers.SerializerMethodField(help_text="pending, accepted, revoked or expired.")
    invited_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who sent it."
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]

    def validate_email(self, email: str) -> str:
        # Django's validator lets a quoted local part hold control characters, which the
        # email package turns into line breaks in the To: header.
        if email.startswith('"') or re.search(UNPRINTABLE, email):
            raise serializers.ValidationError(
                "Enter a plain address, without quotes or control characters."
            )
        return email

    def get_status(self, invitation: Invitation) -> str:
        if invitation.revoked_at is not None:
            return "revoked"
        if invitation.accepted_at is not None:
            return "accepted"
        if invitation.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AcceptInvitationSerializer(serializers.Serializer):
    """In: the token from the invitation's link."""

    token = serializers.CharField(max_length=100, write_only=True)


# The largest id PostgreSQL's bigint holds: users' ids, as the trail keeps them.
LARGEST_ID = 2**63 - 1
# What an organization's trail holds: the events recorded with an organization. The others
# (logins, refusals) belong to no organization, so filtering by one is a client's mistake.
ORGANIZATION_EVENTS = (
    Event.ORG_CREATED,
    Event.ORG_UPDATED,
    Event.ORG_DELETED,
    Event.MEMBER_ROLE_CHANGED,
    Event.MEMBER_REMOVED,
    Event.MEMBER_LEFT,
    Event.INVITATION_CREATED,
    Event.INVITATION_ACCEPTED,
    Event.INVITATION_REVOKED,
)
EVENT_NAMES = [event.value for event in ORGANIZATION_EVENTS]


class AuditTarget(TypedDict):
    """What an event is about: an "organization", a "user" or an "invitation", by id."""

    type: str
    id: str


class AuditEventSerializer(serializers.ModelSerializer):
    """One event of the organization's audit trail: what happened, when, who did it, to
    what, and the request that did it."""

    event = serializers.ChoiceField(choices=EVENT_NAMES, read_only=True)
    actor = serializers.IntegerField(
        source="actor_id", read_only=True, allow_null=True, help_text="The user's id."
    )
    target = serializers.SerializerMethodField(help_text="What the event is about.")
    reason = serializers.SerializerMethodField(help_text="Why, for an event that has one.")
    changes = serializers.SerializerMethodField(
        help_text='What changed, as `{"field": [before, after]}`: a name, a role.'
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "event",
            "at",
            "actor",
            "ip",
            "method",
            "path",
            "status",
            "request_id",
            "target",
            "reason",
            "changes",
        ]
        read_only_fields = fields

    def get_target(self, event: AuditEvent) -> AuditTarget | None:
        if not event.target_type:
            return None
        return AuditTarget(type=event.target_type, id=event.target_id)

    def get_reason(self, event: AuditEvent) -> dict[str, Any] | None:
        reason: dict[str, Any] | None = event.details.get("reason")
        return reason

    def get_changes(self, event: AuditEvent) -> dict[str, list[Any]] | None:
        changes: dict[str, list[Any]] | None = event.details.get("changes")
        return changes


class AuditEventFilterSerializer(serializers.Serializer):
    """The audit trail's query parameters: each narrows the list down."""

    event = serializers.ChoiceField(
        choices=EVENT_NAMES, required=False, help_text="Only the events of this name."
    )
    actor = serializers.IntegerField(
        min_value=1, max_value=LARGEST_ID, required=False, help_text="Only this user's events."
    )
