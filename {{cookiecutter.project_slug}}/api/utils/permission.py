"""Who may do what in this service: every permission class the project owns.

This module is the policy. ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` in
config/settings/base.py names one of the global policies below by dotted path, and
views add the object rules on top of it.

How DRF applies them (rest_framework/views.py and generics.py):

* ``APIView.dispatch`` -> ``initial`` -> ``perform_authentication`` -> ``check_permissions``:
  every class from ``get_permissions()`` (the view's ``permission_classes``, else the
  global default) must return True from ``has_permission``, or the handler never runs:
  401 when the first authentication class sends ``WWW-Authenticate`` and nobody logged
  in, otherwise 403 with the class's ``message``.
* ``GenericAPIView.get_object`` -> ``check_object_permissions``: every class must return
  True from ``has_object_permission``. List and create never call ``get_object``, so
  object rules do not filter lists: the view's queryset does that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import permissions
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # DRF imports this module (DEFAULT_PERMISSION_CLASSES) with its views
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from api.models import Note


class IsAuthenticated(permissions.IsAuthenticated):
    """Global policy: any logged-in user may do anything the object rules allow."""

    message = "Authentication credentials were not provided or are not valid."


class IsAuthenticatedOrReadOnly(permissions.IsAuthenticatedOrReadOnly):
    """Global policy: anyone may read (GET, HEAD, OPTIONS); only logged-in users may write."""

    message = "Log in to change anything."


class DjangoModelPermissions(permissions.DjangoModelPermissions):
    """Global policy: the user's model permissions (usually through groups) decide.

    DRF's own class lets every logged-in user read; here GET and HEAD need the
    ``view_<model>`` permission as well, so a user with no group sees nothing.
    Views without a queryset cannot use this policy: name their classes explicitly.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
    message = "Your groups do not allow this action."


class IsVIP(BasePermission):
    """Only logged-in users on the VIP tier."""

    message = "This endpoint is for VIP members only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_vip)


class IsOwnerOrReadOnly(BasePermission):
    """Object rule: whoever the global policy lets in may read; only the owner may change."""

    message = "Only the owner may change or delete this note."

    def has_object_permission(self, request: Request, view: APIView, obj: Note) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return obj.owner_id == request.user.pk


class IsOwner(BasePermission):
    """Object rule: only the owner may read, change or delete."""

    message = "Only the owner may use this note."

    def has_object_permission(self, request: Request, view: APIView, obj: Note) -> bool:
        return obj.owner_id == request.user.pk
