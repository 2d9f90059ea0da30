"""How far a note reaches in its organization: members see only their own; admins and
owners see all of them (and may delete any). Others' notes are 404, so ids do not leak."""

from django.db.models import QuerySet

from api.models import Note
from api.utils.permission import IsNoteAuthorOrModerator
from organizations.models import Membership
from organizations.roles import Role

NOTE_OBJECT_RULE = IsNoteAuthorOrModerator


def visible_notes(membership: Membership) -> QuerySet[Note]:
    """The requester's own notes in the organization; all of them for admins and owners."""
    notes = Note.objects.select_related("owner").filter(organization=membership.organization_id)
    if membership.role >= Role.ADMIN:
        return notes
    return notes.filter(owner=membership.user_id)
