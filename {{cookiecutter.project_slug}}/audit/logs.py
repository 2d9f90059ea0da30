"""What every log record carries, and how production writes it: one JSON object per line.

config/settings/base.py (LOGGING) puts ``RequestIDFilter`` and ``RefererFilter`` on the
console handler and picks
the formatter: readable lines in development, ``JsonFormatter`` when LOG_FORMAT=json (the
default in production), which log systems (Loki, Elasticsearch, CloudWatch, Datadog) read
without a parsing rule.
"""

import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from audit.context import current_request


class RequestIDFilter(logging.Filter):
    """Adds ``request_id`` to every record: the id of the request being served, or None.

    Django logs a 4xx or 5xx answer once the middleware has returned it, with the request
    attached: its id is read from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            context = current_request.get()
            request = getattr(record, "request", None)
            if context is not None:
                record.request_id = context.request_id
            else:
                record.request_id = getattr(request, "request_id", None)
        return True


# A URL's query string or fragment: where an invitation link carries its token.
QUERY_STRING = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s?#]*)[?#]\S*", re.IGNORECASE)


def without_query_strings(text: str) -> str:
    """``text`` with every URL in it cut before its query string."""
    return QUERY_STRING.sub(r"\1", text)


class RefererFilter(logging.Filter):
    """Cuts the query strings out of the URLs Django's CSRF check quotes from a client's
    Referer ("Referer checking failed - https://app.example.com/accept?token=… does not
    match"): the page a form was posted from can carry a secret in its URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security"):
            record.msg = without_query_strings(record.getMessage())
            record.args = None
        return True


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter: time (UTC, ISO 8601), level, logger, message and
    request_id, then the record's own fields (an audit event's, an exception's traceback).

    Django attaches the request to its records of 4xx and 5xx answers; its text would carry
    the query string, which may hold what a client should not have put there, so it is left
    out (the path is in the message).
    """

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "request"],
            timestamp="time",
        )
