"""The example API. Each view states its policy; the global default covers the rest."""

from django.db import connection
from django.db.utils import DatabaseError
from rest_framework import generics, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.note_access import NOTE_OBJECT_RULE, visible_notes
from api.serializers import MeSerializer, NoteSerializer
from api.utils.permission import IsAuthenticated, IsVIP


@api_view(["GET"])
@authentication_classes([])  # a stale token must not turn a health check into a 401
@permission_classes([])  # public: load balancers and orchestrators call it
@throttle_classes([])
def health(request):
    """200 when the service can reach its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Response({"status": "unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"})


@api_view(["GET"])
@permission_classes([IsAuthenticated])  # whatever the global policy, "who am I" needs a login
def me(request):
    """The requester's id, username and tier."""
    return Response(MeSerializer(request.user).data)


@api_view(["GET"])
@permission_classes([IsVIP])
def vip(request):
    """A VIP-only resource; other users get 403 with IsVIP.message."""
    return Response({"detail": f"Welcome, {request.user.username}: you are a VIP member."})


class NotePolicyMixin:
    """The global policy plus the object rule, so changing the global default changes notes too."""

    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, NOTE_OBJECT_RULE]
    serializer_class = NoteSerializer

    def get_queryset(self):
        return visible_notes(self.request.user)


class NoteList(NotePolicyMixin, generics.ListCreateAPIView):
    """List the notes you may see; create a note owned by you."""

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class NoteDetail(NotePolicyMixin, generics.RetrieveUpdateDestroyAPIView):
    """Read, replace, update or delete one note; get_object() runs the object rule."""
