"""What every authentication option's credential endpoints share: they take JSON only;
POST /api/auth/password/ changes a password after checking both the old and the new one;
and logging out everywhere, a password change or deactivating the account ends every
credential of the user, browser sessions included, for good.

How each option's own credentials (tokens, refresh tokens) end: tests/test_authentication.py.
"""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.auth import ANONYMOUS_STATUS, CREDENTIAL_ROWS, CREDENTIALS_ROUTE
from tests.conftest import PASSWORD
from users.models import User
from users.signals import credentials_revoked

NEW_PASSWORD = "a-fresh-passphrase-for-owner"
FORM = "application/x-www-form-urlencoded"
CREDENTIAL_POSTS = sorted(route for route, method in CREDENTIAL_ROWS if method == "POST")


def change_password(client: APIClient, old: str = PASSWORD, new: str = NEW_PASSWORD):
    body = {"old_password": old, "new_password": new}
    return client.post(reverse("auth-password"), body, format="json")


def owner() -> User:
    return User.objects.get(username="owner")


def browser_session() -> APIClient:
    """A browser logged in as the owner (the browsable API, the admin): a session cookie."""
    client = APIClient()
    client.force_login(owner())
    return client


def logged_in(client: APIClient) -> bool:
    return client.get(reverse("me")).status_code == 200


@pytest.fixture
def sent(db):
    """(username, reason) for each ``credentials_revoked`` sent, in order."""
    revocations = []

    def receive(sender, user, reason, **kwargs):
        revocations.append((user.username, reason))

    credentials_revoked.connect(receive)
    yield revocations
    credentials_revoked.disconnect(receive)


CHANGED = User.RevocationReason.PASSWORD_CHANGED
DEACTIVATED = User.RevocationReason.DEACTIVATED


@pytest.mark.parametrize("route", CREDENTIAL_POSTS)
def test_every_credential_endpoint_refuses_a_form(client_for, route):
    form = f"username=owner&password={PASSWORD}"
    response = client_for("owner").post(reverse(route), form, content_type=FORM)

    assert response.status_code == 415


@pytest.mark.parametrize("route", CREDENTIAL_POSTS)
def test_every_credential_endpoint_refuses_an_upload(client_for, route):
    upload = {"file": SimpleUploadedFile("big.bin", b"x" * 100_000)}
    response = client_for("owner").post(reverse(route), upload, format="multipart")

    assert response.status_code == 415


def test_a_username_longer_than_any_user_can_have_is_a_400(db):
    body = {"username": "u" * 100_000, "password": PASSWORD}
    response = APIClient().post(reverse(CREDENTIALS_ROUTE), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username"}


def test_the_password_changes_with_the_right_old_password(client_for):
    response = change_password(client_for("owner"))

    assert response.status_code == 204
    assert owner().check_password(NEW_PASSWORD)
    assert not owner().check_password(PASSWORD)


def test_the_session_that_changes_the_password_goes_on_and_the_others_end(users):
    # Browsers use sessions with every option (the browsable API).
    this, other = APIClient(), APIClient()
    for client in (this, other):
        client.force_login(owner())

    assert change_password(this).status_code == 204
    assert this.get(reverse("me")).status_code == 200
    assert other.get(reverse("me")).status_code == ANONYMOUS_STATUS


def test_a_wrong_old_password_is_a_400_and_changes_nothing(client_for):
    response = change_password(client_for("owner"), old="not-my-password")

    assert response.status_code == 400
    assert response.json()["fields"] == {"old_password": ["Wrong password."]}
    assert owner().check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short", "password123", "20260114987654", "owner_x"])
def test_a_new_password_the_validators_refuse_is_a_400(client_for, weak):
    response = change_password(client_for("owner"), new=weak)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"new_password"}
    assert owner().check_password(PASSWORD)


def test_anonymous_clients_cannot_change_a_password(users):
    assert change_password(APIClient()).status_code == ANONYMOUS_STATUS


def test_guessing_the_old_password_locks_out_like_a_login(client_for, settings, monkeypatch):
    # A stolen token or session must not be a way around the login lockout.
    settings.AXES_FAILURE_LIMIT = 3
    unlimited = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES)  # every scope: no limit
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)
    client = client_for("owner")

    guesses = [change_password(client, old=f"guess-{i}").status_code for i in range(3)]
    right_password = change_password(client)

    assert guesses == [400, 400, 429]
    assert right_password.status_code == 429
    assert owner().check_password(PASSWORD)


def test_saving_a_new_password_signals_the_change_once(users, sent):
    user = owner()
    user.set_password(NEW_PASSWORD)
    user.save()
    user.save()

    assert sent == [("owner", CHANGED)]


def test_an_unusable_password_is_a_change_too(users, sent):
    user = owner()
    user.set_unusable_password()
    user.save()

    assert sent == [("owner", CHANGED)]


def test_saving_only_the_password_changes_the_security_stamp_too(users, sent):
    user = owner()
    stamp = user.security_stamp
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])

    assert owner().security_stamp != stamp
    assert sent == [("owner", CHANGED)]


def test_a_copy_of_the_user_saved_after_a_revocation_brings_nothing_back(client_for):
    stale = owner()  # e.g. an admin form opened before the user logged out everywhere
    browser = browser_session()
    stale.first_name = "Olive"

    owner().revoke_credentials()
    stale.save()

    assert owner().first_name == "Olive"
    assert not logged_in(browser)


def test_deactivating_a_user_signals_once(users, sent):
    user = owner()
    user.is_active = False
    user.save()
    user.save()

    assert sent == [("owner", DEACTIVATED)]


def test_creating_a_user_or_saving_other_fields_is_not_a_change(users, sent):
    User.objects.create_user("newcomer", password=PASSWORD, is_active=False)
    user = owner()
    stamp = user.security_stamp
    user.first_name = "Olive"
    user.save()

    assert sent == []
    assert owner().security_stamp == stamp


def test_logging_out_everywhere_ends_every_credential_browser_sessions_included(client_for):
    api, browser, bystander = client_for("owner"), browser_session(), client_for("other")

    response = api.post(reverse("auth-logout-all"), format="json")

    assert response.status_code == 204
    assert not logged_in(api)
    assert not logged_in(browser)
    assert logged_in(bystander)


def test_a_browser_can_log_out_everywhere_too(client_for):
    browser, api = browser_session(), client_for("owner")

    assert browser.post(reverse("auth-logout-all")).status_code == 204
    assert not logged_in(api)
    assert "sessionid" not in browser.cookies or not browser.cookies["sessionid"].value


def test_a_password_change_ends_the_browser_sessions_of_the_api_client(client_for):
    browser = browser_session()

    assert change_password(client_for("owner")).status_code == 204
    assert not logged_in(browser)


def test_deactivating_a_user_ends_every_credential_for_good(client_for):
    api, browser = client_for("owner"), browser_session()
    user = owner()

    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    assert not logged_in(api)
    assert not logged_in(browser)


def test_an_administrator_deactivating_a_user_in_the_admin_ends_their_sessions(client_for):
    browser = browser_session()
    admin = APIClient()
    admin.force_login(User.objects.create_superuser("root", password=PASSWORD))
    form = {"username": "owner", "tier": "standard", "date_joined_0": "2026-01-01"}
    form |= {"date_joined_1": "00:00:00", "initial-date_joined_0": "2026-01-01"}
    form |= {"initial-date_joined_1": "00:00:00"}

    response = admin.post(reverse("admin:users_user_change", args=[owner().pk]), form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not owner().is_active
    assert not logged_in(browser)


def test_a_hash_upgrade_at_login_is_not_a_change(users, sent, settings):
    # Django re-hashes a password with the preferred hasher when it checks it.
    cheap_old_hash = PBKDF2PasswordHasher().encode(PASSWORD, "salt", iterations=1)
    User.objects.filter(username="owner").update(password=cheap_old_hash)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]

    assert owner().check_password(PASSWORD)
    assert owner().password.startswith("md5$")
    assert sent == []
