"""/api/health/: 200 while the database answers, 503 when it is down or hangs, and cheap to ask.

Each worker checks on one connection of its own, reused while it works, and answers from its
last check for HEALTH_CHECK_CACHE_SECONDS (api/health.py): a flood of checks costs one
connection per worker and one query per period.
"""

import os
import socket
import threading
import time

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api import health
from api.health import PROBE


def check_health(times: int = 1) -> list[int]:
    client = APIClient()
    return [client.get(reverse("health")).status_code for _ in range(times)]


@pytest.fixture
def connects(monkeypatch) -> list[object]:
    """The connections the probe opens, as they are opened."""
    database = connections["default"]
    connect = database.get_new_connection
    opened: list[object] = []

    def counted(params):
        opened.append(connect(params))
        return opened[-1]

    monkeypatch.setattr(database, "get_new_connection", counted)
    return opened


@pytest.fixture
def queries(monkeypatch) -> list[bool]:
    """The answers of the health queries the probe runs, as they are run."""
    run = health.query_answers
    answers: list[bool] = []

    def counted(pgconn, deadline):
        answers.append(run(pgconn, deadline))
        return answers[-1]

    monkeypatch.setattr(health, "query_answers", counted)
    return answers


@pytest.fixture
def first_query_fails(monkeypatch) -> None:
    """The probe's first query fails as a lost connection does; the ones after it run."""
    run, failed = health.query_answers, False

    def first_fails(pgconn, deadline):
        nonlocal failed
        if not failed:
            failed = True
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return run(pgconn, deadline)

    monkeypatch.setattr(health, "query_answers", first_fails)


class Clock:
    """time.monotonic for api/health.py, moved on by the test."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(health, "time", fake)
    return fake


def test_health_reports_ok_after_querying_the_database(db):
    response = APIClient().get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_stale_authorization_header(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(reverse("health")).status_code == 200


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_health_reports_503_when_the_database_is_down(db, monkeypatch):
    database = connections["default"]
    unreachable = {**database.settings_dict, "HOST": "127.0.0.1", "PORT": closed_port()}
    monkeypatch.setattr(database, "settings_dict", unreachable)

    response = APIClient().get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_health_reports_503_when_the_connection_drops_during_the_check(db, monkeypatch):
    database = connections["default"]
    connect = database.get_new_connection

    def dropped(params):
        probe = connect(params)
        with socket.socket(fileno=os.dup(probe.pgconn.socket)) as wire:
            wire.shutdown(socket.SHUT_RDWR)  # the network goes; the probe's socket stays open
        return probe

    monkeypatch.setattr(database, "get_new_connection", dropped)

    response = APIClient().get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@override_settings(HEALTH_CHECK_TIMEOUT=0.2, HEALTH_CHECK_CACHE_SECONDS=0)
def test_health_gives_up_on_a_hung_database_and_recovers_by_itself(db, connects, queries):
    """A statement that never returns: the health query waits on a lock this test holds.

    The connection that waited is closed, and is not tried twice: a hung server costs one
    HEALTH_CHECK_TIMEOUT. The next check connects anew."""
    assert check_health() == [200]
    with transaction.atomic():
        connection.cursor().execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        hung = check_health()
        waited = time.monotonic() - started
        transaction.set_rollback(True)  # back to the savepoint: the lock is released

    assert hung == [503]
    assert waited < 2
    assert connects[0].closed
    assert check_health() == [200]
    assert queries == [True, False, True]  # the hung check ran its query once
    assert len(connects) == 2


@override_settings(HEALTH_CHECK_CACHE_SECONDS=0)
def test_a_flood_of_checks_opens_one_connection(db, connects, queries):
    assert check_health(50) == [200] * 50

    assert len(queries) == 50  # with no period, every check queries
    assert len(connects) == 1


@override_settings(HEALTH_CHECK_CACHE_SECONDS=1.0)
def test_an_answer_is_reused_within_the_period_and_checked_again_after_it(db, clock, queries):
    first = check_health()
    clock.now += 0.9
    within = check_health(20)
    clock.now += 0.2
    after = check_health()

    assert first + within + after == [200] * 22
    assert len(queries) == 2  # the first check and the one after the period


@override_settings(HEALTH_CHECK_CACHE_SECONDS=1.0)
def test_a_503_is_reused_too_and_the_check_after_the_period_sees_the_database_back(
    db, first_query_fails, clock
):
    down = check_health()
    clock.now += 0.5
    still_down = check_health()
    clock.now += 0.6
    back = check_health()

    assert down + still_down + back == [503, 503, 200]


@override_settings(HEALTH_CHECK_CACHE_SECONDS=0)
def test_a_failed_probe_is_closed_and_the_next_check_connects_anew(db, first_query_fails, connects):
    assert check_health(2) == [503, 200]
    assert connects[0].closed
    assert len(connects) == 2
    assert PROBE.connection is connects[1]


@override_settings(HEALTH_CHECK_CACHE_SECONDS=0)
def test_a_connection_the_server_dropped_is_replaced_within_the_same_check(db, connects):
    """An idle probe connection can be gone (a restart, a failover, an idle timeout) while
    the database is fine: the check opens a new one rather than answer 503."""
    assert check_health() == [200]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connects[0].pgconn.backend_pid])

    assert check_health() == [200]
    assert len(connects) == 2


@override_settings(HEALTH_CHECK_TIMEOUT=0.1)
def test_a_check_that_waits_longer_than_the_timeout_for_another_answers_503(db):
    with PROBE.lock:  # another thread's check, stuck connecting to a hung server
        assert check_health() == [503]


@override_settings(HEALTH_CHECK_CACHE_SECONDS=0)
def test_threads_take_turns_on_the_probe_connection(db, monkeypatch):
    """A threaded server shares the probe: one connection, never two queries on it at once."""
    run, guard = health.query_answers, threading.Lock()
    at_once, most_at_once, used = 0, 0, []

    def watched(pgconn, deadline):
        nonlocal at_once, most_at_once
        with guard:
            used.append(pgconn)
            at_once += 1
            most_at_once = max(most_at_once, at_once)
        try:
            time.sleep(0.005)  # long enough for the other threads to try
            return run(pgconn, deadline)
        finally:
            with guard:
                at_once -= 1

    monkeypatch.setattr(health, "query_answers", watched)
    answers: list[bool] = []

    def check_five_times() -> None:
        answers.extend(health.database_answers() for _ in range(5))

    threads = [threading.Thread(target=check_five_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert answers == [True] * 40
    assert most_at_once == 1
    assert all(pgconn is used[0] for pgconn in used)
