"""Every response denies powerful browser features and embedding by other sites; no cache
keeps a logged-in user's API responses or anything the credential endpoints answer
(api/headers.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.actors import note_detail_url, url_kwargs
from tests.auth import CREDENTIALS_ROUTE
from tests.conftest import PASSWORD

DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def permissions_policy(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize(
    ("what", "path", "status"),
    [
        ("a public page", "/api-auth/login/", 200),
        ("the admin's login page", "/admin/login/", 200),
        ("an API page", "/api/", 200),
        ("an API error", "/api/no-such-thing/", 404),
        ("a page that is not there", "/no-such-page/", 404),
    ],
)
def test_every_response_denies_powerful_features_and_embedding(db, what, path, status):
    response = Client().get(path)
    policy = permissions_policy(response["Permissions-Policy"])

    assert response.status_code == status
    assert all(policy[feature] == "()" for feature in DENIED_FEATURES)
    assert set(policy.values()) == {"()"}  # nothing allowed to anyone
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("page_format", ["json", "api"])
@pytest.mark.parametrize("route", ["api-root", "me", "note-list"])
def test_a_logged_in_users_api_responses_are_never_stored(client_for, note, route, page_format):
    url = reverse(route, kwargs=url_kwargs(note).get(route))

    response = client_for("owner").get(url, {"format": page_format})

    assert response.status_code == 200
    assert {"no-store", "private"} <= cache_control(response)


def test_an_error_made_for_a_logged_in_user_is_never_stored_either(client_for):
    response = client_for("owner").get(note_detail_url(999_999))

    assert response.status_code == 404
    assert {"no-store", "private"} <= cache_control(response)


@pytest.mark.parametrize(
    ("attempt", "password"), [("a login", PASSWORD), ("a refused login", "wrong")]
)
def test_the_credential_endpoint_answers_are_never_stored(users, attempt, password):
    body = {"username": "owner", "password": password}

    response = APIClient().post(reverse(CREDENTIALS_ROUTE), body, format="json")

    assert (response.status_code == 200) is (password == PASSWORD)
    assert {"no-store", "private"} <= cache_control(response)


def test_the_anonymous_public_root_may_be_cached(db):
    response = APIClient().get(reverse("api-root"))

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
