"""Actors, their clients and a note, on a real PostgreSQL test database.

Without DATABASE_URL, config/settings/test.py starts a throwaway embedded server.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from api.health import PROBE
from api.models import Note
from tests import actors
from tests.auth import authenticate
from tests.note_policy import ACTOR_GROUPS
from users.models import User

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_health_probe():
    """Every test meets /api/health/ as a new worker would: no probe connection, no last
    answer. Closed after the test as well: an open connection would keep the test database
    from being dropped at the end of the run."""
    PROBE.reset()
    yield
    PROBE.reset()


def make_user(username: str, **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    for name in ACTOR_GROUPS.get(username, []):
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The actors' accounts (tests/actors.py), and whatever else they need to act, created
    once in the test database: each test runs in a transaction that rolls back to them, so
    no test pays for creating users."""
    with django_db_blocker.unblock():
        accounts = {name: make_user(name, **fields) for name, fields in actors.ACCOUNTS.items()}
        actors.set_up(accounts)


@pytest.fixture
def users(db) -> dict:
    """Every actor of the access policy, read afresh; "anonymous" is None."""
    accounts = {user.username: user for user in User.objects.filter(username__in=actors.ACCOUNTS)}
    return {"anonymous": None, **{name: accounts[name] for name in actors.ACCOUNTS}}


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
    """The owner's note, where tests/actors.py keeps notes."""
    note = actors.new_note(users["owner"], title="Owner's note", body="Private thoughts")
    note.save()
    return note
