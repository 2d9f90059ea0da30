"""The error contract (api/exceptions.py): every error under /api/ is ``application/json``
with exactly ``detail`` and ``code``, both strings, and for a validation error (400
``invalid``) ``fields`` as well, an object of string lists.

First one error of each kind the service sends, with its status and code; then what the
body says for some of them; then how nested validation errors flatten; then development
(DEBUG on), where Django would answer its HTML technical pages instead.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from api.exceptions import exception_handler
from api.utils.permission import IsVIP
from api.views import NoteList
from tests.actors import note_detail_url, note_list_url
from tests.auth import ANONYMOUS_STATUS, CREDENTIALS_ROUTE, WWW_AUTHENTICATE
from tests.conftest import PASSWORD

# The routes of tests/error_urls.py fail on purpose: a bug, a database outage, a CSRF check.
ERROR_URLS = "tests.error_urls"
HTML = {"Accept": "text/html"}


def error_body(response) -> dict[str, Any]:
    """The body of an error response, once it is known to have the shape and nothing else."""
    assert response["Content-Type"] == "application/json", response.content[:300]
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("code"), str) and body["code"], body
    if body["code"] != "invalid":
        assert set(body) == {"detail", "code"}, body
        return body
    assert set(body) == {"detail", "code", "fields"}, body
    assert isinstance(body["fields"], dict) and body["fields"], body
    for messages in body["fields"].values():
        assert isinstance(messages, list) and messages, body
        assert all(isinstance(message, str) and message for message in messages), body
    return body


@dataclass
class Caller:
    """What a case needs to provoke its error: the actors' clients, and settings and patches
    that last one test."""

    client_for: Callable[[str], APIClient]
    users: dict[str, Any]
    settings: Any
    monkeypatch: pytest.MonkeyPatch


@pytest.fixture
def caller(client_for, users, settings, monkeypatch) -> Caller:
    return Caller(client_for, users, settings, monkeypatch)


def missing_fields(caller: Caller):
    return APIClient().post(reverse(CREDENTIALS_ROUTE), {}, format="json")


def unparsable_json(caller: Caller):
    body = '{"username": '
    return APIClient().post(reverse(CREDENTIALS_ROUTE), body, content_type="application/json")


def content_length_not_a_number(caller: Caller):
    url = note_list_url()
    return APIClient().post(url, "{}", content_type="application/json", CONTENT_LENGTH="lots")


def host_not_allowed(caller: Caller):
    return Client().get(reverse("api-root"), HTTP_HOST="evil.example")


def no_credentials(caller: Caller):
    return APIClient().get(reverse("me"))


def standard_user_at_vip(caller: Caller):
    return caller.client_for("owner").get(reverse("vip"))


def note_past_the_quota(caller: Caller):
    caller.settings.NOTES_PER_USER = 0
    return caller.client_for("owner").post(note_list_url(), {"title": "x"}, format="json")


def form_without_csrf_token(caller: Caller):
    caller.settings.ROOT_URLCONF = ERROR_URLS
    return Client(enforce_csrf_checks=True).post("/api/form/")


def session_write_without_csrf_token(caller: Caller):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caller.users["owner"])
    return client.post(note_list_url(), {"title": "x"}, content_type="application/json")


def django_permission_denied(caller: Caller):
    caller.settings.ROOT_URLCONF = ERROR_URLS
    return Client().get("/api/forbidden/")


def unknown_path(caller: Caller):
    return Client().get("/api/no-such-thing/")


def unknown_note(caller: Caller):
    return caller.client_for("owner").get(note_detail_url(999_999))


def method_not_allowed(caller: Caller):
    return caller.client_for("owner").delete(reverse("me"))


def body_too_large(caller: Caller):
    caller.settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = {"title": "big", "body": "x" * 2048}
    return caller.client_for("owner").post(note_list_url(), body, format="json")


def form_to_credential_endpoint(caller: Caller):
    body = {"username": "owner", "password": PASSWORD}
    return APIClient().post(reverse(CREDENTIALS_ROUTE), body, format="multipart")


def past_the_rate(caller: Caller):
    # Throttled or not as baked: one request a minute on the notes' list, for this test.
    caller.monkeypatch.setattr(NoteList, "throttle_classes", [UserRateThrottle])
    caller.monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "1/minute")
    client = caller.client_for("owner")
    assert client.get(note_list_url()).status_code == 200
    return client.get(note_list_url())


def locked_out(caller: Caller):
    caller.settings.AXES_FAILURE_LIMIT = 1
    client = APIClient()
    url = reverse(CREDENTIALS_ROUTE)
    client.post(url, {"username": "owner", "password": "a guess"}, format="json")
    return client.post(url, {"username": "owner", "password": PASSWORD}, format="json")


def bug(caller: Caller):
    caller.settings.ROOT_URLCONF = ERROR_URLS
    return Client(raise_request_exception=False).get("/api/broken/")


def database_outage(caller: Caller):
    caller.settings.ROOT_URLCONF = ERROR_URLS
    return Client(raise_request_exception=False).get("/api/database-down/")


# fmt: off
ERRORS = [
    # how the client meets the error     status             code
    (missing_fields,                      400,               "invalid"),
    (unparsable_json,                     400,               "parse_error"),
    (content_length_not_a_number,         400,               "bad_request"),
    (host_not_allowed,                    400,               "bad_request"),
    (no_credentials,                      ANONYMOUS_STATUS,  "not_authenticated"),
    (standard_user_at_vip,                403,               "permission_denied"),
    (note_past_the_quota,                 403,               "quota_exceeded"),
    (form_without_csrf_token,             403,               "csrf_failed"),
    (session_write_without_csrf_token,    403,               "csrf_failed"),
    (django_permission_denied,            403,               "permission_denied"),
    (unknown_path,                        404,               "not_found"),
    (unknown_note,                        404,               "not_found"),
    (method_not_allowed,                  405,               "method_not_allowed"),
    (body_too_large,                      413,               "request_too_large"),
    (form_to_credential_endpoint,         415,               "unsupported_media_type"),
    (past_the_rate,                       429,               "throttled"),
    (locked_out,                          429,               "locked_out"),
    (bug,                                 500,               "server_error"),
    (database_outage,                     503,               "service_unavailable"),
]
# fmt: on


@pytest.mark.parametrize(
    ("provoke", "status", "code"), ERRORS, ids=[provoke.__name__ for provoke, *_ in ERRORS]
)
def test_every_error_has_the_shape_its_status_and_its_code(caller, provoke, status, code):
    response = provoke(caller)

    assert response.status_code == status
    assert error_body(response)["code"] == code


def test_a_validation_error_names_each_field_and_says_it_all_in_detail(caller):
    body = error_body(missing_fields(caller))

    assert body["fields"] == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    assert body["detail"] == "username: This field is required. password: This field is required."


def test_a_refusal_by_a_permission_class_says_its_message(caller):
    assert error_body(standard_user_at_vip(caller))["detail"] == IsVIP.message


def test_an_anonymous_refusal_keeps_the_challenge_of_the_first_authentication_class(caller):
    response = no_credentials(caller)

    assert response.get("WWW-Authenticate") == WWW_AUTHENTICATE


@pytest.mark.parametrize("provoke", [past_the_rate, locked_out, database_outage])
def test_an_error_worth_retrying_says_when_in_retry_after(caller, provoke):
    response = provoke(caller)

    assert int(response["Retry-After"]) > 0


def test_a_throttled_request_says_when_in_detail_too(caller):
    response = past_the_rate(caller)
    seconds = response["Retry-After"]

    assert f"Expected available in {seconds} seconds" in error_body(response)["detail"]


def test_a_server_error_names_nothing_of_the_exception(caller):
    assert error_body(bug(caller))["detail"] == "Server error."


# How validation errors flatten: a nested field's name is the path to it, dotted.


class Tag(serializers.Serializer):
    name = serializers.CharField(max_length=3)


class Order(serializers.Serializer):
    title = serializers.CharField()
    author = Tag()
    tags = Tag(many=True)
    quantities = serializers.ListField(child=serializers.IntegerField())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raise serializers.ValidationError("Orders are closed.")


def handled(exc: Exception) -> dict[str, Any]:
    response = exception_handler(exc, {})
    assert response is not None and response.status_code == 400
    data: dict[str, Any] = response.data
    return data


def validation_error(data: dict[str, Any]) -> serializers.ValidationError:
    order = Order(data=data)
    assert not order.is_valid()
    return serializers.ValidationError(order.errors)


def test_nested_fields_and_list_items_are_named_by_their_path():
    error = validation_error(
        {"author": {}, "tags": [{"name": "ok"}, {"name": "long"}], "quantities": [1, "x"]}
    )

    assert handled(error)["fields"] == {
        "title": ["This field is required."],
        "author.name": ["This field is required."],
        "tags.1.name": ["Ensure this field has no more than 3 characters."],
        "quantities.1": ["A valid integer is required."],
    }


def test_errors_about_no_single_field_are_non_field_errors_and_the_detail():
    error = validation_error({"title": "t", "author": {"name": "me"}, "tags": [], "quantities": []})

    assert handled(error) == {
        "detail": "Orders are closed.",
        "code": "invalid",
        "fields": {"non_field_errors": ["Orders are closed."]},
    }


def test_a_validation_error_raised_outside_a_serializer_concerns_no_single_field():
    body = handled(serializers.ValidationError("Not today."))

    assert body["fields"] == {"non_field_errors": ["Not today."]}


# Development: with DEBUG on, Django answers its technical pages instead of the handlers.


@override_settings(DEBUG=True, ROOT_URLCONF=ERROR_URLS)
@pytest.mark.parametrize(
    ("path", "host", "status", "code"),
    [
        ("/api/no-such-thing/", "testserver", 404, "not_found"),
        ("/api/", "evil.example", 400, "bad_request"),
        ("/api/broken/", "testserver", 500, "server_error"),
        ("/api/database-down/", "testserver", 503, "service_unavailable"),
    ],
)
def test_in_development_errors_under_api_are_json_too(db, path, host, status, code):
    response = Client(raise_request_exception=False).get(path, headers=HTML, HTTP_HOST=host)

    assert response.status_code == status
    assert error_body(response)["code"] == code


@override_settings(DEBUG=True, ROOT_URLCONF=ERROR_URLS)
def test_in_development_a_server_error_names_the_exceptions_class(db):
    response = Client(raise_request_exception=False).get("/api/broken/")

    assert "RuntimeError" in error_body(response)["detail"]


@override_settings(DEBUG=True)
def test_in_development_a_json_error_keeps_the_headers_of_the_page_it_replaces(db):
    response = Client().get("/api/no-such-thing/")

    assert error_body(response)["code"] == "not_found"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@override_settings(DEBUG=True)
def test_in_development_pages_outside_the_api_and_the_browsable_api_stay_html(client_for):
    page = Client().get("/no-such-page/")
    browsable = client_for("owner").get(note_detail_url(999_999), headers=HTML)

    assert page.status_code == browsable.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert browsable["Content-Type"].startswith("text/html")
