"""access.denied: every request a permission class or an authentication refuses (401 or
403) is logged with the reason the client got, and which class refused; never stored, so a
flood of refusals costs no write. A 404 is no refusal: nothing is logged.

Each cell of the access policy that answers 401 or 403 must leave exactly one access.denied
saying so (tests/test_access_policy.py checks it as it plays the cell). The table below
names the class that refuses in the cases every project has.
"""

import logging
from typing import Any

import pytest
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from api.note_access import NOTE_OBJECT_RULE
from api.utils.permission import IsAuthenticated, IsVIP
from tests.access_policy import POLICY
from tests.actors import ACTORS, ROUTE_BODIES, note_detail_url, url_kwargs
from tests.audit_trail import assert_recorded, expected
from tests.auth import ANONYMOUS_STATUS, send_an_unknown_credential
from tests.test_access_policy import BODIES

# The global policy's class (api_settings imports the dotted path settings name).
GLOBAL_POLICY: Any = api_settings.DEFAULT_PERMISSION_CLASSES[0]
NOT_LOGGED_IN = str(exceptions.NotAuthenticated.default_detail)


def status(route: str, method: str, actor: str) -> int:
    """What the access policy says ``actor`` gets."""
    return POLICY[route, method][ACTORS.index(actor)]


# (who, method, route): the class that refuses, and the message its refusal says. An
# anonymous request gets DRF's "not authenticated", whichever class refused it.
DENIALS: dict[tuple[str, str, str], tuple[type, str]] = {
    ("anonymous", "GET", "me"): (IsAuthenticated, NOT_LOGGED_IN),
    ("other", "GET", "vip"): (IsVIP, IsVIP.message),
    ("anonymous", "POST", "note-list"): (GLOBAL_POLICY, NOT_LOGGED_IN),
}
if status("note-list", "GET", "staff") == 403:  # a global policy that refuses users too
    DENIALS["staff", "GET", "note-list"] = (GLOBAL_POLICY, GLOBAL_POLICY.message)
if status("note-detail", "PATCH", "other") == 403:  # an object rule that answers 403, not 404
    DENIALS["other", "PATCH", "note-detail"] = (NOTE_OBJECT_RULE, NOTE_OBJECT_RULE.message)


def organization_of(route: str, actor: str, kwargs: dict) -> str | None:
    """The organization a refusal names: the one in the URL, once the requester is known to
    be a member of it (anonymous requests are refused before it is looked up)."""
    if actor == "anonymous":
        return None
    slug = kwargs.get(route, {}).get("slug")
    return str(slug) if slug is not None else None


def cell(client_for, kwargs: dict, actor: str, route: str, method: str):
    """The request of one cell of the access policy, as tests/test_access_policy.py plays it,
    ready to send: the actor is authenticated already (a login is an event of its own)."""
    client = client_for(actor)
    url = reverse(route, kwargs=kwargs.get(route))
    body = ROUTE_BODIES.get((route, method), BODIES.get(method))
    return lambda: getattr(client, method.lower())(url, body, format="json")


@pytest.mark.parametrize(("actor", "method", "route"), DENIALS)
def test_a_refusal_names_the_class_that_refused_and_its_message(
    trail, users, client_for, note, actor, method, route
):
    refused_by, message = DENIALS[actor, method, route]
    code = "not_authenticated" if actor == "anonymous" else "permission_denied"
    kwargs = url_kwargs(note)

    seen = trail(cell(client_for, kwargs, actor, route, method))

    assert seen.response.status_code == status(route, method, actor)
    assert seen.names == ["access.denied"]
    want = expected(
        seen.response,
        "access.denied",
        actor=users[actor].pk if users[actor] else None,
        target=None,
        organization=organization_of(route, actor, kwargs),
        reason={"code": code, "message": message, "permission": refused_by.__name__},
    )
    assert_recorded(seen, want, stored=False)


def test_a_credential_that_was_never_issued_is_refused(trail, db):
    client = APIClient()
    send_an_unknown_credential(client)  # how depends on the authentication (tests/auth.py)

    seen = trail(lambda: client.get(reverse("me")))

    answer = seen.response.json()
    assert seen.response.status_code == ANONYMOUS_STATUS
    reason = {"code": answer["code"], "message": answer["detail"]}
    if answer["code"] == "not_authenticated":  # no credential at all: the class refused
        reason["permission"] = "IsAuthenticated"
    want = expected(seen.response, "access.denied", actor=None, target=None, reason=reason)
    assert_recorded(seen, want, stored=False)


def test_a_browsers_write_without_its_csrf_token_is_refused_by_the_authentication(
    trail, users, note
):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users["owner"])

    seen = trail(lambda: browser.post(reverse("auth-logout-all")))

    assert seen.response.status_code == 403
    want = expected(
        seen.response,
        "access.denied",
        actor=None,  # the session is not trusted without its token
        target=None,
        reason={"code": "csrf_failed", "message": seen.response.json()["detail"]},
    )
    assert_recorded(seen, want, stored=False)


REFERER_SECRET = "invitation-token-in-a-referer"


@pytest.mark.parametrize("path", ["/api/auth/logout-all/", "/admin/login/"])
def test_a_csrf_failure_logs_no_query_string_of_the_referer(caplog, users, path):
    """Over HTTPS, a write from a page whose URL fails the CSRF check's Referer test: the API's
    refusal and Django's own warning both quote the URL, without its query string."""
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users["owner"])
    referer = f"https://elsewhere.example/accept?token={REFERER_SECRET}"

    response = browser.post(path, {}, secure=True, HTTP_REFERER=referer)

    assert response.status_code == 403
    console = next(handler for handler in logging.getLogger().handlers if handler.name == "console")
    written = [console.format(record) for record in caplog.records if console.filter(record)]
    assert any("https://elsewhere.example/accept" in line for line in written)
    assert not any(REFERER_SECRET in line for line in written)


def test_a_404_is_no_refusal(trail, client_for):
    client = client_for("owner")

    seen = trail(lambda: client.get(note_detail_url(999_999)))

    assert seen.response.status_code == 404
    assert seen.events == []
