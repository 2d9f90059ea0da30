"""The audit trail of logging in and out and of credentials ending: each event where it
happens, on every surface that can cause it, with all of its fields, as production's log
line says it and, for what changes something, as its AuditEvent row stores it.

Who may cause what: anyone may try to log in (login.succeeded, login.failed, and after
LOGIN_FAILURE_LIMIT failures login.locked_out); a logged-in user logs out (logout), logs out
everywhere (logout.all) or changes their password (password.changed); an administrator
deactivating an account or setting its password ends its credentials
(credentials.revoked). A failed login is logged, never stored: anyone can repeat it.

How each authentication option logs out: tests/auth.py. Refusals: test_audit_refusals.py.
"""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.audit_trail import assert_recorded, expected, user
from tests.auth import CREDENTIALS_ROUTE, logging_out
from tests.conftest import PASSWORD
from users.models import User

NEW_PASSWORD = "a-fresh-passphrase-for-owner"
LIMIT = 3  # LOGIN_FAILURE_LIMIT, for the lockout tests


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """These tests log in more often than "credentials" allows (if baked)."""
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def api_login(username: str, password: str):
    body = {"username": username, "password": password}
    return APIClient().post(reverse(CREDENTIALS_ROUTE), body, format="json")


def form_login(route: str):
    def log_in(username: str, password: str):
        return Client().post(reverse(route), {"username": username, "password": password})

    return log_in


# Every surface that checks a password to log in, and who logs in there.
LOGIN_SURFACES = {
    "the credential endpoint": (api_login, "owner"),
    "the browsable API's form": (form_login("rest_framework:login"), "owner"),
    "the admin's form": (form_login("admin:login"), "staff"),  # staff only
}
SURFACES = pytest.mark.parametrize("surface", LOGIN_SURFACES)


def username(digest: str) -> dict[str, str]:
    return {"type": "username", "id": digest}


@SURFACES
def test_a_login_is_recorded(trail, users, surface):
    log_in, name = LOGIN_SURFACES[surface]
    pk = users[name].pk

    seen = trail(lambda: log_in(name, PASSWORD))

    assert seen.response.status_code in (200, 302)  # the forms redirect
    assert seen.names == ["login.succeeded"]
    assert_recorded(
        seen, expected(seen.response, "login.succeeded", actor=pk, target=user(pk)), stored=True
    )


@SURFACES
def test_a_failed_login_is_logged_naming_the_username_by_a_digest(trail, users, surface):
    log_in, name = LOGIN_SURFACES[surface]

    seen = trail(lambda: log_in(name, "not-the-password"))

    assert seen.response.status_code in (200, 400, 401)  # the forms show themselves again
    assert seen.names == ["login.failed"]
    digest = seen.events[0]["target"]["id"]
    want = expected(
        seen.response,
        "login.failed",
        actor=None,
        target=username(digest),
        reason={"code": "invalid_credentials"},
    )
    assert_recorded(seen, want, stored=False)


def test_one_username_has_one_digest_on_every_surface(trail, users):
    def digest(log_in, name: str, password: str) -> str:
        seen = trail(lambda: log_in(name, password))
        return str(seen.only("login.failed")["target"]["id"])

    owner = {
        digest(log_in, "owner", f"guess-{i}")
        for i, (log_in, _) in enumerate(LOGIN_SURFACES.values())
    }
    other = digest(api_login, "other", "guess-0")
    nobody = digest(api_login, "no-such-user", "guess-0")

    assert len(owner) == 1
    assert len({*owner, other, nobody}) == 3


@SURFACES
def test_a_failed_login_logs_neither_what_was_typed_as_username_nor_the_password(
    trail, production_log, users, surface
):
    # People type passwords into username fields.
    log_in, _ = LOGIN_SURFACES[surface]
    typed_username, typed_password = PASSWORD, "hunter2-hunter2"

    seen = trail(lambda: log_in(typed_username, typed_password))

    assert seen.names == ["login.failed"]
    everything_logged = str(production_log())
    assert typed_username not in everything_logged
    assert typed_password not in everything_logged


@pytest.fixture
def lockout(settings):
    """A lockout after LIMIT failures in a row."""
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.mark.parametrize("surface", ["the credential endpoint", "the browsable API's form"])
def test_a_lockout_is_recorded_once_at_the_failure_that_starts_it(trail, users, lockout, surface):
    log_in, name = LOGIN_SURFACES[surface]

    failures = [trail(lambda i=i: log_in(name, f"guess-{i}")) for i in range(LIMIT)]
    refused = [trail(lambda i=i: log_in(name, f"again-{i}")) for i in range(2)]
    right_password = trail(lambda: log_in(name, PASSWORD))

    digest = failures[0].only("login.failed")["target"]["id"]
    assert [seen.names for seen in failures] == [["login.failed"]] * (LIMIT - 1) + [
        ["login.failed", "login.locked_out"]
    ]
    starts = failures[-1]
    assert starts.response.status_code == 429
    want = expected(
        starts.response,
        "login.locked_out",
        actor=None,
        target=username(digest),
        reason={"failures": LIMIT},
    )
    assert_recorded(starts, want, stored=True)
    for seen in [*refused, right_password]:
        assert seen.response.status_code == 429
        want = expected(
            seen.response,
            "login.failed",
            actor=None,
            target=username(digest),
            reason={"code": "locked_out"},
        )
        assert_recorded(seen, want, stored=False)
        assert seen.names == ["login.failed"]
        assert seen.rows == []


def browser(account: User) -> Client:
    """A browser logged in as ``account`` (the browsable API, the admin): a session."""
    client = Client()
    client.force_login(account)
    return client


def browser_logout(route: str):
    def logging_out_of_a_browser(account: User):
        client = browser(account)
        return lambda: client.post(reverse(route))

    return logging_out_of_a_browser


# Every way one credential ends: the option's own logout, and the browser's. (Staff logs
# out, since only staff uses the admin.)
LOGOUTS = {
    "the credential endpoint": logging_out,
    "the browsable API's logout": browser_logout("rest_framework:logout"),
    "the admin's logout": browser_logout("admin:logout"),
}


@pytest.mark.parametrize("way", LOGOUTS)
def test_a_logout_is_recorded(trail, users, way):
    staff = users["staff"]
    send = LOGOUTS[way](staff)

    seen = trail(send)

    assert seen.response.status_code in (200, 204)
    assert seen.names == ["logout"]
    want = expected(seen.response, "logout", actor=staff.pk, target=user(staff.pk))
    assert_recorded(seen, want, stored=True)


@pytest.mark.parametrize("client", ["an API client", "a browser"])
def test_logging_out_everywhere_is_one_event_not_a_logout_as_well(trail, users, client_for, client):
    other = users["other"]  # no API keys, whose revocations would be events too
    sender = client_for("other") if client == "an API client" else browser(other)

    seen = trail(lambda: sender.post(reverse("auth-logout-all"), content_type="application/json"))

    assert seen.response.status_code == 204
    assert seen.names == ["logout.all"]
    want = expected(seen.response, "logout.all", actor=other.pk, target=user(other.pk))
    assert_recorded(seen, want, stored=True)


def api_password_change(users):
    client = APIClient()
    client.force_login(users["other"])  # no API keys, whose revocations would be events too
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    return "other", lambda: client.post(reverse("auth-password"), body, format="json")


def admin_password_change(users):
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    client = browser(users["staff"])
    return "staff", lambda: client.post(reverse("admin:password_change"), form)


@pytest.mark.parametrize("form", [api_password_change, admin_password_change])
def test_changing_your_own_password_is_recorded(trail, users, form):
    name, send = form(users)
    pk = users[name].pk

    seen = trail(send)

    assert seen.response.status_code in (204, 302)
    assert seen.names == ["password.changed"]
    assert_recorded(
        seen, expected(seen.response, "password.changed", actor=pk, target=user(pk)), stored=True
    )


@pytest.fixture
def administrator(db) -> Client:
    """A superuser's browser, in the admin."""
    return browser(User.objects.create_superuser("root", password=PASSWORD))


def deactivate_in_the_admin(administrator: Client, account: User):
    form = {"username": account.username, "tier": account.tier}
    form |= {"date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    form |= {"initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00"}
    return administrator.post(reverse("admin:users_user_change", args=[account.pk]), form)


def set_password_in_the_admin(administrator: Client, account: User):
    form = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    return administrator.post(url, form)


@pytest.mark.parametrize(
    ("change", "code"),
    [(deactivate_in_the_admin, "deactivated"), (set_password_in_the_admin, "password_reset")],
)
def test_an_administrator_ending_someones_credentials_is_recorded(
    trail, users, administrator, change, code
):
    other = users["other"]  # no API keys, whose revocations would be events too
    root = User.objects.get(username="root")

    seen = trail(lambda: change(administrator, other))

    assert seen.response.status_code == 302, seen.response.content.decode()[:2000]
    assert seen.names == ["credentials.revoked"]
    want = expected(
        seen.response,
        "credentials.revoked",
        actor=root.pk,
        target=user(other.pk),
        reason={"code": code},
    )
    assert_recorded(seen, want, stored=True)


def deactivate(account: User) -> None:
    account.is_active = False
    account.save()


def set_password(account: User) -> None:
    account.set_password(NEW_PASSWORD)
    account.save()


# Outside a request (a shell, `manage.py changepassword`): nobody to name as the actor but
# the account itself, when it logs itself out everywhere.
OUTSIDE_A_REQUEST: dict[str, tuple[Callable[[User], object], str, dict]] = {
    "a deactivation": (deactivate, "credentials.revoked", {"reason": {"code": "deactivated"}}),
    "a password set": (set_password, "password.changed", {}),
    "logging out everywhere": (User.revoke_credentials, "logout.all", {}),
}


@pytest.mark.parametrize("change", OUTSIDE_A_REQUEST)
def test_a_change_outside_a_request_is_recorded_without_request_fields(trail, users, change):
    act, event, details = OUTSIDE_A_REQUEST[change]
    other = users["other"]  # no API keys, whose revocations would be events too

    seen = trail(lambda: act(other))

    assert seen.names == [event]
    want = {
        "event": event,
        "request_id": None,
        "actor": other.pk if event == "logout.all" else None,
        "ip": None,
        "method": None,
        "path": None,
        "status": None,
        "organization": None,
        "target": user(other.pk),
        **details,
    }
    assert_recorded(seen, want, stored=True)
