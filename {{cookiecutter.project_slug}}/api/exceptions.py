"""The one shape of every error under /api/, and the DRF exception handler that gives it.

Every error response under /api/ is ``application/json`` with exactly these keys, so that a
client (a generated one included: the OpenAPI schema calls this the ``Error`` component)
handles any error the same way, whatever sent it:

``detail``
    A message for people, always a string.
``code``
    A stable string for programs. Match on it, never on ``detail``.
``fields``
    Only with ``invalid`` (400): each field that failed mapped to its messages, strings.
    ``non_field_errors`` holds what concerns no single field. A nested field's name joins
    the path to it with dots: ``author.name``, ``tags.0`` (the first item of a list).

    {"detail": "title: This field is required.", "code": "invalid",
     "fields": {"title": ["This field is required."]}}

The codes. DRF's: ``invalid`` (400, validation), ``parse_error`` (400, a body that does not
parse), ``not_authenticated`` and ``authentication_failed`` (401; 403 when the first
authentication class sends no ``WWW-Authenticate``), ``permission_denied`` (403),
``not_found`` (404), ``method_not_allowed`` (405), ``not_acceptable`` (406),
``unsupported_media_type`` (415), ``throttled`` (429, with ``Retry-After``). The service's:
``bad_request`` (400, a header, cookie or request Django refuses), ``csrf_failed`` (403),
{%- if cookiecutter.tenancy == "organizations" %}
``quota_exceeded`` (403, api/views.py for notes, organizations/views.py for organizations),
``last_owner`` (409, the change would leave an organization without an owner:
organizations/views.py), ``already_member`` (409, accepting an invitation to an
organization you belong to: organizations/invitations.py), ``request_too_large`` (413),
``locked_out`` (429, with ``Retry-After``), ``server_error`` (500), ``service_unavailable``
(503: a database outage, with ``Retry-After``; an invitation's email the mail server did not
take). With JWTs,
{%- else %}
``quota_exceeded`` (403, api/views.py), ``request_too_large`` (413), ``locked_out`` (429,
with ``Retry-After``), ``server_error`` (500), ``service_unavailable`` (503, with
``Retry-After``). With JWTs,
{%- endif %} simplejwt's and api/credentials.py's for a refused token or
login: ``token_not_valid``, ``token_reused``, ``token_revoked``, ``password_changed``,
``no_active_account``, ``user_inactive``, ``user_not_found``, ``bad_authorization_header``.

DRF's own handler answers ``{"detail"}`` for most errors but the bare errors
``{"field": [...]}`` for validation, and simplejwt's ``{"detail", "code", "messages"}``:
``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) turns each into the shape.
Django's own answers under /api/ (api/errors.py) and the request limits (api/security.py)
build theirs with ``error_response``.
"""

from collections.abc import Iterator, Mapping
from typing import Any, NotRequired, TypedDict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict

# What DRF's SessionAuthentication says when the CSRF check fails; its PermissionDenied
# carries no code of its own (rest_framework/authentication.py, enforce_csrf).
DRF_CSRF_FAILURE = "CSRF Failed:"


class ErrorBody(TypedDict):
    """The body of every error response under /api/ (see the module docstring)."""

    detail: str
    code: str
    fields: NotRequired[dict[str, list[str]]]


def error_body(detail: str, code: str, fields: dict[str, list[str]] | None = None) -> ErrorBody:
    """The error shape; ``fields`` only for validation errors (code ``invalid``)."""
    body = ErrorBody(detail=str(detail), code=str(code))
    if fields is not None:
        body["fields"] = fields
    return body


def error_response(status: int, detail: str, code: str) -> JsonResponse:
    """An error answered outside DRF's views (Django's handlers, middleware), in the shape."""
    return JsonResponse(error_body(detail, code), status=status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, ``WWW-Authenticate``, ``Retry-After``, the transaction rolled
    back), with its body replaced by the error shape. None (a 500) for anything else."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, exceptions.AuthenticationFailed) and hasattr(exc, "www_authenticate"):
        # A refused API key (api_keys/authentication.py) is a 401 naming its scheme, whatever
        # the first authentication class: DRF had made it a 403 when that class sends none.
        exc.status_code = 401
        exc.auth_header = exc.www_authenticate  # type: ignore[attr-defined]
    # Imported here: api/security.py imports this module, and rest_framework.views imports
    # the throttle classes (api/throttling.py), which import api/security.py; so does the
    # audit trail.
    from rest_framework.views import exception_handler as drf_exception_handler

    from audit.refusals import record_refusal

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    record_refusal(exc, context)  # 401, 403 and 429 are audit events (audit/refusals.py)
    body = body_of(exc)
    # A serializer's errors link back to it, and the browsable API shows the failed form
    # again from that serializer, with what was posted: the body keeps the link.
    serializer = getattr(exc.detail, "serializer", None)
    response.data = ReturnDict(body, serializer=serializer) if serializer is not None else body
    return response


def body_of(exc: exceptions.APIException) -> ErrorBody:
    """The error shape of a DRF exception, whatever its ``detail`` holds."""
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        fields = field_errors(detail)
        return error_body(summary(fields), "invalid", fields)
    if isinstance(detail, dict) and "detail" in detail:
        return token_error(detail, exc.default_code)
    if isinstance(detail, dict | list):  # DRF's only for ValidationError; maybe the project's
        return error_body(" ".join(message for _, message in messages(detail)), exc.default_code)
    if detail.startswith(DRF_CSRF_FAILURE) and isinstance(exc, exceptions.PermissionDenied):
        return error_body(detail, "csrf_failed")
    return error_body(detail, detail.code or exc.default_code)


def token_error(detail: Mapping[str, Any], default_code: str) -> ErrorBody:
    """simplejwt's ``{"detail", "code", "messages"}`` in the shape. Each of its messages says
    why a token class refused the token ("Token is expired"), which ``detail`` does not:
    they follow it, ``Given token not valid for any token type: Token is expired``."""
    text = " ".join(message for _, message in messages(detail["detail"]))
    reasons = detail.get("messages")
    why = [
        str(reason.get("message", ""))
        for reason in (reasons if isinstance(reasons, list) else [])
        if isinstance(reason, Mapping)
    ]
    if why := [reason for reason in why if reason]:
        text = f"{text}: {'; '.join(why)}"
    return error_body(text, str(detail.get("code") or default_code))


def field_errors(detail: Any) -> dict[str, list[str]]:
    """A ValidationError's detail as ``{"field": ["message", ...]}``, nested fields dotted.

    A ValidationError raised outside a serializer holds a bare list of messages: they
    concern no single field.
    """
    fields: dict[str, list[str]] = {}
    for path, message in messages(detail):
        fields.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(message)
    return fields


def messages(detail: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every message in a DRF error detail, with the dotted path of the field it is about.

    Serializers nest errors as dicts (a nested serializer; a ListField's or DictField's
    items, by index or key) and lists (messages, or a list serializer's items by index).
    """
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from messages(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from messages(item, f"{path}.{index}" if path else str(index))
            else:
                yield path, str(item)
    else:
        yield path, str(detail)


def summary(fields: dict[str, list[str]]) -> str:
    """Every message of a validation error in one line, each after the field it is about:
    a client that shows only ``detail`` still tells the user everything."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    parts = [
        message if field == non_field else f"{field}: {message}"
        for field, field_messages in fields.items()
        for message in field_messages
    ]
    return " ".join(parts) or str(exceptions.ValidationError.default_detail)
