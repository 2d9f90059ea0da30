"""Who the tests act as, and where their notes live: here, one flat list of notes.

tests/conftest.py creates the accounts once per run; the access policy's columns are ACTORS.
"""

from django.urls import reverse

from api.models import Note
from users.models import User

# The access policy's actors, in the order of its columns; "anonymous" has no account.
ACTORS = ("anonymous", "owner", "other", "vip", "staff")

# The actors with an account, and what sets each apart. "owner" owns the tests' note.
ACCOUNTS: dict[str, dict[str, object]] = {
    "owner": {},
    "other": {},
    "vip": {"tier": User.Tier.VIP},
    "staff": {"is_staff": True},
}

# Request bodies for the policy table's cells that need one other than its default.
ROUTE_BODIES: dict[tuple[str, str], dict[str, object]] = {}


def set_up(accounts: dict[str, User]) -> None:
    """Nothing beyond the accounts: this project has no organizations."""


def note_list_url() -> str:
    return reverse("note-list")


def note_detail_url(pk: int) -> str:
    return reverse("note-detail", kwargs={"pk": pk})


def new_note(owner: User, **fields: object) -> Note:
    """An unsaved note of ``owner`` (for ``Note.objects.bulk_create``)."""
    return Note(owner=owner, **fields)


def url_kwargs(note: Note) -> dict[str, dict[str, object]]:
    """The URL arguments of each route the policy table plays that takes any."""
    return {"note-detail": {"pk": note.pk}}
