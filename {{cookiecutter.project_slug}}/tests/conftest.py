"""Actors, their clients and a note, on a real PostgreSQL test database.

Without DATABASE_URL, config/settings/test.py starts a throwaway embedded server.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import Note
from tests.access_policy import ACTOR_GROUPS
from tests.auth import authenticate
from users.models import User

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def make_user(username: str, **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    for name in ACTOR_GROUPS.get(username, []):
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def users(db) -> dict:
    """Every actor of the access policy; "anonymous" is None."""
    return {
        "anonymous": None,
        "owner": make_user("owner"),
        "other": make_user("other"),
        "vip": make_user("vip", tier=User.Tier.VIP),
        "staff": make_user("staff", is_staff=True),
    }


@pytest.fixture
def client_for(users):
    """client_for("owner") -> an APIClient authenticated as that actor."""

    def make(actor: str) -> APIClient:
        client = APIClient()
        if users[actor] is not None:
            authenticate(client, users[actor])
        return client

    return make


@pytest.fixture
def note(users) -> Note:
    return Note.objects.create(title="Owner's note", body="Private thoughts", owner=users["owner"])
