"""SessionAuthentication: login with CSRF, logout, and how the API answers without a session."""

from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def csrf_client() -> tuple[APIClient, str]:
    """A client that enforces CSRF like a browser, with its CSRF token."""
    client = APIClient(enforce_csrf_checks=True)
    token = client.get(reverse("auth-login")).json()["csrftoken"]
    return client, token


def login(client: APIClient, token: str, password: str = PASSWORD):
    return client.post(
        reverse("auth-login"),
        {"username": "owner", "password": password},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )


def test_anonymous_request_gets_403_without_a_challenge(db):
    response = APIClient().get(reverse("me"))

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_login_starts_a_session(users):
    client, token = csrf_client()

    assert login(client, token).status_code == 200
    assert client.get(reverse("me")).json()["username"] == "owner"


def test_login_needs_the_csrf_token(users):
    client, _ = csrf_client()

    response = client.post(
        reverse("auth-login"), {"username": "owner", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 403


def test_wrong_password_starts_no_session(users):
    client, token = csrf_client()

    assert login(client, token, password="wrong").status_code == 400
    assert client.get(reverse("me")).status_code == 403


def test_writes_in_a_session_need_the_csrf_token(users):
    client, token = csrf_client()
    login(client, token)
    token = client.cookies["csrftoken"].value  # rotated at login

    without = client.post(reverse("note-list"), {"title": "x"}, format="json")
    with_token = client.post(
        reverse("note-list"), {"title": "x"}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert with_token.status_code == 201


def test_logout_ends_the_session(users):
    client, token = csrf_client()
    login(client, token)
    token = client.cookies["csrftoken"].value

    assert client.post(reverse("auth-logout"), HTTP_X_CSRFTOKEN=token).status_code == 200
    assert client.get(reverse("me")).status_code == 403
