"""The audit trail: the security events of this service, who caused them, and to what.

``record()`` is the one way in. Each event has a fixed name (``Event``), so that operators
can alert on it, and the same fields wherever it comes from:

``event``, ``at`` (UTC, ISO 8601), ``request_id``, ``actor`` (the user's id, or null),
``ip`` (api.security.client_ip, as throttles and lockouts see it), ``method``, ``path``
(without the query string), ``status`` (the response's), ``organization`` (slug, or null),
``target`` (``{"type", "id"}``, or null), and where it applies ``reason`` (why access was
denied or credentials revoked) and ``changes`` (``{"field": [before, after]}``).

Every event is logged on the ``audit`` logger (config/settings/base.py, LOGGING: one JSON
object per line in production). The events that change something (``STORED``) are also
kept as ``audit.models.AuditEvent`` rows; refusals are logged only, so that a flood of
refused requests costs no database write.

Inside a request, ``audit.middleware.RequestIDMiddleware`` holds the events until the
response, whose status they carry. An event about a change goes out only once that change
is committed: a change rolled back leaves no event. Outside a request (a shell, a
management command) events go out at once, with the request's fields null.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from api.security import client_ip
from audit.context import RequestContext, current_request
from audit.models import AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

logger = logging.getLogger("audit")


class Event(StrEnum):
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED_OUT = "login.locked_out"
    LOGOUT = "logout"
    LOGOUT_ALL = "logout.all"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 -- an event's name, not a password
    # Deactivation, a refresh token presented twice, a password set by someone else.
    CREDENTIALS_REVOKED = "credentials.revoked"
    # A permission class or an authentication refused the request: 401 or 403.
    ACCESS_DENIED = "access.denied"
    THROTTLED = "throttled"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
{%- if cookiecutter.tenancy == "organizations" %}
    ORG_CREATED = "org.created"
    ORG_UPDATED = "org.updated"
    ORG_DELETED = "org.deleted"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    MEMBER_LEFT = "member.left"
    INVITATION_CREATED = "invitation.created"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_REVOKED = "invitation.revoked"
{%- endif %}


# Logged only: what a client can repeat at will without changing anything.
LOGGED_ONLY = frozenset({Event.LOGIN_FAILED, Event.ACCESS_DENIED, Event.THROTTLED})
# Logged and stored: everything else.
STORED = frozenset(Event) - LOGGED_ONLY
# Refusals and lockouts are warnings: what an alert on the log level catches.
WARNINGS = LOGGED_ONLY | {Event.LOGIN_LOCKED_OUT, Event.CREDENTIALS_REVOKED}


def target(kind: str, pk: object) -> dict[str, str]:
    """``{"type", "id"}``: what an event is about. Ids are strings, whatever their type."""
    return {"type": kind, "id": str(pk)}


def username_digest(username: str) -> str:
    """An identifier for what was typed as a username, never the text itself: people type
    passwords into username fields. The same username gives the same digest (for this
    SECRET_KEY), so an operator can follow the attempts on one account; README.md shows
    how to compute the digest of a username to search the logs for.
    """
    key_salt = "audit.events.username_digest"
    return salted_hmac(key_salt, username.strip().lower(), algorithm="sha256").hexdigest()[:24]


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: django-axes counts failed logins per username, and stores what
    it counts by; here the username's digest, so that no password typed into a username
    field is kept, and lockouts line up with the login events' targets."""
    field = get_user_model().USERNAME_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    return username_digest(str(username)) if username else None


def record(
    event: Event,
    *,
    actor: Any = None,
    target: dict[str, str] | None = None,
    organization: Any = None,
    reason: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Record ``event``. ``actor``: the user who caused it; by default whoever the request
    being served is authenticated as (nobody outside a request). ``organization``: the
    organization it happened in, if any."""
    context = current_request.get()
    fields: dict[str, Any] = {
        "event": str(event),
        "at": timezone.now().isoformat(),
        "request_id": None,
        "actor": None,
        "ip": None,
        "method": None,
        "path": None,
        "status": None,
        "organization": organization.slug if organization is not None else None,
        "target": target,
    }
    if organization is not None:
        # Stored, not logged: a deleted organization's slug can be taken again, its id not.
        fields["organization_id"] = organization.pk
    if reason is not None:
        fields["reason"] = reason
    if changes is not None:
        fields["changes"] = changes
    if context is not None:
        request = context.request
        fields.update(
            request_id=context.request_id,
            ip=client_ip(request) or None,
            method=request.method,
            path=request.path,
        )
        if actor is None:
            actor = getattr(request, "user", None)
    if actor is not None and getattr(actor, "is_authenticated", False):
        fields["actor"] = actor.pk
    elif isinstance(actor, int):
        fields["actor"] = actor

    def release() -> None:
        if context is None:
            emit(fields)
        elif context.status is None:
            context.pending.append(fields)
        else:  # committed after the response (a test's transaction): the status is known
            emit({**fields, "status": context.status})

    if event in STORED:
        transaction.on_commit(release)  # at once when no transaction is open
    else:
        release()


def flush(context: RequestContext, response: HttpResponseBase) -> None:
    """Send the request's events out, with the response's status."""
    context.status = response.status_code
    for fields in context.pending:
        fields["status"] = response.status_code
        emit(fields)
    context.pending.clear()


def emit(fields: dict[str, Any]) -> None:
    """Log the event; store it too if it is one of ``STORED``."""
    event = fields["event"]
    organization_id = fields.pop("organization_id", None)
    level = logging.WARNING if event in WARNINGS else logging.INFO
    logger.log(level, describe(fields), extra=fields)
    if event not in STORED:
        return
    try:
        AuditEvent.objects.create_from(fields, organization_id)
    except Exception:
        # The log line above still has the event; the client's answer, to a change that
        # is committed, stays as it was.
        logger.exception("Audit event %s was logged but could not be stored", event)


def describe(fields: dict[str, Any]) -> str:
    """The event on one readable line: the log message in development."""
    parts = [fields["event"]]
    for name in ("actor", "organization", "target", "reason", "changes"):
        value = fields.get(name)
        if value is not None:
            parts.append(f"{name}={value}")
    if fields["method"] is not None:
        # A path can hold any character a client percent-encodes, line breaks included: one
        # event stays on one line.
        path = fields["path"].encode("unicode_escape").decode("ascii")
        parts.append(f"{fields['method']} {path} {fields['status']} from {fields['ip']}")
    return " ".join(parts)
