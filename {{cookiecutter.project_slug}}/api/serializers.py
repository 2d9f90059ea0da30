from rest_framework import serializers

from api.models import Note
from users.models import User


class NoteSerializer(serializers.ModelSerializer):
    """A note as the API shows it. ``owner`` is read-only: the view sets it to the requester."""

    owner = serializers.ReadOnlyField(source="owner.username")

    class Meta:
        model = Note
        fields = ["id", "title", "body", "owner", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "tier"]
