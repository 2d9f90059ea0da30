"""Rate limits: a strict one on every login surface, looser ones for anon and user traffic,
and one per API key; each 429 is a "throttled" event, logged and never stored."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.actors import note_list_url
from tests.audit_trail import assert_recorded, expected
from tests.auth import CREDENTIALS_ROUTE
from tests.test_api_keys import MANAGER, key_of, with_key

# The dict DRF's throttles read their rates from on every request.
RATES = SimpleRateThrottle.THROTTLE_RATES


@pytest.fixture
def rates(monkeypatch):
    """Set rates for one test: rates(anon="3/minute")."""

    def set_rates(**values):
        for scope, rate in values.items():
            monkeypatch.setitem(RATES, scope, rate)

    return set_rates


def allowed(rate: str | None) -> int:
    """5 for "5/minute"."""
    assert rate is not None, "no rate: unlimited"
    return int(rate.split("/")[0])


def guess_password(client: APIClient, attempt: int) -> int:
    body = {"username": "owner", "password": f"guess-{attempt}"}
    return client.post(reverse(CREDENTIALS_ROUTE), body, format="json").status_code


def test_credential_endpoint_blocks_password_guessing(users):
    client = APIClient()

    statuses = [guess_password(client, i) for i in range(allowed(RATES["credentials"]) + 1)]

    assert 429 not in statuses[:-1]
    assert statuses[-1] == 429


def test_anonymous_traffic_is_limited(users, rates):
    rates(anon="3/minute", credentials="100/minute")
    client = APIClient()

    statuses = [guess_password(client, i) for i in range(4)]

    assert 429 not in statuses[:3]
    assert statuses[3] == 429


def test_user_traffic_is_limited(client_for, rates):
    rates(user="3/minute")
    client = client_for("owner")

    statuses = [client.get(reverse("me")).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_health_is_never_throttled(db, rates):
    rates(anon="3/minute")
    client = APIClient()

    statuses = {client.get(reverse("health")).status_code for _ in range(5)}

    assert statuses == {200}


def test_a_new_x_forwarded_for_per_request_does_not_reset_the_count(db, rates):
    rates(anon="3/minute")
    client = APIClient()

    statuses = [
        client.get(reverse("api-root"), HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(db, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(anon="3/minute")
    client = APIClient()

    def get_from(address: str) -> int:
        # The proxy appends the address it saw; whatever the client sent stays in front.
        forwarded = f"203.0.113.66, {address}"
        return client.get(reverse("api-root"), HTTP_X_FORWARDED_FOR=forwarded).status_code

    first = [get_from("198.51.100.1") for _ in range(4)]

    assert first == [200, 200, 200, 429]
    assert get_from("198.51.100.2") == 200


@pytest.mark.parametrize("route", ["rest_framework:login", "admin:login"])
def test_the_login_forms_share_the_credential_rate(users, rates, route):
    rates(credentials="3/minute")
    client = Client()

    statuses = [
        client.post(reverse(route), {"username": "owner", "password": f"guess-{i}"}).status_code
        for i in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_the_admins_password_change_form_shares_the_credential_rate(users, rates):
    rates(credentials="3/minute")
    client = Client()
    client.force_login(users["staff"])

    def guess(i: int) -> int:
        form = {"old_password": f"guess-{i}", "new_password1": "x", "new_password2": "x"}
        return client.post(reverse("admin:password_change"), form).status_code

    assert [guess(i) for i in range(4)] == [200, 200, 200, 429]


def test_a_malformed_forwarded_address_is_the_connecting_address(db, rates, settings):
    # Behind a proxy, an entry that is not an address was not written by it: the client
    # reached the service directly, and its made-up headers must not open new counters.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(anon="3/minute")
    client = APIClient()

    statuses = [
        client.get(reverse("api-root"), HTTP_X_FORWARDED_FOR=f"junk-{i}").status_code
        for i in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def over_the_user_rate(client_for, rates):
    """A logged-in client's second request in a minute of "1/minute": DRF's throttle."""
    rates(user="1/minute")
    client = client_for("owner")
    client.get(reverse("me"))
    return "owner", lambda: client.get(reverse("me"))


def over_the_login_forms_rate(client_for, rates):
    """A second password guess in a minute of "1/minute": the login forms' middleware."""
    rates(credentials="1/minute")
    client = Client()
    guess = {"username": "owner", "password": "guess-0"}
    client.post(reverse("rest_framework:login"), guess)
    return "anonymous", lambda: client.post(reverse("rest_framework:login"), guess)


@pytest.mark.parametrize("throttle", [over_the_user_rate, over_the_login_forms_rate])
def test_a_throttled_request_is_logged_with_what_the_client_was_told(
    trail, users, client_for, rates, throttle
):
    actor, send = throttle(client_for, rates)

    seen = trail(send)

    response = seen.response
    assert response.status_code == 429
    told = response.json()["detail"] if response["Content-Type"] == "application/json" else None
    want = expected(
        response,
        "throttled",
        actor=users[actor].pk if users[actor] else None,
        target=None,
        reason={"code": "throttled", "message": told or response.content.decode()},
    )
    assert seen.names == ["throttled"]
    assert_recorded(seen, want, stored=False)


# API keys: each key has its own "api_key" budget; and all the keys of one creator share a
# "user" budget apart from the creator's own (a cron job cannot lock its creator out, nor the
# other way round, and a hundred keys do not make a hundred times the creator's rate).


def test_each_api_key_has_a_budget_of_its_own(users, rates):
    rates(api_key="2/minute")
    first, second = with_key(key_of(users)), with_key(key_of(users))  # one creator's two keys

    statuses = [first.get(note_list_url()).status_code for _ in range(2)]
    over = first.get(note_list_url())
    other_key = second.get(note_list_url())

    assert statuses == [200, 200]
    assert over.status_code == 429
    wait = over["Retry-After"]
    assert over.json()["detail"] == f"Request was throttled. Expected available in {wait} seconds."
    assert other_key.status_code == 200


def test_a_creator_s_keys_share_one_user_budget_apart_from_the_creator_s_own(
    client_for, users, rates
):
    rates(user="2/minute")
    keys = [with_key(key_of(users)), with_key(key_of(users))]  # one creator's two keys
    creator = client_for(MANAGER)

    by_keys = [key.get(note_list_url()).status_code for key in keys * 2]
    by_creator = [creator.get(reverse("me")).status_code for _ in range(2)]

    assert by_keys == [200, 200, 429, 429]
    assert by_creator == [200, 200]
