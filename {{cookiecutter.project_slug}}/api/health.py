"""Whether the database answers, for /api/health/, at a cost that no flood of checks can raise.

/api/health/ is public and unthrottled: load balancers and orchestrators call it, and so may
anyone else, as often as they like. A new PostgreSQL connection per check would let them
fill ``max_connections`` and spend a backend start-up on every request. So each worker
process keeps one connection for the checks, reused while it works, and answers from its
last check for ``HEALTH_CHECK_CACHE_SECONDS``: however many checks arrive, a worker holds at
most one probe connection and runs at most one query per period.

The probe's connection is not the request's: a server that hangs (stuck, not down) never
answers a query, and statement_timeout cannot help because the server is what hangs. So the
connection gets a connect_timeout and the query goes through libpq's non-blocking API,
abandoned at the deadline. A connection that fails or times out is closed, never reused.
"""

import math
import selectors
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from psycopg import Connection, pq
from psycopg import Error as PsycopgError

# The query /api/health/ runs: the database answers, and it has been migrated.
HEALTH_QUERY = b"SELECT 1 FROM django_migrations LIMIT 1"
# libpq's shortest connect_timeout, in seconds: it treats 1 as 2.
MIN_CONNECT_TIMEOUT = 2


def query_answers(pgconn: pq.abc.PGconn, deadline: float) -> bool:
    """True when HEALTH_QUERY returns its row on ``pgconn`` before ``deadline``.

    Every result is read, up to libpq's final none, so the connection is ready for the next
    query; a connection left waiting at the deadline is the caller's to close.
    """
    pgconn.send_query(HEALTH_QUERY)
    answered = False
    # A selector, not select.select(): that one refuses descriptors past 1023, which a
    # threaded worker with many connections open reaches.
    with selectors.DefaultSelector() as selector:
        selector.register(pgconn.socket, selectors.EVENT_READ)
        while True:
            while pgconn.is_busy():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return False
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                return answered
            answered = result.status == pq.ExecStatus.TUPLES_OK


class DatabaseProbe:
    """One worker process's view of the database: a connection of its own, and its last answer.

    gunicorn forks its workers before they serve anything, so each worker opens its own
    connection at its first check. A threaded server (runserver, gthread workers) shares the
    probe between threads: one check runs at a time, since a connection carries one query at
    a time, and the threads that waited answer from the check that just ended.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connection: Connection[Any] | None = None
        self.answer = False
        self.answered_at = -math.inf  # time.monotonic() when the last check ended

    def answers(self, timeout: float, cache_seconds: float) -> bool:
        """True when the database ran HEALTH_QUERY within ``timeout`` seconds, in a check that
        ended less than ``cache_seconds`` ago or in a check made now."""
        deadline = time.monotonic() + timeout
        if not self.lock.acquire(timeout=timeout):
            return False  # the check under way has taken longer than a check may
        try:
            if time.monotonic() - self.answered_at < cache_seconds:
                return self.answer
            self.answer = self.check(deadline)
            self.answered_at = time.monotonic()
            return self.answer
        finally:
            self.lock.release()

    def check(self, deadline: float) -> bool:
        """Run HEALTH_QUERY on the probe's connection, opening one when there is none.

        When a reused connection fails and time is left, a new one gets the rest of it: the
        server or the network may have dropped an idle connection (a restart, a failover, an
        idle timeout), which says nothing about the database now. A hung server leaves no
        time, so it costs one wait, not two.
        """
        reused = self.connection is not None
        if self.attempt(deadline):
            return True
        # A new connection waits at least libpq's minimum connect_timeout: retry only if
        # that still ends before the deadline.
        time_left = deadline - time.monotonic()
        return reused and time_left >= MIN_CONNECT_TIMEOUT and self.attempt(deadline)

    def attempt(self, deadline: float) -> bool:
        try:
            if self.connection is None:
                self.connection = self.connect(deadline - time.monotonic())
            if query_answers(self.connection.pgconn, deadline):
                return True
        except (DatabaseError, PsycopgError):
            pass
        self.close()
        return False

    def connect(self, timeout: float) -> Connection[Any]:
        """A new connection to the default database, given up after about ``timeout`` seconds."""
        params = connection.get_connection_params()
        params["connect_timeout"] = max(MIN_CONNECT_TIMEOUT, math.ceil(timeout))
        with connection.wrap_database_errors:
            probe: Connection[Any] = connection.get_new_connection(params)
        return probe

    def close(self) -> None:
        """Close the connection, if there is one; the next check opens a new one."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def reset(self) -> None:
        """Close the connection and forget the last answer (a fresh worker's state)."""
        with self.lock:
            self.close()
            self.answered_at = -math.inf


# This worker's probe.
PROBE = DatabaseProbe()


def database_answers() -> bool:
    """True when the database answers /api/health/'s query within HEALTH_CHECK_TIMEOUT seconds,
    as this worker last checked within HEALTH_CHECK_CACHE_SECONDS or checks now."""
    return PROBE.answers(settings.HEALTH_CHECK_TIMEOUT, settings.HEALTH_CHECK_CACHE_SECONDS)
