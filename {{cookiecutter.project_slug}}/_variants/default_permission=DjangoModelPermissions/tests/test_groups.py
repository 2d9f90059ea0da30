"""The groups that the DjangoModelPermissions policy ships with (api/migrations/0002)."""

from django.contrib.auth.models import Group


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


def test_readers_may_only_view_notes(db):
    assert codenames("readers") == {"view_note"}


def test_editors_may_do_everything_with_notes(db):
    assert codenames("editors") == {"view_note", "add_note", "change_note", "delete_note"}
