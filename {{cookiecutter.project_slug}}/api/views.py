"""The example API. Each view states its policy; the global default covers the rest."""

import math
import select
import time
from collections.abc import Sequence
from typing import cast

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.utils import DatabaseError
from django.urls import NoReverseMatch, reverse
from psycopg import Error as PsycopgError
from psycopg import pq
from rest_framework import generics, serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.models import Note
from api.note_access import NOTE_OBJECT_RULE, visible_notes
from api.serializers import MeSerializer, NoteSerializer
from api.utils.permission import IsAuthenticated, IsVIP

# The query /api/health/ runs: the database answers, and it has been migrated.
HEALTH_QUERY = b"SELECT 1 FROM django_migrations LIMIT 1"


def database_answers(timeout: float) -> bool:
    """True when the database runs HEALTH_QUERY within ``timeout`` seconds.

    On a connection of its own, not the request's: a server that hangs (stuck, not down)
    never answers a query, and statement_timeout cannot help because the server is what
    hangs. So the connection gets a connect_timeout and the query goes through libpq's
    non-blocking API, abandoned at the deadline.
    """
    deadline = time.monotonic() + timeout
    params = connection.get_connection_params()
    params["connect_timeout"] = max(2, math.ceil(timeout))  # libpq's minimum is 2 s
    try:
        with connection.wrap_database_errors:
            probe = connection.get_new_connection(params)
    except DatabaseError:
        return False
    try:
        pgconn = probe.pgconn
        pgconn.send_query(HEALTH_QUERY)
        while pgconn.is_busy():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pgconn.socket], [], [], remaining)[0]:
                return False
            pgconn.consume_input()
        result = pgconn.get_result()
        return result is not None and result.status == pq.ExecStatus.TUPLES_OK
    except PsycopgError:
        return False
    finally:
        probe.close()


@api_view(["GET"])
@authentication_classes([])  # a stale token must not turn a health check into a 401
@permission_classes([])  # public: load balancers and orchestrators call it
@throttle_classes([])
def health(request: Request) -> Response:
    """200 when the database answers within HEALTH_CHECK_TIMEOUT seconds, 503 when not."""
    if not database_answers(settings.HEALTH_CHECK_TIMEOUT):
        return Response({"status": "unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"})


# Routes /api/ links to, when this project has them (the credential and docs routes
# depend on the options it was baked with).
ROOT_LINKS = ["health", "me", "vip", "note-list", "auth-token", "auth-login", "docs", "schema"]


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
    """The requester's id, username and tier."""
    return Response(MeSerializer(request.user).data)


@api_view(["GET"])
@permission_classes([IsVIP])
def vip(request: Request) -> Response:
    """A VIP-only resource; other users get 403 with IsVIP.message."""
    return Response({"detail": f"Welcome, {request.user.username}: you are a VIP member."})


# The classes DEFAULT_PERMISSION_CLASSES names: api_settings imports its dotted paths.
DEFAULT_PERMISSIONS = cast(Sequence[type[BasePermission]], api_settings.DEFAULT_PERMISSION_CLASSES)


class NotePolicyMixin(generics.GenericAPIView[Note]):
    """The global policy plus the object rule, so changing the global default changes notes too."""

    permission_classes = [*DEFAULT_PERMISSIONS, NOTE_OBJECT_RULE]
    serializer_class = NoteSerializer

    def get_queryset(self) -> QuerySet[Note]:
        return visible_notes(self.request.user)


class NoteList(NotePolicyMixin, generics.ListCreateAPIView[Note]):
    """List the notes you may see; create a note owned by you."""

    def perform_create(self, serializer: serializers.BaseSerializer[Note]) -> None:
        serializer.save(owner=self.request.user)


class NoteDetail(NotePolicyMixin, generics.RetrieveUpdateDestroyAPIView[Note]):
    """Read, replace, update or delete one note; get_object() runs the object rule."""
