"""What a hostile client sends gets a 4xx, never a 5xx; API errors are JSON under /api/."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.actors import note_list_url, url_kwargs
from tests.auth import CREDENTIALS_ROUTE

DEEPLY_NESTED_JSON = "[" * 100_000 + "]" * 100_000


def is_json_error(response, code: str) -> bool:
    """The API's error shape (api/exceptions.py) with ``code``; tests/test_error_shape.py
    checks the rest of it."""
    is_json = response["Content-Type"] == "application/json"
    return is_json and bool(response.json()["code"] == code)


def test_deeply_nested_json_is_a_400_for_anonymous_clients(db):
    response = APIClient().post(
        reverse(CREDENTIALS_ROUTE), DEEPLY_NESTED_JSON, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert response.json()["code"] == "parse_error"


def test_deeply_nested_json_is_a_400_for_logged_in_clients(client_for):
    response = client_for("owner").post(
        note_list_url(), DEEPLY_NESTED_JSON, content_type="application/json"
    )

    assert response.status_code == 400


@pytest.mark.parametrize("route", ["health", "me", "note-list", "rest_framework:login"])
def test_a_nul_byte_in_the_session_cookie_is_a_400(note, route):
    client = Client()
    client.cookies["sessionid"] = "abc\x00def"

    response = client.get(reverse(route, kwargs=url_kwargs(note).get(route)))

    assert response.status_code == 400
    assert is_json_error(response, "bad_request")


def test_a_nul_byte_in_a_header_is_a_400(db):
    response = APIClient().get(reverse("me"), HTTP_AUTHORIZATION="Token abc\x00def")

    assert response.status_code == 400


def test_an_oversized_cookie_is_a_400(db):
    client = Client()
    client.cookies["sessionid"] = "x" * 10_000

    assert client.get(reverse("health")).status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_a_413_before_anything_reads_it(client_for):
    body = {"title": "big", "body": "x" * 2048}

    response = client_for("owner").post(note_list_url(), body, format="json")

    assert response.status_code == 413
    assert "1024 bytes" in response.json()["detail"]
    assert response.json()["code"] == "request_too_large"


def test_a_content_length_that_is_not_a_number_is_a_400(db):
    response = APIClient().post(
        note_list_url(), "{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Content-Length must be a number.", "code": "bad_request"}


def test_an_unknown_api_path_is_a_json_404(db):
    response = Client().get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_unknown_path_outside_the_api_keeps_the_html_404(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_csrf_failure_is_json_under_api_and_html_elsewhere(db):
    client = Client(enforce_csrf_checks=True)

    api = client.post("/api/form/")
    page = client.post("/form/")

    assert api.status_code == 403
    assert api.json()["detail"].startswith("CSRF Failed")
    assert api.json()["code"] == "csrf_failed"
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_a_session_write_without_the_csrf_token_is_a_json_403(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["owner"])

    response = client.post(note_list_url(), {"title": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert response.json()["code"] == "csrf_failed"


@override_settings(ROOT_URLCONF="tests.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "detail", "code"),
    [
        ("/api/broken/", 500, "Server error.", "server_error"),
        (
            "/api/database-down/",
            503,
            "The service is temporarily unavailable.",
            "service_unavailable",
        ),
    ],
)
def test_server_errors_under_api_are_json(db, path, status, detail, code):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == status
    assert response.json() == {"detail": detail, "code": code}


@override_settings(ROOT_URLCONF="tests.error_urls")
@pytest.mark.parametrize("path", ["/broken/", "/database-down/"])
def test_server_errors_outside_the_api_keep_the_html_page(db, path):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
