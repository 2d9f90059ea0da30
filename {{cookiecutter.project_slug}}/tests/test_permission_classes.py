"""Each class in api/utils/permission.py on its own, away from views and settings.

These catch a regression that the scoped querysets would hide in the API tests,
e.g. an object rule that returns True for everyone.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from api.models import Note
from api.utils import permission
from users.models import User

factory = APIRequestFactory()
view = APIView()  # the classes under test read nothing from the view


def drf_request(method: str, user):
    """A DRF Request as the permission classes see it, for ``user``."""
    request = getattr(factory, method.lower())("/")
    force_authenticate(request, user=user)
    return APIView().initialize_request(request)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_owner_or_read_only_lets_anyone_read(users, note, method):
    rule = permission.IsOwnerOrReadOnly()

    assert rule.has_object_permission(drf_request(method, users["other"]), view, note)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_owner_or_read_only_lets_only_the_owner_write(users, note, method):
    rule = permission.IsOwnerOrReadOnly()

    assert rule.has_object_permission(drf_request(method, users["owner"]), view, note)
    assert not rule.has_object_permission(drf_request(method, users["other"]), view, note)
    assert not rule.has_object_permission(drf_request(method, AnonymousUser()), view, note)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_owner_lets_only_the_owner_in(users, note, method):
    rule = permission.IsOwner()

    assert rule.has_object_permission(drf_request(method, users["owner"]), view, note)
    assert not rule.has_object_permission(drf_request(method, users["other"]), view, note)
    assert not rule.has_object_permission(drf_request(method, users["staff"]), view, note)


def test_vip_needs_a_logged_in_vip(users):
    rule = permission.IsVIP()

    assert rule.has_permission(drf_request("GET", users["vip"]), view)
    assert not rule.has_permission(drf_request("GET", users["owner"]), view)
    assert not rule.has_permission(drf_request("GET", AnonymousUser()), view)


def test_every_class_explains_a_refusal():
    classes = [
        permission.IsAuthenticated,
        permission.IsAuthenticatedOrReadOnly,
        permission.DjangoModelPermissions,
        permission.IsVIP,
        permission.IsOwnerOrReadOnly,
        permission.IsOwner,
    ]

    for cls in classes:
        assert cls.__doc__
        assert getattr(cls, "message", None)  # as DRF reads it: BasePermission declares none


class NoteQuerysetView(APIView):
    queryset = Note.objects.all()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_model_permissions_need_view_permission_to_read(users, method):
    rule = permission.DjangoModelPermissions()
    no_groups = User.objects.create_user("no-groups")

    assert not rule.has_permission(drf_request(method, no_groups), NoteQuerysetView())


def test_model_permissions_grant_what_the_user_holds(db):
    reader = User.objects.create_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_note"))
    reader = User.objects.get(pk=reader.pk)  # a fresh instance: no cached permissions

    rule = permission.DjangoModelPermissions()
    assert rule.has_permission(drf_request("GET", reader), NoteQuerysetView())
    assert not rule.has_permission(drf_request("POST", reader), NoteQuerysetView())
