"""The OpenAPI schema class: drf-spectacular's, plus what it cannot see in a view.

Kept apart from api/schema.py, which imports the views: DRF resolves DEFAULT_SCHEMA_CLASS
while the views module is still being imported.

What this adds, for every operation, from the view's own classes rather than a list of
operations kept by hand:

* its permission classes, at the end of its description (as permission_report says), and
  what an API key needs there: the scope, in words and in ``x-api-key-scope``, or that keys
  are not accepted;
* its error responses, all in one ``Error`` shape, with the status codes the view can
  really answer (``error_responses``);
* who may call it: public operations say so (``security: []``, or ``{}`` among the
  alternatives where credentials are optional), unsafe operations a session may call
  name the CSRF header they need, and only the operations that accept API keys list their
  scheme (api_keys/schema.py);
* response fields a model serializer always outputs are ``required``, and request strings
  carry the limits validation enforces (no NUL, not blank after trimming).

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

from api.management.commands.permission_report import (
    KEYS_IGNORED,
    KEYS_REFUSED,
    api_key_access,
    describe,
)
from api.utils.permission import HasAPIKeyScope
from api_keys.authentication import KEYWORD, APIKeyAuthentication
from api_keys.scopes import INCLUDES, Scope

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

# The security scheme drf-spectacular gives SessionAuthentication, and the one added here
# for the CSRF token every unsafe request of a session must carry.
SESSION_SCHEME = "cookieAuth"
CSRF_SCHEME = "csrfToken"
CSRF_SCHEME_DEFINITION = {
    "type": "apiKey",
    "in": "header",
    "name": "X-CSRFToken",
    "description": (
        "A session's POST, PUT, PATCH and DELETE requests need the CSRF token twice: in the "
        "`csrftoken` cookie the service sets and, copied from it, in the `X-CSRFToken` "
        "header. Without it the answer is 403. The login answers with the current token "
        "(Django changes it at every login); browsers on this site send both by themselves."
    ),
}

# Permission classes that refuse nobody who is logged in (their `|` composes permissions,
# so a tuple, not a union).
LOGIN_ONLY_GUARDS = (
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
)

# Bodies are read only by these methods; DELETE here ignores any body.
BODY_METHODS = {"POST", "PUT", "PATCH"}

# Strings: DRF's CharField refuses NUL (PostgreSQL cannot store it) and, unless it allows
# blanks, a value that is empty once trimmed. Python's \s is exactly what str.strip()
# trims; ECMAScript's differs only in \x1c-\x1f, \x85 and \ufeff.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers, whatever its status code."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence for people.")
    code = serializers.CharField(
        help_text="What went wrong, for programs: match on this, never on `detail`. E.g. "
        "`invalid`, `parse_error`, `not_authenticated`, `permission_denied`, `csrf_failed`, "
        "`not_found`, `throttled`, `locked_out`, `service_unavailable`."
    )
    # DRF's metaclass takes declared fields out of the class: this one does not hide the
    # serializer's own `fields`.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only with code `invalid` (400): each field's messages, by field name "
        "(`non_field_errors` for the body as a whole, dots for nested fields).",
    )

    class Meta:
        ref_name = "Error"


def api_key_scope(view: Any, method: str) -> str | None:
    """The scope an API key needs for ``method`` of ``view``; None where keys are refused or
    ignored (permission_report's reading of HasAPIKeyScope and ``api_key_scopes``)."""
    access = api_key_access(view, method)
    return None if access in (KEYS_REFUSED, KEYS_IGNORED) else access


def document(view: Any, tag: str, **operations: tuple[str, str] | dict[str, Any]) -> Any:
    """Name the operations of ``view``, method by method, and put them under ``tag``.

    ``operations`` maps a method (``get``, ``post``...) to ``(operationId, summary)``, or to
    extend_schema's keyword arguments (``operation_id`` and ``summary`` among them). The
    description stays the view's docstring unless given. Function views take ``get=`` only.
    """
    overrides = {
        method: dict(zip(("operation_id", "summary"), spec, strict=True))
        if isinstance(spec, tuple)
        else spec
        for method, spec in operations.items()
    }
    if hasattr(view, "cls"):  # an @api_view function: one method, one decorator
        (spec,) = overrides.values()
        return extend_schema(tags=[tag], **spec)(view)
    return extend_schema_view(
        **{method: extend_schema(tags=[tag], **spec) for method, spec in overrides.items()}
    )(view)


class PermissionAwareAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, told what the view's policy classes mean for clients."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        # After the description is settled, extend_schema(description=...) included.
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            classes = [describe(permission) for permission in self.view.permission_classes]
            guard = ", ".join(classes) if classes else "none: public"
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\nPermissions: {guard}.".strip()
            # Views in an organization name the least role each method needs.
            method = "GET" if self.method in ("HEAD", "OPTIONS") else self.method
            role = getattr(self.view, "minimum_roles", {}).get(method)
            if role is not None:
                operation["description"] += (
                    f" Needs the {role.label} role or higher in the organization (403 "
                    "below it); to anyone who is not a member, the organization does not exist "
                    "(404)."
                )
            operation["description"] += self.api_key_sentence()
            scope = api_key_scope(self.view, self.method)
            if scope is not None:
                # Machine-readable: OpenAPI 3.0 has no place for a scope in an apiKey
                # requirement, only OAuth2's and OpenID Connect's.
                operation["x-api-key-scope"] = scope
            # Said outright: no `security` would mean "as the document's default", which
            # readers (and Swagger UI's lock icons) cannot tell from an oversight.
            operation["security"] = operation.get("security", [])
        return operation

    # Who may call it --------------------------------------------------------------------

    def api_key_sentence(self) -> str:
        """What an API key needs here, for the description: its scope (and the scopes that
        include it), or that keys are not accepted; nothing where the operation is public."""
        scope = api_key_access(self.view, self.method)
        if scope == KEYS_IGNORED:
            return ""
        if scope == KEYS_REFUSED:
            return " API keys are not accepted: use a person's credential."
        wider = [f"`{other}`" for other, included in INCLUDES.items() if Scope(scope) in included]
        including = f" ({' or '.join(wider)} includes it)" if wider else ""
        return f" An API key needs the `{scope}` scope{including}."

    def is_public(self) -> bool:
        """Anyone may call it: every permission class lets an anonymous request in. That is
        AllowAny, HasAPIKeyScope (which only a key's request meets), IsAuthenticatedOrReadOnly
        for a read, and an object rule (which leaves ``has_permission`` alone); no class at
        all, too."""
        reads = self.method in permissions.SAFE_METHODS

        def lets_anyone_in(guard: Any) -> bool:  # DRF's classes, or what composes them
            # HasAPIKeyScope: only a key's request meets it. (A tuple: DRF's classes compose
            # with |, so AllowAny | HasAPIKeyScope would be a permission, not a union.)
            if isinstance(guard, (permissions.AllowAny, HasAPIKeyScope)):
                return True
            if isinstance(guard, permissions.IsAuthenticatedOrReadOnly):
                return reads
            return type(guard).has_permission is permissions.BasePermission.has_permission

        return all(lets_anyone_in(guard) for guard in self.view.get_permissions())

    def get_auth(self) -> list[dict[str, list[str]]]:
        """The credentials that authenticate the operation, as alternatives.

        ``[]`` when they change nothing (no permission class); ``{}`` among them when they
        are optional (a public read that shows a logged-in user more). A session's unsafe
        requests need the CSRF header as well (SessionAuthentication enforces it).
        """
        # drf-spectacular's own {} guess is made again below, from the same classes.
        requirements = [requirement for requirement in super().get_auth() if requirement]
        if self.method not in permissions.SAFE_METHODS:
            requirements = [
                {**requirement, CSRF_SCHEME: []} if SESSION_SCHEME in requirement else requirement
                for requirement in requirements
            ]
        if not self.view.get_permissions():
            return []
        if self.is_public():
            requirements.append({})
        return requirements

    # What it answers ---------------------------------------------------------------------

    def error_responses(self) -> dict[int, str]:
        """Status code -> when the operation answers it, from the view's classes and method.

        Documented where they can happen, so that a client generated from the schema has a
        type for every answer, and a contract test (schemathesis' status_code_conformance)
        meets no undocumented one. 405 is left out: a method the route lacks is no operation.
        """
        view = self.view
        writes = self.method not in permissions.SAFE_METHODS
        reads_body = self.method in BODY_METHODS
        # The first authentication class decides how a missing or refused credential is
        # answered: with a challenge (WWW-Authenticate) 401, without (session) 403.
        challenges = bool(view.get_authenticate_header(view.request))
        needs_login = not self.is_public()
        strict = [g for g in view.get_permissions() if not isinstance(g, LOGIN_ONLY_GUARDS)]
        sessions = any(isinstance(a, SessionAuthentication) for a in view.get_authenticators())
        lockout = writes and getattr(view, "throttle_scope", None) == "credentials"

        errors: dict[int, list[str]] = defaultdict(list)
        if reads_body:
            errors[400].append(
                "The body is not valid JSON, or fails validation: then `fields` says what is "
                "wrong with each field."
            )
        errors[400].append("A header or cookie holds a NUL byte or is too long.")
        if challenges:
            errors[401].append(
                "The credential is missing, expired or not valid; the WWW-Authenticate header "
                "names the scheme to use."
            )
        if needs_login and not challenges:
            errors[403].append("Not logged in.")
        if strict:
            errors[403].append("The service's policy does not let you do this.")
        if sessions and writes:
            errors[403].append("A session's request without the CSRF token.")
        for code, when in self.api_key_errors().items():
            errors[code].append(when)
        if "{" in self.path:
            errors[404].append("No such object, or none you may see.")
        elif self._is_list_view() and self._get_paginator() is not None:
            errors[404].append("The `cursor` is not one that a `next` or `previous` link gave.")
        if reads_body:
            errors[413].append("The body is larger than the service accepts.")
            errors[415].append("The body is not JSON: send `Content-Type: application/json`.")
        # A throttle may count some methods only (``methods``, as invitations count POSTs).
        throttles = [
            t for t in view.get_throttles() if self.method in getattr(t, "methods", {self.method})
        ]
        if throttles:
            errors[429].append("Too many requests: wait as many seconds as Retry-After says.")
        if lockout:  # django-axes, throttling or not (api/password.py)
            errors[429].append(
                "Too many failed logins for this username from this address: it is locked "
                "out there for a while."
            )
        # Every operation but the health check (which answers its own 503) may need it.
        errors[503].append("The database is out of reach: try again after Retry-After seconds.")
        return {code: " ".join(reasons) for code, reasons in errors.items()}

    def api_key_errors(self) -> dict[int, str]:
        """What a request with an API key may be answered besides the operation's own errors:
        401 for a key that does not work (said by the credentials' 401 where the first
        authentication class challenges), 403 for a key the operation refuses or whose
        scopes fall short. Nothing where keys are not read: a public operation, or one whose
        authentication classes leave keys out (the request is then anonymous)."""
        view = self.view
        key = api_key_access(view, self.method)
        reads_keys = key != KEYS_IGNORED and any(
            isinstance(a, APIKeyAuthentication) for a in view.get_authenticators()
        )
        if not reads_keys:
            return {}
        errors = {}
        if not view.get_authenticate_header(view.request):
            errors[401] = (
                "The API key is not valid, revoked or expired; the WWW-Authenticate header "
                f"says `{KEYWORD}`."
            )
        if key == KEYS_REFUSED:
            errors[403] = "An API key, which this operation does not accept."
        else:
            errors[403] = f"An API key without the `{key}` scope."
        return errors

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        keys = self.api_key_errors()
        for code, when in self.error_responses().items():
            if str(code) in responses:  # declared by extend_schema: that one stands,
                if code in keys:  # and says what a key may get there too
                    declared = responses[str(code)]
                    declared["description"] = f"{declared['description']} {keys[code]}".strip()
                continue
            response = self._get_response_for_code(ErrorSerializer, str(code))
            response["description"] = when
            header = {401: "WWW-Authenticate", 429: "Retry-After", 503: "Retry-After"}.get(code)
            if header:
                response["headers"] = {header: {"schema": {"type": "string"}}}
            responses[str(code)] = response
        return dict(sorted(responses.items()))

    # Types as tight as validation ----------------------------------------------------------

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        properties: dict[str, Any] = schema.get("properties", {})
        # A model serializer outputs every readable field of every object (null if empty):
        # clients need not check for absent ones. Plain serializers may skip a field that
        # is not required (ErrorSerializer's `fields`).
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            schema["required"] = sorted(properties)
        if direction == "request":
            # Here, after drf-spectacular's own validators: it would turn a pattern on a
            # field that allows "" into a oneOf that "" matches twice.
            for name, field in force_instance(serializer).fields.items():
                text = properties.get(name, {})
                plain = text.get("type") == "string" and not {"format", "pattern"} & set(text)
                if isinstance(field, serializers.CharField) and plain:
                    non_blank = field.trim_whitespace and not field.allow_blank
                    text["pattern"] = NOT_BLANK if non_blank else NO_NUL
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular documents a RegexValidator's regex as the pattern a value must match,
        # inverse_match=True too, where a value must NOT match it: the schema would ask for
        # exactly what validation refuses. A character class a value must not contain becomes
        # the class of everything else; any other inverse regex is left out, not documented
        # wrong.
        for validator in field.validators:
            if not (isinstance(validator, RegexValidator) and validator.inverse_match):
                continue
            refused = re.compile(validator.regex).pattern
            if schema.get("pattern") != ecma_pattern(refused):
                continue
            del schema["pattern"]
            if re.fullmatch(r"\[(?!\^)(?:\\.|[^\]\\])+\]", refused):
                schema["pattern"] = ecma_pattern(f"^[^{refused[1:-1]}]*\\Z")

    def _get_paginator(self) -> Any:
        # The paginator writes its example links for the list's own path.
        paginator = super()._get_paginator()
        if paginator is not None:
            paginator.schema_path = self.path
        return paginator


def ecma_pattern(regex: str) -> str:
    """A Python regex as drf-spectacular writes it in the schema (ECMA-262's escapes)."""
    pattern = regex.encode("ascii", "backslashreplace").decode().replace(r"\x", r"\u00")
    return pattern.replace(r"\Z", "$").replace(r"\A", "^")


def describe_authentication(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: the schema's description ends with api/credentials.py's docstring,
    and the CSRF scheme the operations name is defined."""
    from api import credentials  # at call time: DRF loads this module while views are imported

    how = inspect.cleandoc(credentials.__doc__ or "")
    description = result["info"].get("description", "")
    result["info"]["description"] = f"{description}\n\n## Authentication\n\n{how}".strip()
    names_csrf = any(
        CSRF_SCHEME in requirement
        for path in result.get("paths", {}).values()
        for operation in path.values()
        for requirement in operation.get("security", [])
    )
    if names_csrf:
        schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[CSRF_SCHEME] = CSRF_SCHEME_DEFINITION
    return result
