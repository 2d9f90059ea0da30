"""Production logs: every record one JSON object on one line of stdout, with time, level,
logger, message and the request's id (audit/logs.py), an exception's traceback inside it;
LOG_FORMAT picks json or text, and nothing else."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.test_production_settings import PRODUCTION_ENV, production_settings

EVERY_LINE_HAS = {"time", "level", "logger", "message", "request_id"}


def test_every_record_is_one_json_object_on_one_line(leak_watch, db):
    start = len(leak_watch.lines)
    response = APIClient().get(reverse("me"))  # an audit event and Django's warning

    lines = [line.text for line in leak_watch.lines[start:]]
    assert len(lines) == 2
    for line in lines:
        record = json.loads(line)
        assert "\n" not in line
        assert set(record) >= EVERY_LINE_HAS
        assert datetime.fromisoformat(record["time"]).utcoffset() == timedelta(0)
        assert record["request_id"] == response["X-Request-ID"]


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_traceback_stays_inside_its_records_line(leak_watch, db):
    start = len(leak_watch.lines)
    response = Client(raise_request_exception=False).get("/api/broken/")

    (line,) = [line.text for line in leak_watch.lines[start:] if line.level == "ERROR"]
    record = json.loads(line)
    assert "\n" not in line
    assert record["logger"] == "django.request"
    assert record["request_id"] == response["X-Request-ID"]
    assert record["exc_info"].startswith("Traceback (most recent call last):")
    assert record["exc_info"].endswith("RuntimeError: a bug")


def test_djangos_request_object_is_left_out_of_the_line(production_log, db):
    # Its text would carry the query string, which may hold what a client should not have
    # put there; the path is in the message.
    Client().get("/api/no-such-thing/", {"q": "left-in-the-query-string"})

    (record,) = production_log()
    assert record["message"] == "Not Found: /api/no-such-thing/"
    assert "request" not in record
    assert "left-in-the-query-string" not in json.dumps(record)


# Run under production settings, as a worker starts: logging configured from LOGGING, a
# record logged while a request is served, then an exception outside any.
LOG_AS_PRODUCTION = """
import logging
import logging.config

from audit.context import RequestContext, current_request
from config.settings import production

logging.config.dictConfig(production.LOGGING)
current_request.set(RequestContext(request=None, request_id="from-the-proxy"))
logging.getLogger("django.request").warning("Not Found: %s", "/api/no-such-thing/")
current_request.set(None)
try:
    raise RuntimeError("a bug")
except RuntimeError:
    logging.getLogger("acme").exception("Something failed")
"""


def test_production_writes_json_lines_on_stdout():
    environment = {**os.environ, **PRODUCTION_ENV}
    environment.pop("LOG_FORMAT", None)  # production's default

    run = subprocess.run(
        [sys.executable, "-c", LOG_AS_PRODUCTION],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    request, failure = (json.loads(line) for line in run.stdout.splitlines())
    assert set(request) >= EVERY_LINE_HAS
    assert request["message"] == "Not Found: /api/no-such-thing/"
    assert request["request_id"] == "from-the-proxy"
    assert failure["request_id"] is None
    assert failure["exc_info"].endswith("RuntimeError: a bug")


@pytest.mark.parametrize(
    ("value", "formatter"), [(None, "json"), ("json", "json"), ("text", "text")]
)
def test_log_format_picks_json_or_text_in_production(monkeypatch, value, formatter):
    extra = {} if value is None else {"LOG_FORMAT": value}
    monkeypatch.delenv("LOG_FORMAT", raising=False)

    logging = production_settings(monkeypatch, **extra)["LOGGING"]

    assert logging["handlers"]["console"]["formatter"] == formatter


@pytest.mark.parametrize("value", ["bogus", "JSON", ""])
def test_any_other_log_format_is_a_clear_error(monkeypatch, value):
    with pytest.raises(
        ImproperlyConfigured, match=f"LOG_FORMAT must be text or json, not '{value}'"
    ):
        production_settings(monkeypatch, LOG_FORMAT=value)
