"""TokenAuthentication: how a client gets a token, and how the API answers without one."""

from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def test_anonymous_request_gets_401_with_a_token_challenge(db):
    response = APIClient().get(reverse("me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_from_the_credential_endpoint_authenticates(users):
    client = APIClient()
    response = client.post(
        reverse("auth-token"), {"username": "owner", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200

    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    assert client.get(reverse("me")).json()["username"] == "owner"


def test_wrong_password_gets_no_token(users):
    response = APIClient().post(
        reverse("auth-token"), {"username": "owner", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_stale_token_does_not_block_getting_a_new_one(users):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token stale")

    response = client.post(
        reverse("auth-token"), {"username": "owner", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200


def test_an_invalid_token_gets_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert client.get(reverse("me")).status_code == 401


def test_a_token_in_the_url_is_not_accepted(users):
    token = APIClient().post(
        reverse("auth-token"), {"username": "owner", "password": PASSWORD}, format="json"
    )
    key = token.json()["token"]

    for parameter in ("token", "auth_token", "access_token", "key"):
        assert APIClient().get(reverse("me"), {parameter: key}).status_code == 401
