"""X-Request-ID: every response says which request it answers, whatever answered it (a view,
the request limits, the lockout, Django's error pages, the admin); the id a proxy or client
sends is kept when it is well formed (at most 64 of ``A-Z a-z 0-9 . _ -``) and replaced
when not, so that nothing it holds reaches a log line; and every record logged while the
request is served carries it, Django's own included (audit/middleware.py, audit/logs.py).
"""

import logging
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.actors import note_list_url
from tests.auth import CREDENTIALS_ROUTE
from users.models import User

# What the service makes when it keeps none: a UUID4 in hex.
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def lockout_after_one_failure(settings, monkeypatch):
    settings.AXES_FAILURE_LIMIT = 1
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def locked_out():
    body = {"username": "owner", "password": "not-the-password"}
    return APIClient().post(reverse(CREDENTIALS_ROUTE), body, format="json")


def admin_page():
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    return client.get(reverse("admin:index"))


# Every kind of answer, and its status: who answered must not matter.
RESPONSES = {
    "an API page": (lambda: APIClient().get("/api/"), 200),
    "the browsable API": (lambda: Client().get("/api/", HTTP_ACCEPT="text/html"), 200),
    "an API 404": (lambda: Client().get("/api/no-such-thing/"), 404),
    "a 404 outside the API": (lambda: Client().get("/no-such-page/"), 404),
    "a NUL in a header (api/security.py)": (
        lambda: APIClient().get("/api/", HTTP_X_CUSTOM="a\x00b"),
        400,
    ),
    "a body over the limit (api/security.py)": (
        lambda: APIClient().post(
            note_list_url(), "{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
        ),
        413,
    ),
    "the lockout": (locked_out, 429),
    "the admin's login page": (lambda: Client().get(reverse("admin:login")), 200),
    "the admin's own page": (admin_page, 200),
}


@pytest.mark.parametrize("answer", RESPONSES)
def test_every_response_has_a_request_id(users, lockout_after_one_failure, answer):
    send, status = RESPONSES[answer]

    response = send()

    assert response.status_code == status
    assert NEW_ID.fullmatch(response["X-Request-ID"])


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_server_error_has_a_request_id_too(db):
    response = Client(raise_request_exception=False).get("/api/broken/")

    assert response.status_code == 500
    assert NEW_ID.fullmatch(response["X-Request-ID"])


def test_each_request_gets_its_own_id(db):
    ids = {APIClient().get("/api/")["X-Request-ID"] for _ in range(3)}

    assert len(ids) == 3


WELL_FORMED = ["a", "a" * 64, "Req-1.2_3", "4f1c8a52-1d2e-4c7a-9b1e-2f3a4b5c6d7e"]
MALFORMED = {
    "too long": "a" * 65,
    "empty": "",
    "a space": "a b",
    "a line break": "a\r\nX-Injected: yes",
    "a tab": "a\tb",
    "a slash": "a/b",
    "a quote": 'a"b',
    "not ASCII": "é",
}


@pytest.mark.parametrize("incoming", WELL_FORMED)
def test_a_well_formed_incoming_id_is_kept(trail, db, incoming):
    seen = trail(lambda: APIClient().get(reverse("me"), HTTP_X_REQUEST_ID=incoming))

    assert seen.response["X-Request-ID"] == incoming
    assert seen.only("access.denied")["request_id"] == incoming


@pytest.mark.parametrize("incoming", MALFORMED.values(), ids=MALFORMED.keys())
def test_anything_else_is_replaced_by_a_new_id(trail, db, incoming):
    seen = trail(lambda: APIClient().get(reverse("me"), HTTP_X_REQUEST_ID=incoming))

    replaced = seen.response["X-Request-ID"]
    assert NEW_ID.fullmatch(replaced)
    assert seen.only("access.denied")["request_id"] == replaced


# Each makes Django log a record of its own (django.request's "Not Found", "Unauthorized"
# and so on) after the middleware has returned; the refusals log an audit event as well.
LOGGED_REQUESTS = {
    "an API 404": (lambda: Client().get("/api/no-such-thing/", HTTP_X_REQUEST_ID="req-404")),
    "a refusal (and its audit event)": (
        lambda: APIClient().get(reverse("me"), HTTP_X_REQUEST_ID="req-401")
    ),
    "a body over the limit": (
        lambda: APIClient().post(
            note_list_url(),
            "{}",
            content_type="application/json",
            CONTENT_LENGTH=str(10**9),
            HTTP_X_REQUEST_ID="req-413",
        )
    ),
}


@pytest.mark.parametrize("request_", LOGGED_REQUESTS)
def test_every_record_logged_while_serving_a_request_carries_its_id(production_log, db, request_):
    response = LOGGED_REQUESTS[request_]()

    records = production_log()
    assert "django.request" in {record["logger"] for record in records}
    assert {record["request_id"] for record in records} == {response["X-Request-ID"]}


def test_a_record_logged_outside_any_request_has_no_id(production_log):
    logging.getLogger("tests").warning("Nothing is being served.")

    (record,) = production_log()
    assert record["request_id"] is None
