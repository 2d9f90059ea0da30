"""How far a note reaches beyond its owner: everyone may read it, only the owner may change it."""

from api.models import Note
from api.utils.permission import IsOwnerOrReadOnly

NOTE_OBJECT_RULE = IsOwnerOrReadOnly


def visible_notes(user):
    """Every note: whoever passes the global policy may read them all."""
    return Note.objects.select_related("owner")
