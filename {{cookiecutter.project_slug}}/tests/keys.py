"""API keys for the tests: made straight in the database, as the API would store them.

``make_key`` returns the key's text, which the API shows only once. The policy table's key
actors (tests/actors.py, ``KEYS``) are made once per run by ``set_up_keys``; their texts
stay in ``TEXTS`` for tests/conftest.py's ``client_for``.
"""

from datetime import timedelta

from django.utils import timezone

from api_keys.keys import digest, new_key
from api_keys.models import APIKey
from api_keys.scopes import Scope

ALL_SCOPES = [scope.value for scope in Scope]
TEXTS: dict[str, str] = {}


def make_key(
    creator,
    scopes=ALL_SCOPES,
    *,
    expires_in=timedelta(days=30),
    revoked=False,
    **fields,
) -> str:
    """A key of ``creator`` with ``scopes``; ``fields`` adds the organization, if any."""
    text, prefix = new_key()
    APIKey.objects.create(
        name=f"{creator.username}'s key",
        prefix=prefix,
        hashed_key=digest(text),
        scopes=list(scopes),
        created_by=creator,
        expires_at=timezone.now() + expires_in,
        revoked_at=timezone.now() if revoked else None,
        **fields,
    )
    return text


def authenticate_with_key(client, text: str) -> None:
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {text}")
