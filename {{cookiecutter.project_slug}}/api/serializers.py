from typing import Any

from django.conf import settings
from rest_framework import serializers

from api.models import Note
{%- if cookiecutter.tenancy == "organizations" %}
from organizations.serializers import MyMembershipSerializer
{%- endif %}
from users.models import User


class NoteSerializer(serializers.ModelSerializer):
    """A short text and its title. ``owner`` is whoever created it; clients cannot set it.
    ``body`` has a length limit (a longer one is a 400 that names it)."""

    # The body's limit is NOTE_BODY_MAX_LENGTH, so that a page of notes stays a few MB
    # however its notes were written (SECURITY.md, API4).

    owner = serializers.ReadOnlyField(
        source="owner.username", help_text="The username of the user who created the note."
    )

    class Meta:
        model = Note
        fields = ["id", "title", "body", "owner", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def get_extra_kwargs(self) -> dict[str, Any]:
        # Read when the fields are built, for each serializer, not when this module is
        # imported: the setting comes from the environment and tests override it. The OpenAPI
        # schema shows it as the field's maxLength.
        extra_kwargs = super().get_extra_kwargs()
        extra_kwargs.setdefault("body", {})["max_length"] = settings.NOTE_BODY_MAX_LENGTH
        return extra_kwargs


class MeSerializer(serializers.ModelSerializer):
    """The requester's account."""
{%- if cookiecutter.tenancy == "organizations" %}

    memberships = MyMembershipSerializer(many=True, read_only=True)
{%- endif %}

    class Meta:
        model = User
{%- if cookiecutter.tenancy == "organizations" %}
        fields = ["id", "username", "tier", "memberships"]
{%- else %}
        fields = ["id", "username", "tier"]
{%- endif %}
        # Not Django's "Required. 150 characters or fewer...": this is output, not a form.
        extra_kwargs = {"username": {"help_text": "The name you log in with."}}
