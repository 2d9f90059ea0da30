"""Organizations: anyone logged in creates one and owns it; each lists with the caller's role.

The slug is the organization's handle in every URL: derived from the name when left out,
unique, and fixed once created. A user owns at most ORGANIZATIONS_PER_USER organizations.
Deleting one deletes everything in it.
"""

from datetime import timedelta
from typing import cast

from django.forms import inlineformset_factory
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from api.models import Note
from organizations.admin import KeepsAnOwner
from organizations.invitations import token_digest
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from tests.tenancy import OTHER_ORGANIZATION, org_url, role_in


def create(client, body: dict[str, str]):
    return client.post(reverse("organization-list"), body, format="json")


def test_the_creator_becomes_its_owner(client_for, users):
    response = create(client_for("vip"), {"name": "Initech", "slug": "initech"})

    assert response.status_code == 201
    assert response.json()["slug"] == "initech"
    assert response.json()["role"] == "owner"
    assert role_in(users["vip"], "initech") == "owner"
    assert Membership.objects.filter(organization__slug="initech").count() == 1


def test_without_a_slug_the_name_gives_one(client_for):
    response = create(client_for("vip"), {"name": "Initech Labs, Inc."})

    assert response.status_code == 201
    assert response.json()["slug"] == "initech-labs-inc"


def test_a_name_whose_slug_is_taken_gets_the_slug_with_a_suffix(client_for):
    """Naming an organization like another is no error: the name stays, the slug varies."""
    response = create(client_for("vip"), {"name": "Acme"})

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Acme"
    assert body["slug"].startswith("acme-")
    assert Organization.objects.get(slug="acme").name == "Acme"  # the first one, untouched


def test_a_taken_slug_given_explicitly_is_a_400(client_for):
    response = create(client_for("vip"), {"name": "Not Acme", "slug": "acme"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["slug"]
    assert not Organization.objects.filter(name="Not Acme").exists()


def test_a_name_with_nothing_to_make_a_slug_of_needs_one(client_for):
    response = create(client_for("vip"), {"name": "!!!"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "slug": ["The name has no letters or digits to make a slug of; give one."]
    }


@override_settings(ORGANIZATIONS_PER_USER=1)
def test_owning_the_quota_of_organizations_refuses_another_with_403(client_for):
    response = create(client_for("org_owner"), {"name": "Second"})  # owns acme

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You own the limit of 1 organizations. Delete one or hand it over first.",
        "code": "quota_exceeded",
    }
    assert not Organization.objects.filter(name="Second").exists()


@override_settings(ORGANIZATIONS_PER_USER=1)
def test_the_quota_counts_organizations_owned_not_joined(client_for):
    """acme's admin owns none: being a member elsewhere takes nothing from the quota."""
    assert create(client_for("admin"), {"name": "Mine"}).status_code == 201


def test_the_slug_does_not_change_once_created(client_for):
    response = client_for("admin").patch(
        org_url("organization-detail"), {"name": "Acme Corporation", "slug": "evil"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["slug"] == "acme"
    assert Organization.objects.get(slug="acme").name == "Acme Corporation"
    assert not Organization.objects.filter(slug="evil").exists()


def test_deleting_an_organization_deletes_its_notes_memberships_and_invitations(
    client_for, users, note
):
    acme = Organization.objects.get(slug="acme")
    Invitation.objects.create(
        organization=acme,
        email="invited@example.com",
        token_hash=token_digest("never sent"),
        expires_at=timezone.now() + timedelta(days=1),
    )
    globex_note = Note.objects.create(
        title="Globex's",
        owner=users["outsider"],
        organization=Organization.objects.get(slug=OTHER_ORGANIZATION),
    )

    response = client_for("org_owner").delete(org_url("organization-detail"))

    assert response.status_code == 204
    assert not Organization.objects.filter(pk=acme.pk).exists()
    assert not Note.objects.filter(organization=acme.pk).exists()
    assert not Membership.objects.filter(organization=acme.pk).exists()
    assert not Invitation.objects.filter(organization=acme.pk).exists()
    assert Note.objects.filter(pk=globex_note.pk).exists()  # another organization's stay
    assert role_in(users["outsider"], OTHER_ORGANIZATION) == "owner"


def test_my_organizations_list_each_with_my_role(client_for):
    """acme's admin sees acme, as admin; globex's owner sees globex; staff, who belongs
    nowhere, sees nothing."""

    def listed(actor: str) -> list[tuple[str, str]]:
        response = client_for(actor).get(reverse("organization-list"))
        assert response.status_code == 200
        return [(row["slug"], row["role"]) for row in response.json()["results"]]

    assert listed("admin") == [("acme", "admin")]
    assert listed("outsider") == [(OTHER_ORGANIZATION, "owner")]
    assert listed("staff") == []


def test_an_organization_shows_my_role_in_it(client_for):
    response = client_for("viewer").get(org_url("organization-detail"))

    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_me_lists_my_memberships_and_roles(client_for):
    client = client_for("outsider")
    create(client, {"name": "Initech", "slug": "initech"})

    response = client.get(reverse("me"))

    assert response.status_code == 200
    assert sorted(
        (membership["organization"], membership["role"])
        for membership in response.json()["memberships"]
    ) == [(OTHER_ORGANIZATION, "owner"), ("initech", "owner")]
    assert client_for("staff").get(reverse("me")).json()["memberships"] == []


def test_a_slug_is_lowercase_so_no_organization_poses_as_another(client_for):
    response = client_for("outsider").post(
        reverse("organization-list"), {"name": "ACME", "slug": "ACME"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"slug": ["An organization with this slug already exists."]}


def test_a_name_is_one_line_of_printable_characters(client_for):
    """It goes into invitation emails: no line breaks, no direction overrides."""
    for name in ["Acme\nBcc: x@example.net", "Acme\u2028Evil", "Acme\u202eliveE", "x\x85y"]:
        response = client_for("outsider").post(
            reverse("organization-list"), {"name": name}, format="json"
        )

        assert response.status_code == 400, name
        assert "name" in response.json()["fields"]


def admin_members_form(demote_owners: bool) -> KeepsAnOwner:
    """The admin's members of acme as submitted, every owner made a member if asked."""
    acme = Organization.objects.get(slug="acme")
    members = inlineformset_factory(
        Organization, Membership, formset=KeepsAnOwner, fields=["user", "role"], extra=0
    )
    rows = list(acme.memberships.order_by("pk"))
    data: dict[str, object] = {
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": len(rows),
    }
    for number, row in enumerate(rows):
        role = Role.MEMBER if demote_owners and row.role == Role.OWNER else row.role
        data |= {
            f"memberships-{number}-id": row.pk,
            f"memberships-{number}-organization": acme.pk,
            f"memberships-{number}-user": row.user_id,
            f"memberships-{number}-role": role,
        }
    return cast(KeepsAnOwner, members(data, instance=acme))


def test_the_admin_cannot_leave_an_organization_without_an_owner(db):
    assert admin_members_form(demote_owners=False).is_valid()

    form = admin_members_form(demote_owners=True)

    assert not form.is_valid()
    assert form.non_form_errors() == ["An organization needs at least one owner."]
