"""How far a note reaches beyond its owner: everyone may read it, only the owner may change it."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from api.models import Note
from api.utils.permission import IsOwnerOrReadOnly
from users.models import User

NOTE_OBJECT_RULE = IsOwnerOrReadOnly


def visible_notes(user: User | AnonymousUser) -> QuerySet[Note]:
    """Every note: whoever passes the global policy may read them all."""
    return Note.objects.select_related("owner")
