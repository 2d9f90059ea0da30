"""Reading the audit trail in tests: the events a request logged, as production writes them,
and the AuditEvent rows it stored.

Stored events go out once their transaction commits (audit/events.py); the ``trail``
fixture (tests/conftest.py) runs a request inside pytest-django's
``django_capture_on_commit_callbacks(execute=True)``, so that they go out in the test's
transaction as they would after a real commit.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from audit.logs import JsonFormatter
from audit.models import AuditEvent

# What production writes for each record (LOG_FORMAT=json).
PRODUCTION_FORMAT = JsonFormatter()
# The keys every production log line has; an event's own fields come after them.
LINE_KEYS = ("time", "level", "logger", "message", "request_id")
# The test client's address: what client_ip() and therefore the events say.
CLIENT_IP = "127.0.0.1"


def logged(records: list[logging.LogRecord]) -> list[dict[str, Any]]:
    """The audit events among ``records``, each as the JSON object production logs. (The
    "audit" logger also says when an event could not be stored: not an event.)"""
    events = [record for record in records if record.name == "audit" and hasattr(record, "event")]
    return [json.loads(PRODUCTION_FORMAT.format(record)) for record in events]


def as_logged(row: AuditEvent) -> dict[str, Any]:
    """A stored event in the shape of its log line's event fields: what a row says must be
    what the log said."""
    about = {"type": row.target_type, "id": row.target_id} if row.target_type else None
    return {
        "event": row.event,
        "at": row.at.isoformat(),
        "request_id": row.request_id or None,
        "actor": row.actor_id,
        "ip": row.ip,
        "method": row.method or None,
        "path": row.path or None,
        "status": row.status,
        "organization": getattr(row, "organization_slug", "") or None,
        "target": about,
        **row.details,
    }


def fields_of(event: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields: its log line without what every line has. (``request_id`` is
    one of both.)"""
    return {
        name: value
        for name, value in event.items()
        if name not in LINE_KEYS or name == "request_id"
    }


@dataclass
class Seen:
    """What one request left in the audit trail."""

    response: Any  # the test client's response; None when nothing was requested
    events: list[dict[str, Any]]  # the audit log lines, in order
    rows: list[AuditEvent] = field(default_factory=list)  # the rows stored, oldest first

    @property
    def names(self) -> list[str]:
        return [event["event"] for event in self.events]

    def only(self, name: str) -> dict[str, Any]:
        """The one event called ``name``; fails if there is not exactly one."""
        matching = [event for event in self.events if event["event"] == name]
        assert len(matching) == 1, f"{len(matching)} {name} events in {self.names}"
        return matching[0]


def expected(
    response: Any,
    event: str,
    *,
    actor: int | None,
    target: dict[str, str] | None,
    organization: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The fields of ``event`` recorded while serving ``response`` (the test client's, with
    the request it answered), ``at`` aside: the request's id, address, method and path, and
    the status the client got."""
    request = response.wsgi_request
    return {
        "event": event,
        "request_id": response["X-Request-ID"],
        "actor": actor,
        "ip": CLIENT_IP,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "organization": organization,
        "target": target,
        **details,
    }


def user(pk: int) -> dict[str, str]:
    """The target of an event about a user account."""
    return {"type": "user", "id": str(pk)}


def assert_recorded(seen: Seen, want: dict[str, Any], *, stored: bool) -> None:
    """``seen`` has exactly one ``want["event"]`` event with exactly these fields, written at
    a UTC time of the request; stored as a row saying the same when ``stored``, else not at
    all."""
    event = seen.only(want["event"])
    at = datetime.fromisoformat(event["at"])
    assert at.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - at).total_seconds()) < 60
    assert {name: value for name, value in fields_of(event).items() if name != "at"} == want
    rows = [as_logged(row) for row in seen.rows if row.event == want["event"]]
    if stored:
        assert rows == [fields_of(event)]
    else:
        assert rows == []
