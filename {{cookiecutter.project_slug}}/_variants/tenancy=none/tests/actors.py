"""Who the tests act as, and where their notes live: here, one flat list of notes.

tests/conftest.py creates the accounts once per run; the access policy's columns are ACTORS.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from api.models import Note
from api_keys.models import APIKey
from api_keys.scopes import Scope
from tests.keys import TEXTS, make_key
from users.models import User

# The people of the access policy, in the order of its columns; "anonymous" has no account.
PEOPLE = ("anonymous", "owner", "other", "vip", "staff")
# API keys of "owner", the note's owner: a key acts as its creator, within its scopes.
KEYS: dict[str, dict[str, object]] = {
    "read_key": {"scopes": [Scope.NOTES_READ]},
    "write_key": {"scopes": [Scope.NOTES_WRITE]},
    "revoked_key": {"revoked": True},
    "expired_key": {"expires_in": -timedelta(seconds=1)},
}
# What each key gets on a route that names no scope: a working key 403, the others 401.
KEYS_REFUSED = {"read_key": 403, "write_key": 403, "revoked_key": 401, "expired_key": 401}
# Every column of the access policy: the people, then the keys.
ACTORS = (*PEOPLE, *KEYS)

# The actors with an account, and what sets each apart. "owner" owns the tests' note.
ACCOUNTS: dict[str, dict[str, object]] = {
    "owner": {},
    "other": {},
    "vip": {"tier": User.Tier.VIP},
    "staff": {"is_staff": True},
}

# Request bodies for the policy table's cells that need one other than its default.
ROUTE_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("api-key-list", "POST"): {
        "name": "Nightly export",
        "scopes": [Scope.NOTES_READ],
        "expires_at": (timezone.now() + timedelta(days=30)).isoformat(),
    },
}


def set_up(accounts: dict[str, User]) -> None:
    """The keys of "owner": this project has no organizations."""
    for name, fields in KEYS.items():
        TEXTS[name] = make_key(accounts["owner"], **fields)


def note_list_url() -> str:
    return reverse("note-list")


def note_detail_url(pk: int) -> str:
    return reverse("note-detail", kwargs={"pk": pk})


def api_key_list_url() -> str:
    return reverse("api-key-list")


def api_key_detail_url(pk: int) -> str:
    return reverse("api-key-detail", kwargs={"pk": pk})


def key_fields(creator: User) -> dict[str, object]:
    """What tests.keys.make_key needs besides the creator: nothing, without organizations."""
    return {}


def new_note(owner: User, **fields: object) -> Note:
    """An unsaved note of ``owner`` (for ``Note.objects.bulk_create``)."""
    return Note(owner=owner, **fields)


def url_kwargs(note: Note) -> dict[str, dict[str, object]]:
    """The URL arguments of each route the policy table plays that takes any: the note, and
    a key of its owner."""
    key = APIKey.objects.filter(created_by=note.owner).earliest("pk")
    return {"note-detail": {"pk": note.pk}, "api-key-detail": {"pk": key.pk}}
