"""How far a note reaches beyond its owner: nowhere. Others get 404, so ids do not leak."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from api.models import Note
from api.utils.permission import IsOwner
from users.models import User

NOTE_OBJECT_RULE = IsOwner


def visible_notes(user: User | AnonymousUser) -> QuerySet[Note]:
    """Only the requester's own notes (none for anonymous requests)."""
    if not user.is_authenticated:
        return Note.objects.none()
    return Note.objects.select_related("owner").filter(owner=user)
