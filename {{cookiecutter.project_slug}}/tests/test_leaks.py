"""The check that no secret is logged or stored (tests/leaks.py, run over the whole suite by
tests/conftest.py) collects what it must, and finds a secret wherever it is planted, naming
its kind and place but never showing it."""

import logging

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.logs import JsonFormatter
from audit.models import AuditEvent
from tests.auth import CREDENTIALS_ROUTE, issued
from tests.conftest import PASSWORD
from tests.leaks import LeakWatch

SECRET = "planted-secret-0123456789abcdef"


def test_a_login_s_password_and_credentials_are_collected(leak_watch, users):
    client = APIClient()
    body = {"username": "owner", "password": PASSWORD}

    response = client.post(reverse(CREDENTIALS_ROUTE), body, format="json")

    assert response.status_code == 200
    assert leak_watch.secrets[PASSWORD].kind == "password"
    for credential in issued(client, response):
        assert credential in leak_watch.secrets


def test_credentials_in_headers_and_cookies_are_collected(leak_watch, db):
    client = APIClient()
    client.cookies["sessionid"] = "planted-session-key-1"
    client.cookies["csrftoken"] = "planted-csrf-cookie-1"

    client.get(
        "/api/", HTTP_AUTHORIZATION="Bearer planted-bearer-1", HTTP_X_CSRFTOKEN="planted-csrf-1"
    )

    kinds = {
        value: leak_watch.secrets[value].kind for value in leak_watch.secrets if "planted-" in value
    }
    assert kinds == {
        "Bearer planted-bearer-1": "Authorization header",
        "planted-bearer-1": "Authorization header",
        "planted-csrf-1": "CSRF token",
        "planted-session-key-1": "session cookie",
        "planted-csrf-cookie-1": "CSRF cookie",
    }


def test_the_tokens_of_mailed_links_are_collected(leak_watch, settings):
    settings.INVITATION_LINK = "https://app.example.com/invitations/{token}"

    # Straight to the backend the tests use: Django 6.1 warns about MAILERS on send_mail().
    body = f"Accept:\nhttps://app.example.com/invitations/{SECRET}\n"
    locmem.EmailBackend().send_messages([EmailMessage("Join", body, None, ["a@b.c"])])

    assert leak_watch.secrets[SECRET].kind == "invitation token"


def test_every_record_and_row_is_collected(leak_watch, db):
    lines, rows = len(leak_watch.lines), len(leak_watch.rows)

    logging.getLogger("tests").warning("A record.")
    AuditEvent.objects.create(event="logout", at=timezone.now())

    assert leak_watch.lines[lines:][0].logger == "tests"
    assert len(leak_watch.rows) == rows + 1


def line(message: str, **extra) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "django.request", "levelname": "WARNING", "msg": message}
    )
    record.__dict__.update(extra)
    return record


# Where a secret may end up, each planted for the search to find.
PLANTED = {
    "a log message": lambda watch: watch.logged(*formatted(line(f"Unauthorized: {SECRET}"))),
    "an extra field of a record": lambda watch: watch.logged(*formatted(line("Hi", token=SECRET))),
    "a traceback": lambda watch: watch.logged(
        *formatted(line("Failed", exc_text=f"ValueError: {SECRET}"))
    ),
    "a message escaped as JSON": lambda watch: watch.logged(*formatted(line(f'"ü" {SECRET}ü'))),
    "an AuditEvent row": lambda watch: watch.stored(
        AuditEvent(event="logout", at=timezone.now(), path=f"/?token={SECRET}")
    ),
}


def formatted(record: logging.LogRecord) -> tuple[str, logging.LogRecord]:
    return JsonFormatter().format(record), record


@pytest.mark.parametrize("place", PLANTED)
def test_a_planted_secret_is_found_and_named_but_never_shown(place):
    watch = LeakWatch()
    watch.saw("knox token", SECRET)
    watch.saw("password", f"{SECRET}ü")
    PLANTED[place](watch)

    (report, *more) = watch.leaks()

    assert report.startswith("The knox token first sent or received in")
    assert ("AuditEvent row" in report) is (place == "an AuditEvent row")
    assert SECRET not in "\n".join([report, *more])


def test_nothing_is_reported_when_no_secret_was_logged():
    watch = LeakWatch()
    watch.saw("password", PASSWORD)
    watch.saw("knox token", SECRET)
    watch.logged(*formatted(line("Unauthorized: /api/me/")))
    watch.stored(AuditEvent(event="logout", at=timezone.now(), path="/api/auth/logout/"))

    assert watch.leaks() == []


def test_values_too_short_to_be_credentials_are_not_searched():
    watch = LeakWatch()
    watch.saw("password", "wrong")
    watch.logged(*formatted(line("Wrong password: wrong")))

    assert watch.secrets == {}
    assert watch.leaks() == []
