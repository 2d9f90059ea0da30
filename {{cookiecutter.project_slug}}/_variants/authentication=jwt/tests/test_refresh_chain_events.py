"""The audit trail of refresh chains: a refresh token that comes back after it was used ends
its chain (one login's tokens) and says so, credentials.revoked with the reason
``token_reused`` and the chain, naming the chain's user; the client that presented it is
refused (access.denied). A refresh that works is no event: it is no login."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from api.authentication import CHAIN_CLAIM, RefreshToken
from api.credentials import ChainEnded
from tests.audit_trail import assert_recorded, expected, user


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """These tests refresh more often than "refresh" allows (if baked)."""
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def refresh(token: str):
    return APIClient().post(reverse("auth-token-refresh"), {"refresh": token}, format="json")


def logout(token: str):
    return APIClient().post(reverse("auth-logout"), {"refresh": token}, format="json")


def presented_again(token: str, monkeypatch):
    """The token, used already, presented again later."""
    refresh(token)
    return lambda: refresh(token)


def logging_out_with_it(token: str, monkeypatch):
    """The token, used already, sent to log out: the chain ends all the same."""
    refresh(token)
    return lambda: logout(token)


def presented_twice_at_once(token: str, monkeypatch):
    """Two refreshes of the token at the same moment, both past the check for a used token
    before either has used it: the one that comes second is the reuse."""
    monkeypatch.setattr(RefreshToken, "check_blacklist", lambda self: None)
    refresh(token)
    return lambda: refresh(token)


# How a used refresh token comes back, and the status its client gets.
REUSES = {
    "presented again later": (presented_again, 401),
    "sent to log out": (logging_out_with_it, 204),
    "presented twice at the same moment": (presented_twice_at_once, 401),
}


@pytest.mark.parametrize("reuse", REUSES)
def test_a_reused_refresh_token_ends_its_chain_and_says_whose(trail, users, monkeypatch, reuse):
    owner = users["owner"]
    login = RefreshToken.for_user(owner)
    comes_back, status = REUSES[reuse]
    send = comes_back(str(login), monkeypatch)

    seen = trail(send)

    assert seen.response.status_code == status
    want = expected(
        seen.response,
        "credentials.revoked",
        actor=None,  # whoever presented it, the client or a thief: nobody logged in
        target=user(owner.pk),
        reason={"code": "token_reused", "chain": login[CHAIN_CLAIM]},
    )
    assert_recorded(seen, want, stored=True)
    if status == 401:
        assert sorted(seen.names) == ["access.denied", "credentials.revoked"]
        reason = seen.only("access.denied")["reason"]
        assert reason == {"code": "token_reused", "message": str(ChainEnded.default_detail)}
    else:
        assert seen.names == ["credentials.revoked"]


def test_a_refresh_that_works_is_no_event(trail, users):
    token = str(RefreshToken.for_user(users["owner"]))

    seen = trail(lambda: refresh(token))

    assert seen.response.status_code == 200
    assert seen.events == []
    assert seen.rows == []
