"""SessionAuthentication: login with CSRF (reading the token is not a login attempt),
logout, what a password change or deactivation ends, and how the API answers without a
session."""

from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from api.credentials import Login
from tests.actors import note_list_url
from tests.conftest import PASSWORD
from users.models import User

NEW_PASSWORD = "a-fresh-passphrase-for-owner"


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


def logged_in() -> tuple[APIClient, str]:
    """A browser-like client with a session of "owner", and its (rotated) CSRF token."""
    client, token = csrf_client()
    assert login(client, token).status_code == 200
    return client, client.cookies["csrftoken"].value


def has_session(client: APIClient) -> bool:
    status = client.get(reverse("me")).status_code
    assert status in (200, 403)
    return status == 200


def change_password(client: APIClient, token: str):
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    return client.post(reverse("auth-password"), body, format="json", HTTP_X_CSRFTOKEN=token)


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
    assert not has_session(client)


def test_writes_in_a_session_need_the_csrf_token(users):
    client, token = logged_in()

    without = client.post(note_list_url(), {"title": "x"}, format="json")
    with_token = client.post(note_list_url(), {"title": "x"}, format="json", HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert without.json()["code"] == "csrf_failed"  # DRF's check, as Django's answers
    assert with_token.status_code == 201


def test_logout_ends_the_session(users):
    client, token = logged_in()

    assert client.post(reverse("auth-logout"), HTTP_X_CSRFTOKEN=token).status_code == 204
    assert not has_session(client)


def test_a_password_change_needs_the_csrf_token(users):
    client, _ = logged_in()

    response = change_password(client, token="")

    assert response.status_code == 403
    assert User.objects.get(username="owner").check_password(PASSWORD)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(users):
    laptop, token = logged_in()
    phone, _ = logged_in()
    others = APIClient()
    others.force_login(User.objects.get(username="other"))

    assert change_password(laptop, token).status_code == 204
    assert has_session(laptop)
    assert not has_session(phone)
    assert has_session(others)


def test_an_administrators_set_password_ends_every_session(users):
    laptop, _ = logged_in()

    user = User.objects.get(username="owner")
    user.set_password(NEW_PASSWORD)
    user.save()

    assert not has_session(laptop)


def test_reading_the_csrf_token_is_not_a_login_attempt(users, monkeypatch):
    # Throttled or not as baked, the "credentials" rate applies to the POST alone.
    monkeypatch.setattr(Login, "throttle_classes", [ScopedRateThrottle])
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "credentials", "1/minute")
    client, token = csrf_client()
    for _ in range(3):
        assert client.get(reverse("auth-login")).status_code == 200

    assert login(client, token).status_code == 200
    assert login(client, token).status_code == 429


def test_a_deactivated_users_session_is_refused(users):
    laptop, _ = logged_in()

    User.objects.filter(username="owner").update(is_active=False)

    assert not has_session(laptop)
