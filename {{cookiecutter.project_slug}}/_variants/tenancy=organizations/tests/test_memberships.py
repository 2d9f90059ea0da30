"""Roles: nobody rises above their own, and an organization never loses its last owner.

Admins and owners change and remove members, never to a role above their own; only owners
touch owners. Nobody changes their own role, except an owner stepping down while another
owner remains. The last owner can neither leave, be removed nor be demoted: a 409 that
says why, and it holds when two owners demote or remove each other at the same moment.
A refusal names the role it needed.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from audit.models import AuditEvent
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.concurrency import backends_waiting_once, on_a_connection_of_its_own
from tests.tenancy import join, member_url, role_in
from users.models import User

LAST_OWNER = {
    "detail": "An organization needs an owner: make another member an owner first, "
    "or delete the organization.",
    "code": "last_owner",
}


def patch_role(client: APIClient, user: User, role: str):
    return client.patch(member_url(user), {"role": role}, format="json")


def test_an_admin_grants_roles_up_to_their_own(client_for, users):
    client = client_for("admin")

    assert patch_role(client, users["other"], "admin").status_code == 200
    assert patch_role(client, users["viewer"], "member").status_code == 200
    assert (role_in(users["other"]), role_in(users["viewer"])) == ("admin", "member")


def test_nobody_grants_a_role_above_their_own(client_for, users):
    response = patch_role(client_for("admin"), users["other"], "owner")

    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot grant a role above your own (admin)."
    assert role_in(users["other"]) == "member"


def test_a_member_cannot_change_roles_and_is_told_the_role_it_takes(client_for, users):
    response = patch_role(client_for("other"), users["viewer"], "member")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This needs the admin role or higher in this organization; yours is member."
    )
    assert role_in(users["viewer"]) == "viewer"


def test_a_member_cannot_remove_another_member(client_for, users):
    response = client_for("other").delete(member_url(users["viewer"]))

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only admins and owners may change or remove other members."
    )
    assert role_in(users["viewer"]) == "viewer"


def test_admins_cannot_change_or_remove_an_owner(client_for, users):
    client = client_for("admin")

    demoted = patch_role(client, users["org_owner"], "viewer")
    removed = client.delete(member_url(users["org_owner"]))

    for response in (demoted, removed):
        assert response.status_code == 403
        assert response.json()["detail"] == "Only owners may change or remove an owner."
    assert role_in(users["org_owner"]) == "owner"


@pytest.mark.parametrize("role", ["owner", "member"])
def test_nobody_changes_their_own_role_up_or_down(client_for, users, role):
    """Up would be escalation; down is refused as well, so that a role changes only by
    someone else's decision (an owner stepping down is the one exception, below)."""
    response = patch_role(client_for("admin"), users["admin"], role)

    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot change your own role; ask an admin or owner."
    assert role_in(users["admin"]) == "admin"


def test_a_member_may_leave(client_for, users):
    response = client_for("viewer").delete(member_url(users["viewer"]))

    assert response.status_code == 204
    assert role_in(users["viewer"]) is None


def test_an_owner_may_step_down_while_another_owner_remains(client_for, users):
    join(users["outsider"], "acme", Role.OWNER)

    response = patch_role(client_for("org_owner"), users["org_owner"], "admin")

    assert response.status_code == 200
    assert role_in(users["org_owner"]) == "admin"


def test_an_owner_demotes_and_removes_another_owner(client_for, users):
    join(users["outsider"], "acme", Role.OWNER)
    client = client_for("org_owner")

    assert patch_role(client, users["outsider"], "viewer").status_code == 200
    assert client.delete(member_url(users["outsider"])).status_code == 204
    assert role_in(users["outsider"]) is None


def test_the_last_owner_cannot_step_down(client_for, users):
    response = patch_role(client_for("org_owner"), users["org_owner"], "admin")

    assert response.status_code == 409
    assert response.json() == LAST_OWNER
    assert role_in(users["org_owner"]) == "owner"


def test_the_last_owner_cannot_leave(client_for, users):
    response = client_for("org_owner").delete(member_url(users["org_owner"]))

    assert response.status_code == 409
    assert response.json() == LAST_OWNER
    assert role_in(users["org_owner"]) == "owner"


def test_of_two_owners_one_may_leave_and_then_the_other_is_the_last(client_for, users):
    join(users["outsider"], "acme", Role.OWNER)

    left = client_for("outsider").delete(member_url(users["outsider"]))
    then = client_for("org_owner").delete(member_url(users["org_owner"]))

    assert (left.status_code, then.status_code) == (204, 409)
    assert role_in(users["org_owner"]) == "owner"


def test_an_unknown_role_is_a_400_that_lists_the_roles(client_for, users):
    response = patch_role(client_for("org_owner"), users["other"], "boss")

    assert response.status_code == 400
    assert response.json()["fields"] == {"role": ['"boss" is not a valid choice.']}


# Two owners at the same moment
# ------------------------------------------------------------------------------

RACE = "race"  # an organization committed for the threads to see, and deleted afterwards


def committed_organization(owners: list[User]) -> None:
    def create() -> None:
        organization = Organization.objects.create(name="Race", slug=RACE)
        for owner in owners:
            Membership.objects.create(user=owner, organization=organization, role=Role.OWNER)

    on_a_connection_of_its_own(create).join(timeout=10)


def delete_committed_organization() -> None:
    def delete() -> None:
        Organization.objects.filter(slug=RACE).delete()
        # The changes' audit events were committed too; no other test should meet them.
        AuditEvent.objects.filter(organization_slug=RACE).delete()

    on_a_connection_of_its_own(delete).join(timeout=10)


CHANGES = {
    "demote": lambda client, target: client.patch(
        member_url(target, RACE), {"role": "admin"}, format="json"
    ),
    "remove": lambda client, target: client.delete(member_url(target, RACE)),
}


@pytest.mark.parametrize("change", CHANGES)
def test_two_owners_demoting_or_removing_each_other_at_once_leave_one_owner(users, change):
    """Each owner, at the same moment, demotes (or removes) the other: each alone would be
    allowed, both together would leave no owner. A third connection holds the
    organization's memberships while both requests start, so both are sure to be inside
    their change at once, waiting for the rows they lock before they count the owners.
    Then one goes first, and the other finds itself no owner any more (403), or gone (404).
    Counting without the locks, both would see two owners and both would succeed."""
    first, second = users["owner"], users["other"]  # committed accounts: the threads see them
    holding, release = threading.Event(), threading.Event()
    statuses: list[int] = []

    def hold_the_memberships() -> None:
        with transaction.atomic():
            list(Membership.objects.select_for_update().filter(organization__slug=RACE))
            holding.set()
            release.wait(timeout=10)

    def request(requester: User, target: User) -> Callable[[], None]:
        def send() -> None:
            client = APIClient()
            client.force_authenticate(requester)  # a token made here, the thread would not see
            statuses.append(CHANGES[change](client, target).status_code)

        return send

    committed_organization([first, second])
    changers: list[threading.Thread] = []
    try:
        holder = on_a_connection_of_its_own(hold_the_memberships)
        try:
            assert holding.wait(timeout=10)
            changers += [
                on_a_connection_of_its_own(request(first, second)),
                on_a_connection_of_its_own(request(second, first)),
            ]
            waited = backends_waiting_once(2)
        finally:
            release.set()
            holder.join(timeout=10)
        for changer in changers:
            changer.join(timeout=10)
        remaining = list(
            Membership.objects.filter(organization__slug=RACE).values_list("role", flat=True)
        )
        recorded = list(
            AuditEvent.objects.filter(organization_slug=RACE).values_list("event", flat=True)
        )
    finally:
        delete_committed_organization()

    assert waited == 2  # both changes were waiting for the memberships at once
    assert sorted(statuses) == ([200, 403] if change == "demote" else [204, 404])
    assert remaining.count(Role.OWNER) == 1
    # Only the change that was made is in the audit trail.
    assert recorded == ["member.role_changed" if change == "demote" else "member.removed"]


def test_a_role_change_without_a_role_is_a_400(client_for, users):
    response = client_for("org_owner").patch(member_url(users["other"]), {}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"role": ["This field is required."]}
    assert role_in(users["other"]) == "member"
