"""API keys: what a machine client holds instead of a person's password.

Who may do what:

* Only a person, with their own credential (tests/auth.py), creates, lists and revokes keys:
  their own at /api/keys/ without organizations; an organization's, as its admin or owner,
  at /api/orgs/<slug>/keys/ with them (test_organization_api_keys.py). A request made with
  a key can do none of it, nor log out everywhere, change a password or read /api/me/.
* A key is sent as ``Authorization: Api-Key <key>`` and nowhere else. It acts as its
  creator within its scopes, until it expires or is revoked, and never does more than its
  creator could do now: a deactivated creator's keys stop, and logging out everywhere or
  changing the password revokes them.
* The key is shown once, in the answer that creates it; the service keeps its SHA-512
  digest and its public prefix. Whatever else is sent as a key is a 401 naming the Api-Key
  scheme, never a 500.

The tests act as the session's accounts and keys (tests/actors.py): MANAGER made its keys.
"""

import hashlib
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from api.utils.permission import HasAPIKeyScope
from api_keys.authentication import APIKeyAuthentication
from api_keys.models import APIKey
from api_keys.scopes import Scope
from tests import actors
from tests.actors import (
    ACCOUNTS,
    api_key_detail_url,
    api_key_list_url,
    key_fields,
    note_detail_url,
    note_list_url,
)
from tests.audit_trail import assert_recorded, expected, fields_of
from tests.auth import ANONYMOUS_STATUS
from tests.concurrency import backends_waiting_once, on_a_connection_of_its_own
from tests.conftest import PASSWORD
from tests.keys import ALL_SCOPES, authenticate_with_key, make_key
from users.models import User

# Who made the session's keys and manages keys here: the note's owner without
# organizations, acme's admin with them.
MANAGER = "admin" if "admin" in ACCOUNTS else "owner"
# The organization the manager's keys belong to, as audit events name it (None without).
ORGANIZATION = getattr(actors, "ORGANIZATION", None)
NEW_PASSWORD = "a-fresh-passphrase-for-the-keys"


def key_of(users, scopes=ALL_SCOPES, **options) -> str:
    """A new key of MANAGER, made in the database (its text, shown once)."""
    creator = users[MANAGER]
    return make_key(creator, scopes, **key_fields(creator), **options)


def with_key(text: str) -> APIClient:
    client = APIClient()
    authenticate_with_key(client, text)
    return client


def row_of(text: str) -> APIKey:
    return APIKey.objects.get(prefix=text.partition(".")[0])


def new_key_body(**fields) -> dict[str, object]:
    """A valid create body; ``fields`` replace its own (a timedelta: that far from now;
    None: left out)."""
    body = {"name": "CI deploys", "scopes": ["notes:read"], "expires_at": timedelta(days=30)}
    body.update(fields)
    now = timezone.now()
    return {
        name: (now + value).isoformat() if isinstance(value, timedelta) else value
        for name, value in body.items()
        if value is not None
    }


# Creating a key.


def test_a_new_key_is_shown_once_and_only_its_digest_and_prefix_are_stored(client_for):
    manager = client_for(MANAGER)

    created = manager.post(api_key_list_url(), new_key_body(), format="json")
    text = created.json()["key"]
    row = APIKey.objects.get(pk=created.json()["id"])
    listed = manager.get(api_key_list_url())
    detail = manager.get(api_key_detail_url(row.pk))
    used = with_key(text).get(note_list_url())

    assert created.status_code == 201
    prefix, _, secret = text.partition(".")
    assert row.prefix == created.json()["prefix"] == prefix
    assert row.hashed_key == hashlib.sha512(text.encode()).hexdigest()
    stored = " ".join(str(value) for value in model_to_dict(row).values())
    assert secret not in stored
    assert listed.status_code == detail.status_code == 200
    assert all("key" not in item for item in [*listed.json()["results"], detail.json()])
    for answer in (listed, detail):
        assert secret not in answer.content.decode()
        assert row.hashed_key not in answer.content.decode()
    assert used.status_code == 200  # at once


# Each create body refused with 400, and the field the answer names (a list's item by
# its index).
# members:read is a scope only where there are organizations (members to read).
UNKNOWN_SCOPES = sorted({"notes:delete", "NOTES:READ", "*", "members:read"} - set(Scope))
LIFETIME = timedelta(days=settings.API_KEY_MAX_LIFETIME_DAYS)
REFUSED_BODIES: dict[str, tuple[dict[str, object], str]] = {
    **{
        f"the unknown scope {scope!r}": ({"scopes": ["notes:read", scope]}, "scopes.1")
        for scope in UNKNOWN_SCOPES
    },
    "no scope": ({"scopes": []}, "scopes"),
    "no scopes field": ({"scopes": None}, "scopes"),
    "no expiry": ({"expires_at": None}, "expires_at"),
    "an expiry in the past": ({"expires_at": -timedelta(minutes=1)}, "expires_at"),
    "an expiry past the longest lifetime": (
        {"expires_at": LIFETIME + timedelta(minutes=1)},
        "expires_at",
    ),
    "no name": ({"name": None}, "name"),
}


@pytest.mark.parametrize("case", REFUSED_BODIES)
def test_a_create_body_that_is_not_valid_is_a_400_naming_the_field(client_for, case):
    fields, named = REFUSED_BODIES[case]
    keys = APIKey.objects.count()

    response = client_for(MANAGER).post(api_key_list_url(), new_key_body(**fields), format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [named]
    assert APIKey.objects.count() == keys


def test_a_key_can_last_as_long_as_the_longest_lifetime(client_for):
    body = new_key_body(expires_at=LIFETIME - timedelta(minutes=1))

    response = client_for(MANAGER).post(api_key_list_url(), body, format="json")

    assert response.status_code == 201


def test_creating_a_key_is_recorded_without_the_key(client_for, users, trail):
    body = new_key_body(name="Nightly export", scopes=["notes:write", "notes:read"])
    manager = client_for(MANAGER)

    seen = trail(lambda: manager.post(api_key_list_url(), body, format="json"))

    text = seen.response.json()["key"]
    row = row_of(text)
    want = expected(
        seen.response,
        "api_key.created",
        actor=users[MANAGER].pk,
        target={"type": "api_key", "id": str(row.pk)},
        organization=ORGANIZATION,
        changes={
            "name": [None, "Nightly export"],
            "scopes": [None, ["notes:read", "notes:write"]],
            "expires_at": [None, row.expires_at.isoformat()],
        },
    )
    assert seen.names == ["api_key.created"]
    assert_recorded(seen, want, stored=True)
    recorded = str([seen.events, [model_to_dict(event) for event in seen.rows]])
    assert text.partition(".")[2] not in recorded
    assert row.hashed_key not in recorded


def test_the_leak_watch_searches_the_logs_and_rows_for_every_key(leak_watch, client_for, users):
    manager = client_for(MANAGER)
    shown = manager.post(api_key_list_url(), new_key_body(), format="json").json()["key"]
    sent = key_of(users)

    with_key(sent).get(note_list_url())

    assert leak_watch.secrets[shown].kind == leak_watch.secrets[sent].kind == "API key"


# Only a person's credential.

# Where a key is refused even with every scope, whatever its creator may do there: the
# routes that name no scope (api_keys/authentication.py). Each URL takes the key's id.
PERSON_ONLY: dict[str, tuple[str, Callable[[int], str], dict[str, object] | None]] = {
    "listing keys": ("get", lambda pk: api_key_list_url(), None),
    "creating a key": ("post", lambda pk: api_key_list_url(), new_key_body()),
    "reading a key": ("get", api_key_detail_url, None),
    "revoking a key": ("delete", api_key_detail_url, None),
    "logging out everywhere": ("post", lambda pk: reverse("auth-logout-all"), {}),
    "changing the password": (
        "post",
        lambda pk: reverse("auth-password"),
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    "reading one's account": ("get", lambda pk: reverse("me"), None),
}


@pytest.mark.parametrize("request_", PERSON_ONLY)
def test_a_key_cannot_do_what_only_a_person_may(users, request_):
    method, url, body = PERSON_ONLY[request_]
    text = key_of(users)

    response = getattr(with_key(text), method)(url(row_of(text).pk), body, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "api_key_not_accepted"
    assert row_of(text).revoked_at is None


# A key sent anywhere but ``Authorization: Api-Key``: a query string and headers.
ELSEWHERE: dict[str, Callable[[str], tuple[str, dict[str, str]]]] = {
    "in the query string": lambda text: (f"?api_key={text}", {}),
    "as a bearer token": lambda text: ("", {"HTTP_AUTHORIZATION": f"Bearer {text}"}),
    "as a knox token": lambda text: ("", {"HTTP_AUTHORIZATION": f"Token {text}"}),
    "in an X-Api-Key header": lambda text: ("", {"HTTP_X_API_KEY": text}),
}


@pytest.mark.parametrize("place", ELSEWHERE)
def test_a_key_sent_anywhere_else_is_no_credential(users, place):
    text = key_of(users)
    query, headers = ELSEWHERE[place](text)
    client = APIClient()
    client.credentials(**headers)
    body = {"title": "From a script"}

    elsewhere = client.post(note_list_url() + query, body, format="json")
    right = with_key(text).post(note_list_url(), body, format="json")

    assert elsewhere.status_code == ANONYMOUS_STATUS  # as if nothing had been sent
    assert right.status_code == 201


# Refused keys: 401 naming the scheme.


def test_a_revoked_key_is_refused_from_the_next_request_on(client_for, users, trail):
    text = key_of(users)
    pk = row_of(text).pk
    manager = client_for(MANAGER)

    before = with_key(text).get(note_list_url())
    revoking = trail(lambda: manager.delete(api_key_detail_url(pk)))
    after = with_key(text).get(note_list_url())
    again = trail(lambda: manager.delete(api_key_detail_url(pk)))

    assert before.status_code == 200
    assert revoking.response.status_code == 204
    assert after.status_code == 401
    assert after["WWW-Authenticate"] == "Api-Key"
    want = expected(
        revoking.response,
        "api_key.revoked",
        actor=users[MANAGER].pk,
        target={"type": "api_key", "id": str(pk)},
        organization=ORGANIZATION,
    )
    assert_recorded(revoking, want, stored=True)
    assert again.response.status_code == 204  # revoked already: nothing changes
    assert again.names == []


# What is sent after "Api-Key ", made from a valid key's text; and the status. A NUL in
# any header is refused by api.security.RequestLimitsMiddleware before any authentication.
MALFORMED: dict[str, tuple[Callable[[str], str], int]] = {
    "nothing": (lambda text: "", 401),
    "the key twice": (lambda text: f"{text} {text}", 401),
    "the prefix alone": (lambda text: text.partition(".")[0], 401),
    "a wrong secret after a right prefix": (lambda text: text[:9] + "0" * 32, 401),
    "a secret one character short": (lambda text: text[:-1], 401),
    "a secret one character long": (lambda text: text + "0", 401),
    "an unknown prefix": (lambda text: "00000000" + text[8:], 401),
    "the stored digest": (lambda text: hashlib.sha512(text.encode()).hexdigest(), 401),
    # WSGI hands a header's bytes over as Latin-1: "é" in UTF-8 is "Ã©".
    "non-ASCII bytes": (lambda text: text[:9] + "é".encode().decode("latin-1") * 16, 401),
    "a NUL byte": (lambda text: text[:-1] + "\x00", 400),
}


@pytest.mark.parametrize("sent", MALFORMED)
def test_a_key_that_is_not_one_is_refused_and_never_a_500(users, sent):
    make, status = MALFORMED[sent]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {make(key_of(users))}")

    response = client.get(note_list_url())

    assert response.status_code == status
    assert response.get("WWW-Authenticate") == ("Api-Key" if status == 401 else None)


@pytest.mark.parametrize("sent", MALFORMED)
def test_the_authentication_refuses_every_key_that_is_not_one(users, sent):
    # NUL included, should a deployment leave the middleware out.
    make, _ = MALFORMED[sent]
    header = f"Api-Key {make(key_of(users))}"

    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=header))

    with pytest.raises(AuthenticationFailed):
        APIKeyAuthentication().authenticate(request)


@pytest.mark.parametrize("actor", ["revoked_key", "expired_key"])
def test_a_revoked_or_expired_key_is_a_401_naming_the_scheme(client_for, actor):
    response = client_for(actor).get(note_list_url())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


# No more than its creator, now.


def deactivate(user: User) -> None:
    user.is_active = False
    user.save()


# How a creator's account is deactivated.
CREATOR_DEACTIVATED: dict[str, Callable[[User], object]] = {
    "deactivated": deactivate,
    # A bulk update or SQL sends no signal, so nothing revokes the keys: each request checks.
    "deactivated without User.save()": lambda user: User.objects.filter(pk=user.pk).update(
        is_active=False
    ),
}


@pytest.mark.parametrize("how", CREATOR_DEACTIVATED)
def test_a_deactivated_creator_s_keys_stop_working(users, how):
    text = key_of(users)

    CREATOR_DEACTIVATED[how](users[MANAGER])
    response = with_key(text).get(note_list_url())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


# A person's request that ends every credential of theirs, keys included: (route, body,
# the reason its events give).
REVOKING = {
    "logging out everywhere": ("auth-logout-all", {}, "logout_all"),
    "changing the password": (
        "auth-password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        "password_changed",
    ),
}


@pytest.mark.parametrize("how", REVOKING)
def test_ending_a_person_s_credentials_revokes_their_keys(client_for, users, trail, how):
    route, body, reason = REVOKING[how]
    creator = users[MANAGER]
    texts = [key_of(users), key_of(users, ["notes:read"])]
    unrevoked = APIKey.objects.filter(created_by=creator, revoked_at=None)
    revoking = sorted(str(pk) for pk in unrevoked.values_list("pk", flat=True))
    person = client_for(MANAGER)

    seen = trail(lambda: person.post(reverse(route), body, format="json"))

    assert seen.response.status_code == 204
    assert not unrevoked.exists()
    assert [with_key(text).get(note_list_url()).status_code for text in texts] == [401, 401]
    events = [fields_of(event) for event in seen.events if event["event"] == "api_key.revoked"]
    want = expected(
        seen.response,
        "api_key.revoked",
        actor=creator.pk,
        target=None,
        organization=ORGANIZATION,
        reason={"code": reason},
    )
    # One event per key, each the same but for the key it names.
    assert sorted(event["target"]["id"] for event in events) == revoking
    assert [{**event, "at": None, "target": None} for event in events] == [
        {**want, "at": None}
    ] * len(revoking)
    stored = [row.target_id for row in seen.rows if row.event == "api_key.revoked"]
    assert sorted(stored) == revoking


# Requests a notes:read key may not make, though its creator may: each needs notes:write.
NEEDS_NOTES_WRITE = {
    "writing a note": ("post", lambda note: note_list_url()),
    "deleting a note": ("delete", lambda note: note_detail_url(note.pk)),
}


@pytest.mark.parametrize("request_", NEEDS_NOTES_WRITE)
def test_a_scope_the_key_lacks_is_a_403_naming_it(users, note, request_):
    method, url = NEEDS_NOTES_WRITE[request_]
    body = {"title": "From a script"}

    lacking = getattr(with_key(key_of(users, ["notes:read"])), method)(url(note), body, "json")
    holding = getattr(with_key(key_of(users, ["notes:write"])), method)(url(note), body, "json")

    assert lacking.status_code == 403
    assert lacking.json()["detail"] == "This needs an API key with the notes:write scope."
    assert holding.status_code in (201, 204)


# last_used_at.


def test_last_used_at_is_written_on_first_use_then_at_most_once_a_minute(users):
    text = key_of(users)
    row = APIKey.objects.filter(pk=row_of(text).pk)
    client = with_key(text)

    never = row.get().last_used_at
    client.get(note_list_url())
    first = row.get().last_used_at
    client.get(note_list_url())
    within_the_minute = row.get().last_used_at
    row.update(last_used_at=timezone.now() - timedelta(seconds=61))
    client.get(note_list_url())
    a_minute_later = row.get().last_used_at

    assert never is None
    assert first is not None
    assert within_the_minute == first
    assert a_minute_later is not None and a_minute_later > first


def test_concurrent_first_uses_write_last_used_at_once(users):
    """Two requests with a key never used. A third connection holds the key's row while
    they start, so both have read it unused and wait to write; the first writes, and the
    second, finding it written meanwhile, does not: last_used_at keeps the first's time."""
    creator = users[MANAGER]
    texts: list[str] = []

    def make() -> None:  # committed: the other connections see it
        texts.append(make_key(creator, **key_fields(creator)))

    on_a_connection_of_its_own(make).join(timeout=10)
    row = APIKey.objects.filter(prefix=texts[0].partition(".")[0])
    holding, release = threading.Event(), threading.Event()

    def hold_the_key() -> None:
        with transaction.atomic():
            row.select_for_update().get()
            holding.set()
            release.wait(timeout=10)

    def use() -> None:
        with_key(texts[0]).get(note_list_url())

    threads = [on_a_connection_of_its_own(hold_the_key)]
    try:
        assert holding.wait(timeout=10)
        threads.append(on_a_connection_of_its_own(use))
        first_waits = backends_waiting_once(1)
        between = timezone.now()  # after the first request's time, before the second's
        threads.append(on_a_connection_of_its_own(use))
        both_wait = backends_waiting_once(2)
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=10)
        written = row.get().last_used_at
        on_a_connection_of_its_own(row.delete).join(timeout=10)

    assert (first_waits, both_wait) == (1, 2)
    assert written is not None and written < between


# The quota.


@override_settings(API_KEYS_ACTIVE_LIMIT=2)
def test_the_active_keys_quota_leaves_revoked_and_expired_keys_out(client_for, users):
    APIKey.objects.update(revoked_at=timezone.now())  # the session's keys: revoked, uncounted
    key_of(users, expires_in=-timedelta(seconds=1))
    manager = client_for(MANAGER)

    created = [manager.post(api_key_list_url(), new_key_body(), format="json") for _ in range(3)]
    manager.delete(api_key_detail_url(created[0].json()["id"]))
    after_revoking = manager.post(api_key_list_url(), new_key_body(), format="json")

    assert [response.status_code for response in created] == [201, 201, 403]
    assert created[2].json()["code"] == "quota_exceeded"
    assert after_revoking.status_code == 201


def test_staff_revoke_keys_in_the_admin(users, trail):
    """The admin site lists keys (never a key) and revokes them, one event each."""
    browser = Client()
    browser.force_login(User.objects.create_superuser("keeper", password=PASSWORD))
    text = key_of(users)
    row = row_of(text)
    form = {"action": "revoke_selected", "_selected_action": [row.pk]}

    listed = browser.get(reverse("admin:api_keys_apikey_changelist"))
    shown = browser.get(reverse("admin:api_keys_apikey_change", args=[row.pk]))
    seen = trail(lambda: browser.post(reverse("admin:api_keys_apikey_changelist"), form))

    assert listed.status_code == shown.status_code == 200
    assert row.prefix in listed.content.decode()
    for page in (listed, shown):  # neither the key nor its digest
        assert text.partition(".")[2] not in page.content.decode()
        assert row.hashed_key not in page.content.decode()
    assert seen.response.status_code == 302
    assert seen.names == ["api_key.revoked"]
    assert with_key(text).get(note_list_url()).status_code == 401


def test_a_scope_the_code_no_longer_knows_grants_nothing(users):
    """A key made before a scope was renamed or dropped: 403, never a 500."""
    key = with_key(key_of(users, scopes=["notes:archive"]))

    response = key.get(note_list_url())

    assert response.status_code == 403
    assert response.json()["detail"] == "This needs an API key with the notes:read scope."


class ChoosesItsOwnClasses(APIView):
    """Lists HasAPIKeyScope, but get_permissions() could leave it out for some request."""

    permission_classes = [HasAPIKeyScope]
    api_key_scopes = {"GET": Scope.NOTES_READ}

    def get_permissions(self):
        return []

    def get(self, request):
        return Response({"detail": "in"})


def test_a_view_that_chooses_its_permission_classes_refuses_keys(users):
    header = f"Api-Key {key_of(users)}"
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)

    response = ChoosesItsOwnClasses.as_view()(request)

    assert response.status_code == 403
    assert response.data["code"] == "api_key_not_accepted"
