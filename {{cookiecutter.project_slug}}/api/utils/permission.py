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
{%- if cookiecutter.tenancy == "organizations" %}

Under /api/orgs/<slug>/ the views (organizations/scoping.py) resolve the requester's
membership before any class runs: outsiders get 404 there, and the tenant classes below
read ``view.membership`` without querying. Roles are ordered (organizations/roles.py), so
"at least an admin" is ``membership.role >= Role.ADMIN``.
{%- endif %}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import permissions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api_keys.models import APIKey
from api_keys.scopes import Scope, grants
{%- if cookiecutter.tenancy == "organizations" %}
from organizations.roles import Role
{%- endif %}

if TYPE_CHECKING:  # DRF imports this module (DEFAULT_PERMISSION_CLASSES) with its views
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from api.models import Note
{%- if cookiecutter.tenancy == "organizations" %}
    from organizations.models import Membership
{%- endif %}


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


class HasAPIKeyScope(BasePermission):
    """A request made with an API key needs the scope the view names for its method
    (``view.api_key_scopes``, HEAD and OPTIONS as GET); the key's creator must still pass
    every other class of the view. People's credentials pass this class untouched.

    A view without this class refuses keys outright (api_keys/authentication.py).
    """

    message = "API keys cannot do this: use a person's credential."

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request.auth
        if not isinstance(key, APIKey):
            return True
        needed = self.scope_for(view, request.method or "GET")
        if needed is None:
            return False
        if grants(key.scopes, needed):
            return True
        self.message = f"This needs an API key with the {needed} scope."
        return False

    @staticmethod
    def scope_for(view: APIView, method: str) -> Scope | None:
        """The scope ``view`` names for ``method``, if any (permission_report reads it too)."""
        method = "GET" if method in SAFE_METHODS else method
        scopes: dict[str, Scope] = getattr(view, "api_key_scopes", {})
        return scopes.get(method)


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
{%- if cookiecutter.tenancy == "organizations" %}


# TENANT POLICY: who may do what inside an organization
# ------------------------------------------------------------------------------


def role_name(role: int) -> str:
    return Role(role).label


class IsOrganizationMember(BasePermission):
    """Tenant policy: only members of the organization in the URL, whatever their role.

    Outsiders never reach this class (404 first, see organizations/scoping.py); it refuses
    anonymous requests, with 401 or 403 as the global policy would. Staff status grants
    nothing here: the admin site is the staff tool.
    """

    message = "Log in as a member of this organization."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(view, "membership", None) is not None


class HasOrganizationRole(BasePermission):
    """Tenant policy: the requester's role must be at least the view's ``minimum_roles``
    for the method (HEAD and OPTIONS as GET). A role below it is a 403 naming the role."""

    message = "Your role in this organization does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership: Membership | None = getattr(view, "membership", None)
        method = "GET" if request.method in SAFE_METHODS else request.method
        needed = getattr(view, "minimum_roles", {}).get(method, Role.OWNER)
        if membership is None:
            return False
        if membership.role >= needed:
            return True
        self.message = (
            f"This needs the {role_name(needed)} role or higher in this organization; "
            f"yours is {role_name(membership.role)}."
        )
        return False


class CanManageMembership(BasePermission):
    """Object rule for a membership: every member may read it. A member may remove themself
    (leave). Admins and owners change and remove others, but only owners touch an owner.
    Nobody changes their own role, except an owner stepping down (organizations/views.py
    keeps the last owner, and caps a new role at the requester's own)."""

    message = "Your role in this organization does not allow changing this membership."

    def has_object_permission(self, request: Request, view: APIView, obj: Membership) -> bool:
        if request.method in SAFE_METHODS:
            return True
        mine: Membership | None = getattr(view, "membership", None)
        if mine is None:
            return False
        if obj.pk == mine.pk:
            if request.method == "DELETE" or mine.role == Role.OWNER:
                return True
            self.message = "You cannot change your own role; ask an admin or owner."
            return False
        if mine.role < Role.ADMIN:
            self.message = "Only admins and owners may change or remove other members."
            return False
        if obj.role == Role.OWNER and mine.role < Role.OWNER:
            self.message = "Only owners may change or remove an owner."
            return False
        return True


class IsNoteAuthorOrModerator(BasePermission):
    """Object rule for an organization's note: which notes a member reads is the queryset's
    business (api/note_access.py); only its author changes it; its author, or an admin or
    owner of the organization (moderation), deletes it."""

    message = "Only the author may change this note; an admin or owner may also delete it."

    def has_object_permission(self, request: Request, view: APIView, obj: Note) -> bool:
        if request.method in SAFE_METHODS or obj.owner_id == request.user.pk:
            return True
        membership: Membership | None = getattr(view, "membership", None)
        moderator = membership is not None and membership.role >= Role.ADMIN
        return request.method == "DELETE" and moderator
{%- endif %}
