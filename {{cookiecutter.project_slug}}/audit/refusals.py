"""access.denied and throttled: the refusals DRF's views answer, as audit events.

api.exceptions.exception_handler calls ``record_refusal`` for every error DRF answers; the
login forms' throttle (api/throttling.py) records its own. Both events are logged, never
stored (audit/events.py): a client can repeat them at will.
"""

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from api.exceptions import body_of
from audit.events import Event, record
from audit.logs import without_query_strings
from audit.receivers import LOGIN_FAILED

# Raised by DRF when a permission class refuses (APIView.permission_denied): 401 for an
# anonymous request, when the first authentication class sends a challenge, else 403.
PERMISSION_REFUSALS = (exceptions.NotAuthenticated, exceptions.PermissionDenied)


def record_refusal(exc: exceptions.APIException, context: dict[str, Any]) -> None:
    """Record a 401, 403 or 429 answered by DRF; nothing for other errors."""
    view = context.get("view")
    request = context.get("request")
    if getattr(getattr(request, "_request", None), LOGIN_FAILED, False):
        return  # a failed login: login.failed has recorded it
    organization = getattr(view, "organization", None)
    if isinstance(exc, exceptions.Throttled):
        record(Event.THROTTLED, organization=organization, reason=reason_of(exc))
    elif isinstance(exc, (exceptions.AuthenticationFailed, *PERMISSION_REFUSALS)):
        reason = reason_of(exc)
        # Exactly DRF's classes, raised by APIView.permission_denied(): view code refuses
        # with a subclass of its own (a quota, a role above your own), and a CSRF failure
        # is the session authentication's.
        refused_by: type[exceptions.APIException] = type(exc)
        by_permission = refused_by in PERMISSION_REFUSALS and reason["code"] != "csrf_failed"
        if by_permission and request is not None and view is not None:
            reason["permission"] = refusing_permission(request, view)
        record(Event.ACCESS_DENIED, organization=organization, reason=reason)


def reason_of(exc: exceptions.APIException) -> dict[str, Any]:
    """The error's code and message, as the client got them."""
    body = body_of(exc)
    # A CSRF failure quotes the client's Referer, whose query string may hold a secret.
    return {"code": body["code"], "message": without_query_strings(body["detail"])}


def refusing_permission(request: Request, view: APIView) -> str | None:
    """The name of the permission class that refused the request.

    DRF does not say which class it was, so the view's classes are asked again, in order
    (``has_permission`` decides from the request and the view, so asking twice gives the same
    answer; the classes in api/utils/permission.py change nothing when asked). If each lets
    the request in, an object rule refused the object: the view's classes that have one.
    """
    permissions = view.get_permissions()
    for permission in permissions:
        if not permission.has_permission(request, view):
            return type(permission).__name__
    object_rules = [
        type(permission).__name__
        for permission in permissions
        if type(permission).has_object_permission is not BasePermission.has_object_permission
    ]
    return " or ".join(object_rules) or None
