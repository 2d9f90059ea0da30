"""An organization's API keys: its admins and owners manage them, and each acts inside it only.

Who may do what at /api/orgs/<slug>/keys/: admins and owners list, create, read and revoke
the organization's keys, whoever made them; members and viewers get 403; anyone else 404,
as everywhere under /api/orgs/<slug>/.

A key belongs to one organization and acts there only, as its creator's membership there
allows now: in another organization, even one its creator belongs to, it is an outsider
(404); a demoted creator's key does what the new role may; the keys a member made end when
they leave or are removed. ``members:read`` lets a key read the members, never change them.

What every key does, with or without organizations: tests/test_api_keys.py.
"""

from collections.abc import Callable
from typing import Any

import pytest

from api_keys.models import APIKey
from organizations.models import Membership
from organizations.roles import Role
from tests.actors import api_key_detail_url, api_key_list_url, key_fields
from tests.audit_trail import assert_recorded, expected
from tests.keys import ALL_SCOPES, make_key
from tests.tenancy import OTHER_ORGANIZATION, join, member_url, org_url
from tests.test_api_keys import new_key_body, with_key
from users.models import User


def key_of(users, creator: str = "admin", scopes=ALL_SCOPES) -> str:
    """A new key of acme, made by ``creator`` (its text, shown once)."""
    return make_key(users[creator], scopes, **key_fields(users[creator]))


def pk_of(text: str) -> int:
    return APIKey.objects.get(prefix=text.partition(".")[0]).pk


# What acme's people and an outsider get from acme's keys routes; the key read and revoked
# is org_owner's, so admin's row is another admin revoking a key someone else made.
# fmt: off
MANAGING = {
    # actor         list  create  read  revoke
    "owner":       (403,  403,   403,  403),  # a member
    "viewer":      (403,  403,   403,  403),
    "admin":       (200,  201,   200,  204),
    "org_owner":   (200,  201,   200,  204),
    "outsider":    (404,  404,   404,  404),  # globex's owner
}
# fmt: on


@pytest.mark.parametrize("actor", MANAGING)
def test_only_admins_and_owners_manage_the_organization_s_keys(client_for, users, actor):
    pk = pk_of(key_of(users, "org_owner"))
    client = client_for(actor)

    statuses = (
        client.get(api_key_list_url()).status_code,
        client.post(api_key_list_url(), new_key_body(), format="json").status_code,
        client.get(api_key_detail_url(pk)).status_code,
        client.delete(api_key_detail_url(pk)).status_code,
    )

    assert statuses == MANAGING[actor]


def test_an_admin_sees_and_revokes_a_key_another_made(client_for, users, trail):
    text = key_of(users, "org_owner")
    pk = pk_of(text)
    admin = client_for("admin")

    listed = admin.get(api_key_list_url()).json()["results"]
    seen = trail(lambda: admin.delete(api_key_detail_url(pk)))

    assert pk in [key["id"] for key in listed]
    assert seen.response.status_code == 204
    want = expected(
        seen.response,
        "api_key.revoked",
        actor=users["admin"].pk,
        target={"type": "api_key", "id": str(pk)},
        organization="acme",
    )
    assert_recorded(seen, want, stored=True)
    assert with_key(text).get(org_url("note-list")).status_code == 401


def test_a_key_acts_only_inside_its_own_organization(client_for, users):
    join(users["admin"], OTHER_ORGANIZATION, Role.ADMIN)  # the creator belongs to both
    key = with_key(key_of(users))

    in_acme = key.get(org_url("note-list"))
    in_globex = key.get(org_url("note-list", OTHER_ORGANIZATION))
    creator_in_globex = client_for("admin").get(org_url("note-list", OTHER_ORGANIZATION))

    assert (in_acme.status_code, in_globex.status_code) == (200, 404)
    assert creator_in_globex.status_code == 200


def test_a_key_outliving_its_creator_s_role_can_do_only_what_the_new_role_may(client_for, users):
    key = with_key(key_of(users))
    before = key.post(org_url("note-list"), {"title": "As an admin"}, format="json")

    demoting = client_for("org_owner").patch(
        member_url(users["admin"]), {"role": "viewer"}, format="json"
    )
    write = key.post(org_url("note-list"), {"title": "As a viewer"}, format="json")
    read = key.get(org_url("note-list"))

    assert (before.status_code, demoting.status_code) == (201, 200)
    assert write.status_code == 403
    assert write.json()["detail"] == (
        "This needs the member role or higher in this organization; yours is viewer."
    )
    assert read.status_code == 200


# How a key's creator (acme's admin) stops being a member, and what the key gets then: however
# the membership ends (the API, the admin site, a shell), the keys they made here are revoked
# (401), so that being invited again does not bring them back; deleting the organization
# deletes its keys (401 too: no such key).
LEAVING: dict[str, tuple[Callable[[Any, User], object], int]] = {
    "removed by an owner": (
        lambda client_for, admin: client_for("org_owner").delete(member_url(admin)),
        401,
    ),
    "leaving": (lambda client_for, admin: client_for("admin").delete(member_url(admin)), 401),
    "deleted without the API": (
        lambda client_for, admin: Membership.objects.filter(user=admin).delete(),
        401,
    ),
    "the organization deleted": (
        lambda client_for, admin: client_for("org_owner").delete(org_url("organization-detail")),
        401,
    ),
}


@pytest.mark.parametrize("how", LEAVING)
def test_a_key_ends_with_its_creator_s_membership(client_for, users, how):
    leave, status = LEAVING[how]
    key = with_key(key_of(users))

    leave(client_for, users["admin"])
    response = key.get(org_url("note-list"))

    assert response.status_code == status


# Requests on acme's members and notes by keys of acme's admin, who could make each of them
# with their own credential: (method, what, the key's scopes, status, the 403's message).
CANNOT = "API keys cannot do this: use a person's credential."
SCOPED_REQUESTS = {
    "reading the members": ("get", "members", ["members:read"], 200, None),
    "reading a member": ("get", "other", ["members:read"], 200, None),
    "changing a member's role": ("patch", "other", ALL_SCOPES, 403, CANNOT),
    "removing a member": ("delete", "other", ALL_SCOPES, 403, CANNOT),
    "reading the members without members:read": (
        "get",
        "members",
        ["notes:write"],
        403,
        "This needs an API key with the members:read scope.",
    ),
    "reading the notes with members:read alone": (
        "get",
        "notes",
        ["members:read"],
        403,
        "This needs an API key with the notes:read scope.",
    ),
}


@pytest.mark.parametrize("request_", SCOPED_REQUESTS)
def test_members_read_lets_a_key_read_the_members_and_never_change_them(users, request_):
    method, what, scopes, status, message = SCOPED_REQUESTS[request_]
    url = {
        "members": org_url("membership-list"),
        "other": member_url(users["other"]),
        "notes": org_url("note-list"),
    }[what]
    body = {"role": "viewer"} if method == "patch" else None

    response = getattr(with_key(key_of(users, scopes=scopes)), method)(url, body, format="json")

    assert response.status_code == status
    assert response.json().get("detail") == message
