"""simplejwt: how a client gets a token pair and refreshes it (each refresh token once),
what ends its tokens (logout, a password change, a deleted or deactivated user), and how
the API answers without a valid one: always 401, never 500."""

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import RefreshToken

from tests.conftest import PASSWORD
from users.models import User

NEW_PASSWORD = "a-fresh-passphrase-for-owner"


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """These tests log in and refresh more often than "credentials" allows (if baked)."""
    unlimited = {"anon": None, "user": None, "credentials": None}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def obtain_pair(username: str = "owner", password: str = PASSWORD):
    return APIClient().post(
        reverse("auth-token"), {"username": username, "password": password}, format="json"
    )


def new_pair(username: str = "owner") -> dict[str, str]:
    pair: dict[str, str] = obtain_pair(username).json()
    return pair


def refresh(token: str):
    return APIClient().post(reverse("auth-token-refresh"), {"refresh": token}, format="json")


def using(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def works(access: str) -> bool:
    """Whether the access token authenticates a request; a refused one gets 401, nothing else."""
    status = using(access).get(reverse("me")).status_code
    assert status in (200, 401)
    return status == 200


def test_anonymous_request_gets_401_with_a_bearer_challenge(db):
    response = APIClient().get(reverse("me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_access_token_from_the_credential_endpoint_authenticates(users):
    pair = new_pair()

    assert set(pair) == {"access", "refresh"}
    assert using(pair["access"]).get(reverse("me")).json()["username"] == "owner"


def test_wrong_password_gets_no_tokens(users):
    response = obtain_pair(password="wrong")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_a_refresh_token_gives_a_new_working_pair(users):
    response = refresh(new_pair()["refresh"])

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert works(response.json()["access"])


def test_a_refresh_token_works_once(users):
    first = new_pair()["refresh"]
    second = refresh(first).json()["refresh"]

    assert refresh(first).status_code == 401
    assert refresh(second).status_code == 200


def test_a_refresh_token_works_once_even_for_two_requests_at_the_same_moment(users, monkeypatch):
    # Both requests pass the blacklist check before either writes its entry.
    token = new_pair()["refresh"]
    monkeypatch.setattr(RefreshToken, "check_blacklist", lambda self: None)

    assert [refresh(token).status_code, refresh(token).status_code] == [200, 401]


def test_a_refresh_token_is_not_an_access_token(users):
    assert not works(new_pair()["refresh"])


def test_an_access_token_is_not_a_refresh_token(users):
    assert refresh(new_pair()["access"]).status_code == 401


def test_a_token_in_the_url_is_not_accepted(users):
    access = new_pair()["access"]

    for parameter in ("token", "access", "access_token", "jwt"):
        assert APIClient().get(reverse("me"), {parameter: access}).status_code == 401


def test_logout_ends_the_refresh_token(users):
    phone, laptop = new_pair(), new_pair()

    response = APIClient().post(
        reverse("auth-logout"), {"refresh": phone["refresh"]}, format="json"
    )

    assert response.status_code == 204
    assert refresh(phone["refresh"]).status_code == 401
    assert refresh(laptop["refresh"]).status_code == 200


def test_a_password_change_ends_every_token_of_the_user(users):
    phone, laptop, others = new_pair(), new_pair(), new_pair("other")
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}

    response = using(phone["access"]).post(reverse("auth-password"), body, format="json")

    assert response.status_code == 204
    for pair in (phone, laptop):
        assert not works(pair["access"])
        assert refresh(pair["refresh"]).status_code == 401
    assert works(others["access"])
    assert refresh(others["refresh"]).status_code == 200
    assert obtain_pair(password=PASSWORD).status_code == 401
    assert works(obtain_pair(password=NEW_PASSWORD).json()["access"])


def test_an_administrators_set_password_ends_every_token(users):
    pair = new_pair()

    user = User.objects.get(username="owner")
    user.set_password(NEW_PASSWORD)
    user.save()

    assert not works(pair["access"])
    assert refresh(pair["refresh"]).status_code == 401


def test_a_password_changed_behind_the_models_back_still_ends_refresh_tokens(users):
    # A raw UPDATE sends no signal, so nothing is blacklisted; the password hash in the
    # token (CHECK_REVOKE_TOKEN) no longer matches.
    pair = new_pair()

    User.objects.filter(username="owner").update(password=make_password(NEW_PASSWORD))

    assert not works(pair["access"])
    assert refresh(pair["refresh"]).status_code == 401


def test_a_deleted_users_tokens_get_401_not_500(users):
    pair = new_pair()

    User.objects.filter(username="owner").delete()

    assert not works(pair["access"])
    assert refresh(pair["refresh"]).status_code == 401


def test_a_deactivated_users_tokens_are_refused(users):
    pair = new_pair()

    User.objects.filter(username="owner").update(is_active=False)

    assert not works(pair["access"])
    assert refresh(pair["refresh"]).status_code == 401


MALFORMED_TOKENS = {
    "NUL": "eyJ\x00.e30.e30",
    "not UTF-8": "\xff\xfe.\xff.\xff",
    "not base64": "***.***.***",
    "one part": "abc",
    "empty parts": "..",
}


@pytest.mark.parametrize("token", MALFORMED_TOKENS.values(), ids=MALFORMED_TOKENS.keys())
def test_a_malformed_token_is_refused_before_the_database_is_asked(
    db, django_assert_num_queries, token
):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")

    with django_assert_num_queries(0), pytest.raises(AuthenticationFailed):
        JWTAuthentication().authenticate(request)


@pytest.mark.parametrize(
    "token", [token for token in MALFORMED_TOKENS.values() if "\x00" not in token]
)
def test_a_malformed_token_gets_401(db, token):
    # A NUL never gets this far: api.security.RequestLimitsMiddleware refuses it (400).
    assert not works(token)
    assert refresh(token).status_code == 401
