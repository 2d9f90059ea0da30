"""Actors, their clients and a note, on a real PostgreSQL test database; the audit trail a
test leaves; and, over the whole run, no secret in any log record or audit row.

Without DATABASE_URL, config/settings/test.py starts a throwaway embedded server.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from api.health import PROBE
from api.models import Note
from audit.models import AuditEvent
from tests import actors, keys
from tests.auth import authenticate
from tests.keys import authenticate_with_key
from tests.leaks import LeakWatch
from tests.note_policy import ACTOR_GROUPS
from users.models import User

PASSWORD = "correct-horse-battery-staple"

# Imported by the tests after this: pytest explains the failures of its asserts too.
pytest.register_assert_rewrite("tests.audit_trail")


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
    """client_for("owner") -> an APIClient authenticated as that actor; for a key actor
    ("read_key"), one that sends that key."""

    def make(actor: str) -> APIClient:
        client = APIClient()
        if actor in keys.TEXTS:
            authenticate_with_key(client, keys.TEXTS[actor])
        elif users[actor] is not None:
            authenticate(client, users[actor])
        return client

    return make


@pytest.fixture
def note(users) -> Note:
    """The owner's note, where tests/actors.py keeps notes."""
    note = actors.new_note(users["owner"], title="Owner's note", body="Private thoughts")
    note.save()
    return note


@pytest.fixture(scope="session", autouse=True)
def leak_watch():
    """Every secret the suite's clients send or get, every record it logs (as production
    writes it) and every audit row it stores (tests/leaks.py). At the end of the run (of each
    pytest-xdist worker), any secret found in a record or a row fails the run."""
    watch = LeakWatch()
    with watch.watching():
        yield watch
    if leaks := watch.leaks():
        shown = 20  # the first of them say where to look
        more = [f"... and {len(leaks) - shown} more"] if len(leaks) > shown else []
        summary = "\n".join(
            ["Secrets the tests used were logged or stored:", *leaks[:shown], *more]
        )
        pytest.fail(summary, pytrace=False)


@pytest.fixture
def production_log(leak_watch):
    """production_log() -> every record logged since the test started, each as the JSON
    object production writes (LOG_FORMAT=json), request_id included."""
    start = len(leak_watch.lines)
    return lambda: [json.loads(line.text) for line in leak_watch.lines[start:]]


@pytest.fixture
def trail(caplog, django_capture_on_commit_callbacks):
    """trail(lambda: client.post(...)) -> Seen: the response, the audit events logged while
    it was served (and once its transaction committed, as a real one would), and the
    AuditEvent rows stored."""

    from tests.audit_trail import Seen, logged  # after register_assert_rewrite() above

    def run(send):
        newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        caplog.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = send()
        rows = list(AuditEvent.objects.filter(pk__gt=newest).order_by("pk"))
        return Seen(response, logged(caplog.records), rows)

    return run
