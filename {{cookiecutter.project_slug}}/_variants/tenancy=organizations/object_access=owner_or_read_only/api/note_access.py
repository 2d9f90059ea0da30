"""How far a note reaches in its organization: every member reads it, only its author
changes it, and its author or an admin or owner deletes it."""

from django.db.models import QuerySet

from api.models import Note
from api.utils.permission import IsNoteAuthorOrModerator
from organizations.models import Membership

NOTE_OBJECT_RULE = IsNoteAuthorOrModerator


def visible_notes(membership: Membership) -> QuerySet[Note]:
    """Every note of the organization: each member, viewers included, reads them all."""
    return Note.objects.select_related("owner").filter(organization=membership.organization_id)
