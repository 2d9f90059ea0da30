"""No organization reaches another's data: OWASP API1, broken object level authorization.

Whoever is not a member gets 404 for the organization and everything under it, whatever the
method, exactly as for an organization that does not exist: nothing says whether it does.
An id that belongs to another organization is 404 under this one's path, whoever asks. A
role counts only in its own organization, and staff status counts in none.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import Note
from organizations.invitations import token_digest
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from tests.actors import ORGANIZATION, note_detail_url, note_list_url, url_kwargs
from tests.tenancy import OTHER_ORGANIZATION, client_of, join, member_url, org_url, role_in
from users.models import User

ROUTES_UNDER_AN_ORGANIZATION = [
    "organization-detail",
    "membership-list",
    "membership-detail",
    "invitation-list",
    "invitation-detail",
    "audit-event-list",
    "note-list",
    "note-detail",
]
# Every method, the ones a route does not answer included: the 404 comes before the 405.
METHODS = ["get", "head", "options", "post", "put", "patch", "delete"]
# A body that would change something on any of them, were it let through.
TAKEOVER = {"name": "Taken over", "title": "Taken over", "role": "owner", "email": "x@example.com"}


def globex_note(users: dict[str, User]) -> Note:
    return Note.objects.create(
        title="Globex plans",
        owner=users["outsider"],
        organization=Organization.objects.get(slug=OTHER_ORGANIZATION),
    )


def pending_invitation(organization: str, email: str = "invited@example.com") -> Invitation:
    return Invitation.objects.create(
        organization=Organization.objects.get(slug=organization),
        email=email,
        token_hash=token_digest(f"a token never sent to {email} of {organization}"),
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.mark.parametrize("actor", ["outsider", "staff", "superuser"])
def test_who_is_not_a_member_gets_the_404_of_an_organization_that_does_not_exist(
    subtests, client_for, users, note, actor
):
    """Every route under /api/orgs/acme/ and every method answers a non-member exactly what
    /api/orgs/no-such-organization/ answers, and changes nothing. The admin site is the
    staff's tool: in the API, staff and superusers are outsiders like anyone else."""
    if actor == "superuser":
        client = client_of(User.objects.create_superuser("root", "root@example.com"))
    else:
        client = client_for(actor)
    kwargs = url_kwargs(note)
    members_before = set(Membership.objects.values_list("pk", "role"))

    for route in ROUTES_UNDER_AN_ORGANIZATION:
        for method in METHODS:
            with subtests.test(route=route, method=method):
                send = getattr(client, method)
                acme = reverse(route, kwargs=kwargs[route])
                nowhere = reverse(route, kwargs={**kwargs[route], "slug": "no-such-organization"})

                answer = send(acme, TAKEOVER, format="json")
                for_nothing = send(nowhere, TAKEOVER, format="json")

                assert answer.status_code == 404
                assert answer.content == for_nothing.content

    note.refresh_from_db()
    assert note.title == "Owner's note"
    assert Organization.objects.get(slug=ORGANIZATION).name == "Acme"
    assert set(Membership.objects.values_list("pk", "role")) == members_before
    assert not Invitation.objects.exclude(revoked_at=None).exists()


def test_a_note_of_acme_is_404_under_globexs_path_even_for_globexs_owner(client_for, note):
    """Guessing ids: the note exists, the requester owns an organization, but not this
    note's. The path's organization decides, not the id."""
    client = client_for("outsider")
    url = note_detail_url(note.pk, organization=OTHER_ORGANIZATION)

    answers = [
        client.get(url),
        client.put(url, {"title": "Mine now", "body": ""}, format="json"),
        client.patch(url, {"title": "Mine now"}, format="json"),
        client.delete(url),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    note.refresh_from_db()
    assert note.title == "Owner's note"


def test_a_note_of_globex_is_404_under_acmes_path_even_for_its_author(client_for, users):
    """globex's owner joins acme as an owner too: their own globex note still cannot be
    reached, changed or deleted through acme, where every role they hold would allow it."""
    note = globex_note(users)
    join(users["outsider"], ORGANIZATION, Role.OWNER)
    client = client_for("outsider")
    url = note_detail_url(note.pk)

    answers = [
        client.get(url),
        client.put(url, {"title": "Moved", "body": ""}, format="json"),
        client.patch(url, {"title": "Moved"}, format="json"),
        client.delete(url),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    assert Note.objects.get(pk=note.pk).title == "Globex plans"


def test_a_member_of_another_organization_is_404_under_this_ones_path(client_for, users):
    """acme's owner, asking for globex's owner by user id under acme's path; and globex's
    owner, asking for acme's members under globex's: neither reaches the other's member."""
    acme_owner, globex_owner = client_for("org_owner"), client_for("outsider")
    guesses = [
        (acme_owner, member_url(users["outsider"])),
        (globex_owner, member_url(users["other"], OTHER_ORGANIZATION)),
        (globex_owner, member_url(users["org_owner"], OTHER_ORGANIZATION)),
    ]

    for client, url in guesses:
        answers = [
            client.get(url),
            client.patch(url, {"role": "viewer"}, format="json"),
            client.delete(url),
        ]
        assert [answer.status_code for answer in answers] == [404] * 3, url
    assert role_in(users["outsider"], OTHER_ORGANIZATION) == "owner"
    assert role_in(users["other"]) == "member"
    assert role_in(users["org_owner"]) == "owner"


def test_an_invitation_of_another_organization_cannot_be_revoked_under_this_ones_path(
    client_for,
):
    acme, globex = pending_invitation(ORGANIZATION), pending_invitation(OTHER_ORGANIZATION)

    under_globex = client_for("outsider").delete(
        org_url("invitation-detail", OTHER_ORGANIZATION, pk=acme.pk)
    )
    under_acme = client_for("org_owner").delete(org_url("invitation-detail", pk=globex.pk))

    assert [under_globex.status_code, under_acme.status_code] == [404, 404]
    assert Invitation.objects.filter(pk__in=[acme.pk, globex.pk], revoked_at=None).count() == 2


def test_a_role_in_one_organization_grants_nothing_in_another(client_for, users):
    """acme's owner is a viewer at globex: there, they are a viewer and nothing more."""
    join(users["org_owner"], OTHER_ORGANIZATION, Role.VIEWER)
    note = globex_note(users)
    client = client_for("org_owner")

    answers = {
        "rename": client.patch(
            org_url("organization-detail", OTHER_ORGANIZATION), {"name": "Acme's"}, format="json"
        ),
        "delete": client.delete(org_url("organization-detail", OTHER_ORGANIZATION)),
        "invite": client.post(
            org_url("invitation-list", OTHER_ORGANIZATION),
            {"email": "friend@example.com", "role": "viewer"},
            format="json",
        ),
        "promote self": client.patch(
            member_url(users["org_owner"], OTHER_ORGANIZATION), {"role": "owner"}, format="json"
        ),
        "remove globex's owner": client.delete(member_url(users["outsider"], OTHER_ORGANIZATION)),
        "write a note": client.post(
            note_list_url(OTHER_ORGANIZATION), {"title": "Hello"}, format="json"
        ),
        "moderate a note": client.delete(note_detail_url(note.pk, OTHER_ORGANIZATION)),
    }

    assert {what: answer.status_code for what, answer in answers.items()} == dict.fromkeys(
        answers, 403
    )
    assert role_in(users["org_owner"], OTHER_ORGANIZATION) == "viewer"
    assert Note.objects.filter(pk=note.pk).exists()


def test_lists_show_only_the_organization_in_the_url(client_for, users, note):
    """Someone in both organizations, listing each: every row is that organization's."""
    join(users["org_owner"], OTHER_ORGANIZATION, Role.OWNER)
    theirs = globex_note(users)
    pending_invitation(ORGANIZATION, "to-acme@example.com")
    pending_invitation(OTHER_ORGANIZATION, "to-globex@example.com")
    client = client_for("org_owner")

    def listed(route: str, organization: str, field: str) -> set[object]:
        response = client.get(org_url(route, organization))
        assert response.status_code == 200
        return {row[field] for row in response.json()["results"]}

    assert listed("note-list", ORGANIZATION, "id") == {note.pk}
    assert listed("note-list", OTHER_ORGANIZATION, "id") == {theirs.pk}
    assert listed("membership-list", ORGANIZATION, "username") == {
        "owner",
        "other",
        "viewer",
        "admin",
        "org_owner",
    }
    assert listed("membership-list", OTHER_ORGANIZATION, "username") == {"outsider", "org_owner"}
    assert listed("invitation-list", ORGANIZATION, "email") == {"to-acme@example.com"}
    assert listed("invitation-list", OTHER_ORGANIZATION, "email") == {"to-globex@example.com"}


def test_a_note_is_created_in_the_urls_organization_by_the_requester_whatever_the_body_says(
    client_for, users
):
    globex = Organization.objects.get(slug=OTHER_ORGANIZATION)
    body = {"title": "Where?", "organization": globex.pk, "owner": users["outsider"].pk}

    response = client_for("owner").post(note_list_url(), body, format="json")

    assert response.status_code == 201
    note = Note.objects.get(pk=response.json()["id"])
    assert (note.organization.slug, note.owner) == (ORGANIZATION, users["owner"])


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_note_cannot_move_to_another_organization_or_author(client_for, users, note, method):
    """The change itself goes through; the organization and the author in the body do not."""
    globex = Organization.objects.get(slug=OTHER_ORGANIZATION)
    body = {
        "title": "Moved?",
        "body": "",
        "organization": globex.pk,
        "owner": users["outsider"].pk,
    }

    response = getattr(client_for("owner"), method)(note_detail_url(note.pk), body, format="json")

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.title == "Moved?"
    assert (note.organization.slug, note.owner) == (ORGANIZATION, users["owner"])
    assert client_for("outsider").get(note_list_url(OTHER_ORGANIZATION)).json()["results"] == []
