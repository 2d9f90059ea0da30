"""DjangoModelPermissions inside an organization: notes need the model permission and the role.

The global policy still applies to notes (api/views.py's NotePolicyMixin), on top of the
organization's roles: a group gives no role, and a role gives no permission. Every actor
of the policy table is an editor (tests/note_policy.py), so that there the role decides;
here the groups change. The organization's own routes need a role only: they are no notes.
"""

from django.contrib.auth.models import Group

from organizations.roles import Role
from tests.actors import note_detail_url, note_list_url
from tests.tenancy import join, org_url
from users.models import User

GROUPS_REFUSE = "Your groups do not allow this action."


def in_groups(user: User, *names: str) -> None:
    user.groups.set(Group.objects.filter(name__in=names))


def test_a_member_without_the_editors_group_is_refused_notes(client_for, users, note):
    in_groups(users["owner"])
    client = client_for("owner")  # a member, and the note's author

    answers = [
        client.get(note_list_url()),
        client.post(note_list_url(), {"title": "New"}, format="json"),
        client.get(note_detail_url(note.pk)),
        client.patch(note_detail_url(note.pk), {"title": "Changed"}, format="json"),
        client.delete(note_detail_url(note.pk)),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    assert {answer.json()["detail"] for answer in answers} == {GROUPS_REFUSE}
    note.refresh_from_db()
    assert note.title == "Owner's note"


def test_a_reader_reads_notes_but_writes_none_whatever_the_role(client_for, users, note):
    """The organization's owner may moderate any note, but not with the readers' group."""
    in_groups(users["org_owner"], "readers")
    client = client_for("org_owner")

    read = client.get(note_detail_url(note.pk))
    write = client.post(note_list_url(), {"title": "New"}, format="json")
    moderate = client.delete(note_detail_url(note.pk))

    assert [read.status_code, write.status_code, moderate.status_code] == [200, 403, 403]
    assert write.json()["detail"] == GROUPS_REFUSE


def test_the_editors_group_gives_no_role(client_for):
    """A viewer is an editor (every actor is): the role still says no, and which it needs."""
    response = client_for("viewer").post(note_list_url(), {"title": "New"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This needs the member role or higher in this organization; yours is viewer."
    )


def test_the_editors_group_opens_no_organization(client_for, users):
    """staff is an editor, and no member of acme: 404, as for anyone outside it."""
    assert client_for("staff").get(note_list_url()).status_code == 404
    join(users["staff"], "acme", Role.MEMBER)
    assert client_for("staff").get(note_list_url()).status_code == 200


def test_the_organizations_own_routes_need_a_role_and_no_group(client_for, users):
    in_groups(users["viewer"])
    client = client_for("viewer")

    assert client.get(org_url("organization-detail")).status_code == 200
    assert client.get(org_url("membership-list")).status_code == 200
