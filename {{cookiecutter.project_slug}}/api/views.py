"""The example API. Each view states its policy; the global default covers the rest."""

from collections.abc import Sequence
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from rest_framework import generics, serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.health import database_answers
from api.models import Note
from api.note_access import NOTE_OBJECT_RULE, visible_notes
from api.serializers import MeSerializer, NoteSerializer
{%- if cookiecutter.tenancy == "organizations" %}
from api.utils.permission import (
    HasAPIKeyScope,
    HasOrganizationRole,
    IsAuthenticated,
    IsOrganizationMember,
    IsVIP,
)
from api_keys.scopes import Scope
from organizations.roles import Role
from organizations.scoping import OrganizationScopedMixin
{%- else %}
from api.utils.permission import HasAPIKeyScope, IsAuthenticated, IsVIP
from api_keys.scopes import Scope
{%- endif %}
from users.models import User


@api_view(["GET"])
@authentication_classes([])  # a stale token must not turn a health check into a 401
@permission_classes([])  # public: load balancers and orchestrators call it
@throttle_classes([])
def health(request: Request) -> Response:
    """200 when the database answers within HEALTH_CHECK_TIMEOUT seconds, 503 when not; each
    worker answers from its last check for HEALTH_CHECK_CACHE_SECONDS (api/health.py)."""
    if not database_answers():
        return Response({"status": "unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"})


# Routes /api/ links to, when this project has them (the credential and docs routes
# depend on the options it was baked with).
ROOT_LINKS = [
    "health",
    "me",
    "vip",
    "note-list",
    "organization-list",
    "api-key-list",
    "auth-token",
    "auth-login",
    "docs",
    "schema",
]


@api_view(["GET"])
@permission_classes([])  # public: a table of contents, the schema says more
def api_root(request: Request) -> Response:
    """Links to the API's main routes; where the browsable API lands after login."""
    links: dict[str, str] = {}
    for name in ROOT_LINKS:
        try:
            links[name] = request.build_absolute_uri(reverse(name))
        except NoReverseMatch:
            continue
    return Response(links)


@api_view(["GET"])
@permission_classes([IsAuthenticated])  # whatever the global policy, "who am I" needs a login
def me(request: Request) -> Response:
{%- if cookiecutter.tenancy == "organizations" %}
    """Your own account, as the credential sent identifies it: id, username, tier, and the
    organizations you belong to with your role in each."""
{%- else %}
    """Your own account, as the credential sent identifies it: id, username and tier."""
{%- endif %}
    return Response(MeSerializer(request.user).data)


@api_view(["GET"])
@permission_classes([IsVIP])
def vip(request: Request) -> Response:
    """A welcome for members on the VIP tier; any other user gets 403."""
    return Response({"detail": f"Welcome, {request.user.username}: you are a VIP member."})


# What an API key needs for each method on the notes (api_keys/scopes.py).
NOTE_SCOPES = {
    "GET": Scope.NOTES_READ,
    "POST": Scope.NOTES_WRITE,
    "PUT": Scope.NOTES_WRITE,
    "PATCH": Scope.NOTES_WRITE,
    "DELETE": Scope.NOTES_WRITE,
}

# The classes DEFAULT_PERMISSION_CLASSES names: api_settings imports its dotted paths.
DEFAULT_PERMISSIONS = cast(Sequence[type[BasePermission]], api_settings.DEFAULT_PERMISSION_CLASSES)

{%- if cookiecutter.tenancy == "organizations" %}


class NotePolicyMixin(OrganizationScopedMixin, generics.GenericAPIView[Note]):
    """The global policy, the organization's roles and the object rule: an organization's
    notes for its members, so changing the global default changes notes too."""

    permission_classes = [
        HasAPIKeyScope,
        *DEFAULT_PERMISSIONS,
        IsOrganizationMember,
        HasOrganizationRole,
        NOTE_OBJECT_RULE,
    ]
    serializer_class = NoteSerializer
    # Viewers read; members and above write (their own notes, says the object rule).
    minimum_roles = {
        "GET": Role.VIEWER,
        "POST": Role.MEMBER,
        "PUT": Role.MEMBER,
        "PATCH": Role.MEMBER,
        "DELETE": Role.MEMBER,
    }
    api_key_scopes = NOTE_SCOPES

    def get_queryset(self) -> QuerySet[Note]:
        if self.membership is None:  # only the OpenAPI schema asks without a request
            return Note.objects.none()
        return visible_notes(self.membership)
{%- else %}


class NotePolicyMixin(generics.GenericAPIView[Note]):
    """The global policy plus the object rule, so changing the global default changes notes too."""

    permission_classes = [HasAPIKeyScope, *DEFAULT_PERMISSIONS, NOTE_OBJECT_RULE]
    serializer_class = NoteSerializer
    api_key_scopes = NOTE_SCOPES

    def get_queryset(self) -> QuerySet[Note]:
        return visible_notes(self.request.user)
{%- endif %}


class NoteQuotaReached(PermissionDenied):
    """403 for a create past ``NOTES_PER_USER``, saying what the quota is and what to do."""

    default_code = "quota_exceeded"

    def __init__(self, quota: int) -> None:
        super().__init__(
            f"You have reached the limit of {quota} notes per user. "
            "Delete notes you no longer need to make room for new ones."
        )


class NoteList(NotePolicyMixin, generics.ListCreateAPIView[Note]):
    """List the notes you may see, newest first, a page at a time; or create a note, owned
    by you. Each user may own a limited number of notes: past it, a create is a 403 that
    says the limit."""

    # The limit is settings.NOTES_PER_USER, enforced in perform_create().

    def perform_create(self, serializer: serializers.BaseSerializer[Note]) -> None:
        owner = cast(User, self.request.user)  # every global policy needs a login to create
        quota = settings.NOTES_PER_USER
        with transaction.atomic():
            # The owner's row is locked while the notes are counted and the new one is saved:
            # concurrent creates by one user take turns, so together they cannot overshoot
            # the quota. FOR NO KEY UPDATE does not block inserts that merely reference the
            # user (tokens, login records), as FOR UPDATE would.
            User.objects.select_for_update(no_key=True).get(pk=owner.pk)
            # Counting stops at the quota: a check never reads more than `quota` index entries.
            if Note.objects.filter(owner=owner)[:quota].count() >= quota:
                raise NoteQuotaReached(quota)
{%- if cookiecutter.tenancy == "organizations" %}
            serializer.save(owner=owner, organization=self.organization)
{%- else %}
            serializer.save(owner=owner)
{%- endif %}


class NoteDetail(NotePolicyMixin, generics.RetrieveUpdateDestroyAPIView[Note]):
    """One note, by id: read it, replace it (PUT), change some of its fields (PATCH) or
    delete it. Which notes you may read and change is the service's policy, named below;
    a note you may not see is a 404, as if it did not exist."""

    # get_object() runs the object rule (NOTE_OBJECT_RULE) after the queryset's filter.
