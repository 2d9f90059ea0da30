"""django-rest-knox tokens: a new one per login (and no session), stored hashed, expiring,
and revoked by logout, logout-all, any password change and deactivation, for good; the
API's answers without a valid one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from api.authentication import TokenAuthentication
from api.credentials import TokenLoginSerializer
from tests.conftest import PASSWORD
from users.models import User

NEW_PASSWORD = "a-fresh-passphrase-for-owner"

# Keys knox cannot have issued (it issues 64 lowercase hex digits). Before the check in
# api/authentication.py, the first two were 500s (DataError, UnicodeDecodeError).
MALFORMED_KEYS = {
    "NUL": "0" * 63 + "\x00",
    "not UTF-8": "\xff" * 64,
    "not hex": "g" * 64,
    "too short": "0" * 63,
    "too long": "0" * 65,
}


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """These tests log in and refresh more often than "credentials" allows (if baked)."""
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def log_in(username: str = "owner", password: str = PASSWORD):
    body = {"username": username, "password": password}
    return APIClient().post(reverse("auth-token"), body, format="json")


def new_token(username: str = "owner") -> str:
    token: str = log_in(username).json()["token"]
    return token


def using(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    """Whether the token authenticates a request; a refused one gets 401, nothing else."""
    status = using(key).get(reverse("me")).status_code
    assert status in (200, 401)
    return status == 200


def test_anonymous_request_gets_401_with_a_token_challenge(db):
    response = APIClient().get(reverse("me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_that_is_not_one_is_an_authentication_failure(db):
    response = using("0" * 64).get(reverse("me"))

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_login_returns_a_token_and_its_expiry(users):
    response = log_in()

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    assert using(response.json()["token"]).get(reverse("me")).json()["username"] == "owner"


def test_each_login_issues_a_new_token(users):
    first, second = new_token(), new_token()

    assert first != second
    assert works(first)
    assert works(second)


def test_tokens_are_stored_hashed(users):
    key = new_token()

    stored = [str(value) for row in AuthToken.objects.values() for value in row.values()]

    assert stored
    assert not any(key in value for value in stored)


def test_a_token_expires_after_token_ttl_hours(users):
    response = log_in()
    expiry = parse_datetime(response.json()["expiry"])

    assert abs(expiry - (timezone.now() + knox_settings.TOKEN_TTL)) < timedelta(minutes=1)


def test_an_expired_token_is_refused(users):
    key = new_token()
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    assert not works(key)


def test_wrong_password_gets_no_token(users):
    response = log_in(password="wrong")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "non_field_errors": ["Unable to log in with the provided credentials."]
    }


def test_a_stale_token_does_not_block_getting_a_new_one(users):
    client = using("stale")

    response = client.post(
        reverse("auth-token"), {"username": "owner", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200


def test_a_token_in_the_url_is_not_accepted(users):
    key = new_token()

    for parameter in ("token", "auth_token", "access_token", "key"):
        assert APIClient().get(reverse("me"), {parameter: key}).status_code == 401


def test_logout_ends_only_the_token_it_was_sent_with(users):
    phone, laptop = new_token(), new_token()

    response = using(phone).post(reverse("auth-logout"))

    assert response.status_code == 204
    assert not works(phone)
    assert works(laptop)


def test_logout_all_ends_every_token_of_the_user_only(users):
    phone, laptop, others = new_token(), new_token(), new_token("other")

    response = using(phone).post(reverse("auth-logout-all"))

    assert response.status_code == 204
    assert not works(phone)
    assert not works(laptop)
    assert works(others)


def test_a_password_change_ends_every_token_of_the_user(users):
    phone, laptop, others = new_token(), new_token(), new_token("other")
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}

    response = using(phone).post(reverse("auth-password"), body, format="json")

    assert response.status_code == 204
    assert not works(phone)
    assert not works(laptop)
    assert works(others)
    assert log_in(password=PASSWORD).status_code == 400
    assert works(log_in(password=NEW_PASSWORD).json()["token"])


def test_an_administrators_set_password_ends_every_token(users):
    phone, laptop = new_token(), new_token()

    user = User.objects.get(username="owner")
    user.set_password(NEW_PASSWORD)
    user.save()

    assert not works(phone)
    assert not works(laptop)


def test_a_deactivated_users_tokens_are_refused(users):
    key = new_token()

    User.objects.filter(username="owner").update(is_active=False)

    assert not works(key)


def test_deactivating_a_user_deletes_their_tokens(users):
    # Refused while inactive is not enough: reactivating the account would bring them back.
    new_token()
    user = User.objects.get(username="owner")

    user.is_active = False
    user.save()

    assert not AuthToken.objects.filter(user=user).exists()


def test_a_login_whose_credentials_are_revoked_meanwhile_keeps_no_token(users, monkeypatch):
    # Another device logs out everywhere between this login's password check and its token.
    check_password = TokenLoginSerializer.validate

    def check_then_revoke(self, attrs):
        attrs = check_password(self, attrs)
        User.objects.get(pk=attrs["user"].pk).revoke_credentials()
        return attrs

    monkeypatch.setattr(TokenLoginSerializer, "validate", check_then_revoke)

    response = log_in()

    assert response.status_code == 403  # no challenge to answer: this view reads no token
    assert "revoked" in response.json()["detail"]
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user__username="owner").exists()


def test_a_login_starts_no_session_and_sets_no_cookie(users):
    response = log_in()

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.parametrize("key", MALFORMED_KEYS.values(), ids=MALFORMED_KEYS.keys())
def test_a_malformed_token_is_refused_before_the_database_is_asked(
    db, django_assert_num_queries, key
):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")

    with django_assert_num_queries(0), pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(request)


@pytest.mark.parametrize("key", [key for key in MALFORMED_KEYS.values() if "\x00" not in key])
def test_a_malformed_token_gets_401(db, key):
    # A NUL never gets this far: api.security.RequestLimitsMiddleware refuses it (400).
    response = using(key).get(reverse("me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
