"""simplejwt: how a client gets a token pair, refreshes it, and how the API answers without one."""

from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def obtain_pair(username: str = "owner", password: str = PASSWORD):
    return APIClient().post(
        reverse("auth-token"), {"username": username, "password": password}, format="json"
    )


def test_anonymous_request_gets_401_with_a_bearer_challenge(db):
    response = APIClient().get(reverse("me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_access_token_from_the_credential_endpoint_authenticates(users):
    pair = obtain_pair().json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    assert set(pair) == {"access", "refresh"}
    assert client.get(reverse("me")).json()["username"] == "owner"


def test_refresh_token_gives_a_working_access_token(users):
    refresh = obtain_pair().json()["refresh"]

    response = APIClient().post(reverse("auth-token-refresh"), {"refresh": refresh}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")

    assert response.status_code == 200
    assert client.get(reverse("me")).status_code == 200


def test_wrong_password_gets_no_tokens(users):
    response = obtain_pair(password="wrong")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_a_refresh_token_is_not_an_access_token(users):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_pair().json()['refresh']}")

    assert client.get(reverse("me")).status_code == 401


def test_a_token_in_the_url_is_not_accepted(users):
    access = obtain_pair().json()["access"]

    for parameter in ("token", "access", "access_token", "jwt"):
        assert APIClient().get(reverse("me"), {parameter: access}).status_code == 401
