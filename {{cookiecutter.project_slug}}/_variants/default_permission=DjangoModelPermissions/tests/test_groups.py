"""The groups that the DjangoModelPermissions policy ships with (api/migrations/0002)."""

from django.contrib.auth.models import Group


def test_readers_may_only_view_notes(db):
    codenames = set(Group.objects.get(name="readers").permissions.values_list("codename", flat=True))

    assert codenames == {"view_note"}


def test_editors_may_do_everything_with_notes(db):
    codenames = set(Group.objects.get(name="editors").permissions.values_list("codename", flat=True))

    assert codenames == {"view_note", "add_note", "change_note", "delete_note"}
