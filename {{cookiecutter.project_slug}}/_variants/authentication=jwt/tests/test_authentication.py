"""simplejwt: how a client gets a token pair and refreshes it (each refresh token once, a
reused one ending its whole chain, no chain outliving JWT_REFRESH_DAYS from its login), what
ends its tokens (logout, logging out everywhere, a password change, a deleted or deactivated
user), what the database keeps of them (no token in clear), and how the API answers without
a valid one: always 401, never 500."""

import base64
import json
import threading

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from api.authentication import CHAIN_CLAIM, JWTAuthentication, RefreshToken, lock_chain
from api.credentials import RefreshChainThrottle, RefreshTokenPair
from tests.concurrency import backends_waiting_once, on_a_connection_of_its_own
from tests.conftest import PASSWORD
from users.models import User

NEW_PASSWORD = "a-fresh-passphrase-for-owner"


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """These tests log in and refresh more often than "credentials" allows (if baked)."""
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
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
    assert response.json()["code"] == "no_active_account"


def test_a_refresh_token_gives_a_new_working_pair(users):
    response = refresh(new_pair()["refresh"])

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert works(response.json()["access"])


def claims(token: str) -> dict:
    """The payload of a JWT, read without checking it."""
    payload = token.split(".")[1]
    decoded: dict = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_a_refresh_token_works_once_and_its_reuse_ends_the_whole_chain(users):
    # Someone used a token that was already rotated out: the thief or the owner. Which one
    # cannot be told, so every token of that login ends; other logins go on.
    first, elsewhere = new_pair()["refresh"], new_pair()["refresh"]
    second = refresh(first).json()["refresh"]

    reused = refresh(first)

    assert reused.status_code == 401
    assert "already used" in reused.json()["detail"]
    assert reused.json()["code"] == "token_reused"
    assert refresh(second).status_code == 401
    assert refresh(elsewhere).status_code == 200


def test_a_refresh_token_works_once_even_for_two_requests_at_the_same_moment(users, monkeypatch):
    # Both requests pass the blacklist check before either writes its entry: the second is
    # a reuse, and ends the chain.
    token = new_pair()["refresh"]
    monkeypatch.setattr(RefreshToken, "check_blacklist", lambda self: None)

    statuses = [refresh(token).status_code, refresh(token).status_code]
    monkeypatch.undo()

    assert statuses == [200, 401]
    assert OutstandingToken.objects.filter(blacklistedtoken__isnull=True).count() == 0


def test_a_refresh_racing_the_end_of_its_chain_waits_for_it_and_is_refused(users):
    """A logout (or a detected reuse) ends a chain while a refresh of it is under way, on
    another worker. The refresh waits for the chain's lock; once the ending is committed,
    it finds its token ended. Without the lock, it could save a successor the ending missed.
    """
    tokens: dict[str, str] = {}
    issue = on_a_connection_of_its_own(  # committed: the other connections see it
        lambda: tokens.update(login=str(RefreshToken.for_user(users["owner"])))
    )
    issue.join(timeout=10)
    holding, release = threading.Event(), threading.Event()
    statuses: list[int] = []

    def end_the_chain() -> None:
        token = RefreshToken(tokens["login"])  # type: ignore[arg-type]
        with transaction.atomic():
            lock_chain(token[CHAIN_CLAIM])
            holding.set()
            release.wait(timeout=10)
            token.end_chain()

    ending = on_a_connection_of_its_own(end_the_chain)
    try:
        assert holding.wait(timeout=10)
        refreshing = on_a_connection_of_its_own(
            lambda: statuses.append(refresh(tokens["login"]).status_code)
        )
        waited = backends_waiting_once(1)
    finally:
        release.set()
        ending.join(timeout=10)
    refreshing.join(timeout=10)
    on_a_connection_of_its_own(OutstandingToken.objects.all().delete).join(timeout=10)

    assert waited == 1
    assert statuses == [401]


def test_a_chain_ends_when_its_login_expires_however_often_it_refreshes(users):
    login = new_pair()["refresh"]
    rotated = [login]
    for _ in range(3):
        rotated.append(refresh(rotated[-1]).json()["refresh"])

    assert {claims(token)["exp"] for token in rotated} == {claims(login)["exp"]}
    assert len({claims(token)["jti"] for token in rotated}) == 4


def test_an_expired_chain_is_refused(users, settings):
    token = RefreshToken.for_user(User.objects.get(username="owner"))
    token.set_exp(lifetime=-settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"])  # expired a while ago

    assert refresh(str(token)).status_code == 401


def test_an_access_token_never_outlives_its_chain(users):
    token = RefreshToken.for_user(User.objects.get(username="owner"))
    token["exp"] = claims(str(token))["iat"] + 60  # a chain with a minute left

    assert claims(str(token.access_token))["exp"] <= token["exp"]


def test_the_database_keeps_no_refresh_token_in_clear(users):
    pair = new_pair()
    issued = [pair["refresh"], refresh(pair["refresh"]).json()["refresh"]]

    stored = list(OutstandingToken.objects.values_list("token", flat=True))

    assert len(stored) == 2
    assert not any(token in value or value in token for value in stored for token in issued)
    assert all(value.startswith(f"chain={claims(issued[0])['chain']} sha256=") for value in stored)


def test_the_refresh_rate_counts_per_chain_not_per_address(users, monkeypatch):
    # Colleagues behind one office address each refresh at their own pace.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "refresh", "2/minute")
    view = RefreshTokenPair()

    def allowed(token: str, address: str = "198.51.100.1") -> bool:
        request = APIRequestFactory().post(
            "/", {"refresh": token}, format="json", REMOTE_ADDR=address
        )
        view.request = view.initialize_request(request)
        return RefreshChainThrottle().allow_request(view.request, view)

    alice, bob = new_pair()["refresh"], new_pair("other")["refresh"]

    assert [allowed(alice), allowed(alice), allowed(alice)] == [True, True, False]
    assert [allowed(bob), allowed(bob)] == [True, True]
    # A token that does not verify counts against its address.
    assert [allowed("forged"), allowed("forged"), allowed("forged")] == [True, True, False]
    assert allowed("forged", address="198.51.100.2")


def test_a_refresh_token_is_not_an_access_token(users):
    assert not works(new_pair()["refresh"])


def test_an_access_token_is_not_a_refresh_token(users):
    assert refresh(new_pair()["access"]).status_code == 401


def test_a_refused_token_says_why_in_the_apis_error_shape(users):
    # simplejwt's {"detail", "code", "messages"}: the messages (why each token class refused
    # the token) follow the detail (api/exceptions.py).
    response = using(new_pair()["refresh"]).get(reverse("me"))

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Given token not valid for any token type: Token has wrong type",
        "code": "token_not_valid",
    }


def test_a_token_in_the_url_is_not_accepted(users):
    access = new_pair()["access"]

    for parameter in ("token", "access", "access_token", "jwt"):
        assert APIClient().get(reverse("me"), {parameter: access}).status_code == 401


def logout(token: str):
    return APIClient().post(reverse("auth-logout"), {"refresh": token}, format="json")


def test_logout_ends_the_refresh_token(users):
    phone, laptop = new_pair(), new_pair()

    response = logout(phone["refresh"])

    assert response.status_code == 204
    assert refresh(phone["refresh"]).status_code == 401
    assert refresh(laptop["refresh"]).status_code == 200


def test_logout_with_a_rotated_out_token_ends_its_chain(users):
    first = new_pair()["refresh"]
    second = refresh(first).json()["refresh"]

    assert logout(first).status_code == 204
    assert refresh(second).status_code == 401


def test_logout_with_a_forged_token_is_a_401(users):
    assert logout("forged").status_code == 401


def test_logging_out_everywhere_ends_every_token_access_tokens_at_once(users):
    phone, laptop, others = new_pair(), new_pair(), new_pair("other")

    response = using(phone["access"]).post(reverse("auth-logout-all"), format="json")

    assert response.status_code == 204
    for pair in (phone, laptop):
        assert not works(pair["access"])
        assert refresh(pair["refresh"]).status_code == 401
    assert works(others["access"])
    assert works(new_pair()["access"])


def test_a_login_starts_no_session_and_sets_no_cookie(users):
    client = APIClient()
    response = client.post(
        reverse("auth-token"), {"username": "owner", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "_auth_user_id" not in response.wsgi_request.session


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


def test_reactivating_a_user_brings_no_refresh_token_back(users):
    refresh_token = new_pair()["refresh"]
    user = User.objects.get(username="owner")

    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    assert refresh(refresh_token).status_code == 401


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
