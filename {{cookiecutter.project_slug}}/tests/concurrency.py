"""Requests that run at the same moment, as separate workers would run them."""

import threading
import time
from collections.abc import Callable

from django.db import connection


def on_a_connection_of_its_own(work: Callable[[], object]) -> threading.Thread:
    """``work`` in a thread, on the thread's own database connection, closed when it ends.

    The test's own connection is inside a transaction that is rolled back at the end; a
    thread's connection sees only what is committed, as another worker's would.
    """

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh figures inside a transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return int(waiting)


def backends_waiting_once(expected: int, timeout: float = 5) -> int:
    """How many backends wait for a lock, once ``expected`` of them do or ``timeout`` seconds
    have passed: requests started on other connections take a moment to reach the lock."""
    deadline = time.monotonic() + timeout
    while backends_waiting_for_a_lock() < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return backends_waiting_for_a_lock()
