"""The request being served, for the code that runs inside it and for every log record.

Imports nothing from Django: LOGGING's filter (audit/logging.py) loads before the apps do.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass
class RequestContext:
    """A request's id, its audit events waiting for the response, and once the response has
    gone, its status."""

    request: HttpRequest
    request_id: str
    pending: list[dict[str, Any]] = field(default_factory=list)
    status: int | None = None


# Set by audit.middleware.RequestIDMiddleware for the length of each request.
current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)
