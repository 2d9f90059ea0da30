"""Brute force: after LOGIN_FAILURE_LIMIT failures in a row, a username is locked out for
its client address on every surface that checks a password, right password or not
(django-axes): the logins, and the password changes of the API and the admin. What a refused
attempt makes the service store is bounded, and once locked out, nothing at all.

Throttling or not, this holds: it is authentication hygiene, not rate limiting.
"""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from api.errors import lockout_response
from audit.events import username_digest
from tests.auth import CREDENTIALS_ROUTE
from tests.conftest import PASSWORD

LIMIT = 3
LOCKED_OUT = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def _small_limit_and_no_throttles(settings, monkeypatch):
    """A lockout after LIMIT failures; rate limits (if baked) out of the way."""
    settings.AXES_FAILURE_LIMIT = LIMIT
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def api_login(username: str, password: str, address: str = "127.0.0.1", **headers):
    client = APIClient(REMOTE_ADDR=address)
    body = {"username": username, "password": password}
    return client.post(reverse(CREDENTIALS_ROUTE), body, format="json", **headers)


def form_login(route: str, username: str, password: str, address: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse(route), {"username": username, "password": password})


def test_the_credential_endpoint_locks_a_username_after_the_limit(users):
    statuses = [api_login("owner", f"guess-{i}").status_code for i in range(LIMIT)]
    right_password = api_login("owner", PASSWORD)

    assert 429 not in statuses[:-1]
    assert statuses[-1] == 429
    assert right_password.status_code == 429
    assert LOCKED_OUT in right_password.json()["detail"]
    assert right_password.json()["code"] == "locked_out"
    assert int(right_password["Retry-After"]) > 0


def test_other_users_and_other_addresses_are_unaffected(users):
    for i in range(LIMIT):
        api_login("owner", f"guess-{i}")

    assert api_login("other", PASSWORD).status_code == 200
    assert api_login("owner", PASSWORD, address="192.0.2.7").status_code == 200
    assert api_login("owner", PASSWORD).status_code == 429


def test_a_forged_x_forwarded_for_does_not_reset_the_count(users):
    for i in range(LIMIT):
        api_login("owner", f"guess-{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    response = api_login("owner", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429


def test_failures_count_in_a_row_a_success_starts_again(users):
    for i in range(LIMIT - 1):
        api_login("owner", f"guess-{i}")
    assert api_login("owner", PASSWORD).status_code == 200

    statuses = [api_login("owner", f"again-{i}").status_code for i in range(LIMIT - 1)]

    assert 429 not in statuses
    assert api_login("owner", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("route", "username"), [("rest_framework:login", "owner"), ("admin:login", "staff")]
)
def test_the_login_forms_lock_out_too_and_say_why(users, route, username):
    for i in range(LIMIT):
        form_login(route, username, f"guess-{i}")

    response = form_login(route, username, PASSWORD)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_failures_on_one_surface_lock_the_others(users):
    for i in range(LIMIT):
        form_login("rest_framework:login", "owner", f"guess-{i}")

    assert api_login("owner", PASSWORD).status_code == 429


def test_a_login_page_without_a_form_to_show_it_on_says_why_in_plain_text(rf):
    # Every login surface of the project has a form; another one (say, single sign-on) may not.
    response = lockout_response(rf.post("/sso/login/"), HttpResponse("Wrong password."), None)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert LOCKED_OUT in response.content.decode()
    assert int(response["Retry-After"]) > 0


def admin_password_change(client: Client, old_password: str):
    new = "a-fresh-passphrase-for-staff"
    form = {"old_password": old_password, "new_password1": new, "new_password2": new}
    return client.post(reverse("admin:password_change"), form)


def test_the_admins_password_change_form_locks_out_like_a_login(users):
    # A stolen admin session must not be a way to guess the password behind it.
    client = Client()
    client.force_login(users["staff"])

    statuses = [admin_password_change(client, f"guess-{i}").status_code for i in range(LIMIT)]
    right_password = admin_password_change(client, PASSWORD)

    assert statuses[:-1] == [200] * (LIMIT - 1)  # the form again, "incorrect"
    assert statuses[-1] == 429
    assert right_password.status_code == 429
    assert LOCKED_OUT in right_password.content.decode()
    users["staff"].refresh_from_db()
    assert users["staff"].check_password(PASSWORD)


def test_the_admins_password_change_form_still_changes_a_password(users):
    client = Client()
    client.force_login(users["staff"])

    response = admin_password_change(client, PASSWORD)

    assert response.status_code == 302
    users["staff"].refresh_from_db()
    assert users["staff"].check_password("a-fresh-passphrase-for-staff")
    assert client.get(reverse("admin:index")).status_code == 200  # this session goes on


def test_what_a_refused_login_stores_stays_bounded(users):
    big = "x" * 1000
    for i in range(LIMIT - 1):
        client = APIClient(REMOTE_ADDR="127.0.0.1")
        body = {"username": "owner", "password": f"guess-{i}-{big}"}
        client.post(f"{reverse(CREDENTIALS_ROUTE)}?padding={big}", body, format="json")
    form_login("rest_framework:login", "owner", f"guess-{big}")

    attempt = AccessAttempt.objects.get(username=username_digest("owner"))

    assert attempt.failures_since_start == LIMIT
    assert attempt.get_data == attempt.post_data == ""


def test_a_locked_out_client_costs_no_write(users):
    for i in range(LIMIT):
        api_login("owner", f"guess-{i}")
    before = AccessAttempt.objects.values().get(username=username_digest("owner"))

    with CaptureQueriesContext(connection) as queries:
        statuses = {api_login("owner", f"again-{i}").status_code for i in range(5)}

    assert statuses == {429}
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
    assert writes == []
    assert AccessAttempt.objects.values().get(username=username_digest("owner")) == before


def test_a_password_typed_as_a_username_is_not_stored(db):
    """django-axes counts failures per username, and keeps what it counted by: the username's
    digest (audit.events.username_digest, as the audit trail names it), not what was typed."""
    typed = "Tr0ub4dor&3-typed-in-the-wrong-field"
    api_login(typed, "whatever")

    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == username_digest(typed)
    assert typed not in str(list(AccessAttempt.objects.values()))
