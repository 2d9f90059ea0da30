"""Which address a request is from: the one throttles and lockouts key on (api.security).

Without NUM_PROXIES, X-Forwarded-For is ignored. With it, the entry the nearest trusted
proxy appended counts, and only if it is an IP address: a malformed header never becomes
the client's address, and never reaches a column that stores addresses (a 500).
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from api.security import client_ip
from tests.auth import CREDENTIALS_ROUTE

CONNECTING = "192.0.2.10"


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def address(forwarded_for: str | None) -> str:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=CONNECTING, headers=headers))


def test_without_proxies_the_header_is_ignored():
    assert address("203.0.113.5") == CONNECTING


# fmt: off
BEHIND_ONE_PROXY = {
    # X-Forwarded-For                     the client's address
    "203.0.113.5":                        "203.0.113.5",
    "198.51.100.1, 203.0.113.5":          "203.0.113.5",    # the client's own entry is ignored
    " 2001:db8::1 ":                      "2001:db8::1",
    None:                                 CONNECTING,       # no header: a direct connection
    "":                                   CONNECTING,
    "not-an-address":                     CONNECTING,
    "203.0.113.5, bogus":                 CONNECTING,       # the proxy's entry is bad
    "1.2.3.999":                          CONNECTING,
    ", ,":                                CONNECTING,
    "fe80::1%eth0":                       CONNECTING,       # a zone: not storable
    "x" * 300:                            CONNECTING,
}
# fmt: on


@pytest.mark.parametrize(("forwarded_for", "expected"), BEHIND_ONE_PROXY.items())
def test_behind_one_proxy_only_its_well_formed_entry_counts(
    behind_one_proxy, forwarded_for, expected
):
    assert address(forwarded_for) == expected


def test_a_header_shorter_than_the_proxy_chain_was_not_written_by_it(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}

    assert address("203.0.113.5") == CONNECTING
    assert address("203.0.113.5, 198.51.100.7") == "203.0.113.5"


MALFORMED = [
    header for header, seen_as in BEHIND_ONE_PROXY.items() if header and seen_as == CONNECTING
]


@pytest.mark.parametrize("forwarded_for", MALFORMED)
def test_a_malformed_header_is_never_a_500_and_locks_out_the_connecting_address(
    users, behind_one_proxy, settings, monkeypatch, forwarded_for
):
    settings.AXES_FAILURE_LIMIT = 2
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)
    )
    client = APIClient(REMOTE_ADDR=CONNECTING, HTTP_X_FORWARDED_FOR=forwarded_for)

    def login(password: str) -> int:
        body = {"username": "owner", "password": password}
        return client.post(reverse(CREDENTIALS_ROUTE), body, format="json").status_code

    statuses = [login("guess-1"), login("guess-2")]
    api_root = client.get(reverse("api-root")).status_code

    assert all(status < 500 for status in statuses) and api_root == 200
    assert statuses[-1] == 429
    # The failures were counted against the connecting address, which is locked out now.
    direct = APIClient(REMOTE_ADDR=CONNECTING)
    body = {"username": "owner", "password": "guess-3"}
    assert direct.post(reverse(CREDENTIALS_ROUTE), body, format="json").status_code == 429
