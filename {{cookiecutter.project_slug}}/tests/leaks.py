"""No secret in any log record or audit row: what the whole suite sent and got, searched
for in everything it logged and stored.

During the run, ``LeakWatch``:

* reads every request the test clients (Django's ``Client``, DRF's ``APIClient``) send, and
  every answer, through the handler both use: the secrets are the passwords in bodies, the
  ``Authorization``, ``X-CSRFToken`` and ``X-Api-Key`` headers (an ``Api-Key``
  authorization's as an API key), the session and CSRF cookies, the tokens in answers (knox
  tokens, JWTs, CSRF tokens in forms, the API key a create shows), and the invitation tokens
  of the mail the service sends;
* writes every log record as production would (``audit.logs.RequestIDFilter``,
  ``RefererFilter`` and ``JsonFormatter``), whatever logger made it;
* keeps every AuditEvent row as it was created (the test's transaction rolls it back).

tests/conftest.py installs one for the whole run (each pytest-xdist worker has its own) and
fails the run at its end if any secret is found, naming its kind and where it was, never
the secret itself. tests/test_leaks.py proves that the watch collects and that the search
finds a planted secret.
"""

import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.mail.backends import locmem
from django.db.models.signals import post_save
from django.forms.models import model_to_dict
from django.test.client import ClientHandler, FakePayload

from audit.logs import JsonFormatter, RefererFilter, RequestIDFilter
from audit.models import AuditEvent

# Shorter values are words any log line may hold ("wrong" in "Wrong password."), not
# credentials: the passwords and tokens the tests send are longer.
SHORTEST_SECRET = 8

# Body and query string fields whose values are secrets, and what each is.
SECRET_FIELDS = {
    "password": "password",
    "old_password": "password",
    "new_password": "password",
    "new_password1": "password",
    "new_password2": "password",
    "password1": "password",
    "password2": "password",
    "token": "token",
    "access": "JWT access token",
    "refresh": "JWT refresh token",
    "csrftoken": "CSRF token",
    "csrfmiddlewaretoken": "CSRF token",
    "key": "API key",  # the answer that creates one
    "api_key": "API key",  # a query string's: no credential, but a secret all the same
}
# What the credential after an Authorization header's scheme is, where it says more than
# "Authorization header".
AUTHORIZATION_SCHEMES = {"api-key": "API key"}
# A form's CSRF token, in the HTML pages of the browsable API and the admin.
FORM_CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Secret:
    kind: str  # what it is, for the report: "password", "session cookie", ...
    test: str  # the test that first sent or got it


@dataclass
class Line:
    """One log record, as production writes it."""

    text: str  # the JSON line
    logger: str
    level: str
    test: str


@dataclass
class LeakWatch:
    """What the test clients sent and got, what was logged and what was stored."""

    secrets: dict[str, Secret] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)  # (the row as JSON, test)

    # Collecting.

    def saw(self, kind: str, value: object) -> None:
        """Remember ``value`` as a secret of ``kind`` (if long enough to be one)."""
        if isinstance(value, str) and len(value) >= SHORTEST_SECRET:
            self.secrets.setdefault(value, Secret(kind, current_test()))

    def saw_fields(self, fields: Any) -> None:
        """The secrets among a parsed body's or query string's fields, nested ones too."""
        if isinstance(fields, dict):
            for name, value in fields.items():
                if name in SECRET_FIELDS:
                    self.saw(SECRET_FIELDS[name], value)
                self.saw_fields(value)
        elif isinstance(fields, list):
            for item in fields:
                self.saw_fields(item)

    def saw_request(self, environ: dict[str, Any], body: bytes) -> None:
        authorization = environ.get("HTTP_AUTHORIZATION")
        if isinstance(authorization, str):
            scheme, _, credential = authorization.partition(" ")
            self.saw("Authorization header", authorization)
            self.saw(AUTHORIZATION_SCHEMES.get(scheme.lower(), "Authorization header"), credential)
        self.saw("CSRF token", environ.get("HTTP_X_CSRFTOKEN"))
        self.saw("API key", environ.get("HTTP_X_API_KEY"))  # no credential here; clients try
        self.saw_cookies(SimpleCookie(environ.get("HTTP_COOKIE", "")))
        self.saw_fields(dict(parse_qsl(environ.get("QUERY_STRING", ""))))
        content_type = str(environ.get("CONTENT_TYPE", ""))
        text = body.decode(errors="replace")
        if content_type.startswith("application/json"):
            # Tests of malformed or deeply nested JSON: nothing to read.
            with suppress(ValueError, RecursionError):
                self.saw_fields(json.loads(text))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            self.saw_fields(dict(parse_qsl(text)))

    def saw_response(self, response: Any) -> None:
        self.saw_cookies(response.cookies)
        if getattr(response, "streaming", False):
            return  # files: static assets, never credentials
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json"):
            with suppress(ValueError):
                self.saw_fields(json.loads(response.content))
        elif content_type.startswith("text/html"):
            for token in FORM_CSRF_TOKEN.findall(response.content.decode(errors="replace")):
                self.saw("CSRF token", token)

    def saw_cookies(self, cookies: SimpleCookie) -> None:
        for name, kind in (
            (settings.SESSION_COOKIE_NAME, "session cookie"),
            (settings.CSRF_COOKIE_NAME, "CSRF cookie"),
        ):
            if name in cookies:
                self.saw(kind, cookies[name].value)

    def saw_mail(self, messages: list[Any]) -> None:
        """The tokens in the links the service mails (invitations, where there are any)."""
        link = getattr(settings, "INVITATION_LINK", None)
        if link is None or "{token}" not in link:
            return
        before, _, after = link.partition("{token}")
        pattern = re.compile(re.escape(before) + r"([^\s]+?)" + (re.escape(after) or r"(?=\s|$)"))
        for message in messages:
            for token in pattern.findall(message.body):
                self.saw("invitation token", token)

    def logged(self, line: str, record: logging.LogRecord) -> None:
        self.lines.append(Line(line, record.name, record.levelname, current_test()))

    def stored(self, row: AuditEvent) -> None:
        self.rows.append((json.dumps(model_to_dict(row), default=str), current_test()))

    # Searching.

    def leaks(self) -> list[str]:
        """A sentence for each secret found in a log line or a row: its kind and where."""
        texts: list[tuple[str, Line | str]] = [(decoded(line.text), line) for line in self.lines]
        texts += [(decoded(row), test) for row, test in self.rows]
        everything = "\n".join(text for text, _ in texts)  # one search per secret, not per line
        reports = []
        for value in (value for value in self.secrets if value in everything):
            secret = self.secrets[value]
            places = [where(about) for text, about in texts if value in text]
            reports.append(
                f"The {secret.kind} first sent or received in {secret.test} is in "
                f"{len(places)} place(s), first {places[0]}"
            )
        return reports

    # Watching.

    @contextmanager
    def watching(self) -> Iterator["LeakWatch"]:
        """Collect for as long as the context lasts."""
        watch = self
        handler = ProductionLog(watch)
        root = logging.getLogger()
        call_client = ClientHandler.__call__
        send_mail = locmem.EmailBackend.send_messages

        def watched_call(self: ClientHandler, environ: dict[str, Any]) -> Any:
            body = environ["wsgi.input"].read()  # read, then put back for the view
            environ["wsgi.input"] = FakePayload(body)
            watch.saw_request(environ, body)
            response = call_client(self, environ)
            watch.saw_response(response)
            return response

        def watched_send(self: locmem.EmailBackend, messages: Any) -> int:
            watch.saw_mail(list(messages))
            return send_mail(self, messages)

        def row_created(sender: type[AuditEvent], instance: AuditEvent, created: bool, **_: Any):
            if created:
                watch.stored(instance)

        with ExitStack() as undo:
            root.addHandler(handler)
            undo.callback(root.removeHandler, handler)
            ClientHandler.__call__ = watched_call  # type: ignore[method-assign]
            undo.callback(setattr, ClientHandler, "__call__", call_client)
            locmem.EmailBackend.send_messages = watched_send  # type: ignore[method-assign]
            undo.callback(setattr, locmem.EmailBackend, "send_messages", send_mail)
            post_save.connect(row_created, sender=AuditEvent, weak=False)
            undo.callback(post_save.disconnect, row_created, sender=AuditEvent)
            yield self


class ProductionLog(logging.Handler):
    """Every record, as the console handler writes it in production: with its request_id,
    as one JSON object."""

    def __init__(self, watch: LeakWatch) -> None:
        super().__init__()
        self.watch = watch
        self.addFilter(RequestIDFilter())
        self.addFilter(RefererFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.watch.logged(self.format(record), record)


def current_test() -> str:
    """The test being run, as pytest names it ("tests/test_x.py::test_y (call)")."""
    return os.environ.get("PYTEST_CURRENT_TEST", "the session's set-up")


def decoded(text: str) -> str:
    """A JSON line's strings as they were before JSON escaped them, keys included: a secret
    with a quote or a non-ASCII letter is found too."""
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                strings.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            strings.append(str(value))

    walk(json.loads(text))
    return "\n".join(strings)


def where(about: Line | str) -> str:
    """Where a secret was found, without showing it."""
    if isinstance(about, Line):
        return f"a {about.level} record of the {about.logger!r} logger, during {about.test}"
    return f"an AuditEvent row, stored during {about}"
