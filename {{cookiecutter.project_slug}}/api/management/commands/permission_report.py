"""Who may call what: every route with its methods, authentication, permissions, API keys
and throttles.

    python manage.py permission_report                  # a table
    python manage.py permission_report --format json    # or markdown
    python manage.py permission_report --fail-on-open   # exit 1 on an unlisted public route

The permission classes shown are the effective ones: the view's own, or the global default
it inherits; composed classes read as DRF writes them (``A & B``, ``A | B``, ``~A``).
Views that name the least role each method needs in an organization (``minimum_roles``)
get a "roles" column.
The "API key" column says, method by method, the scope an API key needs there (the view's
``api_key_scopes``, which HasAPIKeyScope checks), or that keys are refused there (a person's
credential only), or ignored (a public route, which reads no credential).
A route is "open" when an anonymous request passes every ``has_permission`` for some
method; open routes must be listed in ``settings.PUBLIC_ENDPOINTS``.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias, TypedDict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import mixins
from rest_framework.permissions import AND, OR, BasePermission, OperandHolder, SingleOperandHolder
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api.utils.permission import HasAPIKeyScope
from api_keys.authentication import APIKeyAuthentication, accepts_api_keys, is_public

SKIPPED_NAMESPACES = {"admin"}  # Django's admin has its own access control (is_staff)
OPERATORS: dict[object, str] = {AND: "&", OR: "|"}

# What an API key gets on a method that names no scope for it, and on a public route.
KEYS_REFUSED = "refused"
KEYS_IGNORED = "ignored"

# What a view's permission_classes hold: classes, or compositions of them (A & B, ~A).
Permission: TypeAlias = type[BasePermission] | OperandHolder | SingleOperandHolder


class Route(TypedDict):
    """One row of the report."""

    path: str
    name: str
    view: str  # dotted path of the view function
    drf: bool  # a DRF view, with a policy to read
    methods: list[str]
    authentication: list[str]
    permissions: list[str]
    object_rule: bool
    roles: dict[str, str]  # method -> the least role it needs in the organization
    api_key: dict[str, str]  # method -> the scope a key needs, KEYS_REFUSED or KEYS_IGNORED
    throttles: list[str]
    anonymous: list[str]  # methods an anonymous client may call; ["any"] for Django views


def routes(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(path, name, callback) for every URL pattern, depth first, outside skipped namespaces."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield "/" + prefix + str(pattern.pattern), name, pattern.callback


def describe(permission: Permission) -> str:
    """A permission class, or a composition of them, as source code would write it."""
    if isinstance(permission, SingleOperandHolder):  # DRF's one unary operator: NOT
        return f"~{describe(permission.op1_class)}"
    if isinstance(permission, OperandHolder):
        left, right = describe(permission.op1_class), describe(permission.op2_class)
        return f"({left} {OPERATORS[permission.operator_class]} {right})"
    return permission.__name__


def has_object_rule(permission: Permission) -> bool:
    if isinstance(permission, OperandHolder):
        return has_object_rule(permission.op1_class) or has_object_rule(permission.op2_class)
    if isinstance(permission, SingleOperandHolder):
        return has_object_rule(permission.op1_class)
    return permission.has_object_permission is not BasePermission.has_object_permission


def api_key_access(view: APIView, method: str) -> str:
    """What an API key gets on ``method`` of ``view``: the scope it needs, KEYS_REFUSED, or
    KEYS_IGNORED.

    As the request would find it: a public route reads no credential; a view that does not
    authenticate keys treats the request as anonymous; on the others HasAPIKeyScope reads
    the method's scope from ``api_key_scopes`` (HEAD and OPTIONS as GET), and a method it
    names none for, like a view without the class, refuses keys.
    """
    if is_public(view):
        return KEYS_IGNORED
    if APIKeyAuthentication not in view.authentication_classes:
        return KEYS_REFUSED
    scope = HasAPIKeyScope.scope_for(view, method.upper())
    if scope is None or not accepts_api_keys(view):
        return KEYS_REFUSED
    return str(scope)


def anonymous_methods(
    view_class: type[APIView], initkwargs: dict[str, Any], methods: list[str]
) -> list[str]:
    """The methods for which an anonymous request passes every has_permission."""
    factory = APIRequestFactory()
    allowed = []
    for method in methods:
        view = view_class(**initkwargs)
        request = view.initialize_request(getattr(factory, method.lower())("/"))
        request.user = AnonymousUser()
        view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
        if all(permission.has_permission(request, view) for permission in view.get_permissions()):
            allowed.append(method)
    return allowed


def describe_route(path: str, name: str, callback: Callable[..., Any]) -> Route:
    view_class = getattr(callback, "cls", None)
    view_name = callback.__module__ + "." + callback.__name__
    if view_class is None or not issubclass(view_class, APIView):
        # A plain Django view (e.g. the browsable API's login page): no DRF policy to read.
        return Route(
            path=path,
            name=name,
            view=view_name,
            drf=False,
            methods=[],
            authentication=[],
            permissions=[],
            object_rule=False,
            roles={},
            api_key={},
            throttles=[],
            anonymous=["any"],  # no DRF policy to read: counts as open
        )
    initkwargs: dict[str, Any] = getattr(callback, "initkwargs", {})
    view = view_class(**initkwargs)
    methods = [m for m in view.allowed_methods if m not in {"OPTIONS", "HEAD"}]
    defaults = set(api_settings.DEFAULT_PERMISSION_CLASSES)
    permissions = [
        describe(p) + (" (default)" if p in defaults else "") for p in view.permission_classes
    ]
    detail = issubclass(
        view_class, (mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin)
    )
    throttles = [t.__name__.removesuffix("RateThrottle") for t in view.throttle_classes]
    scope = getattr(view, "throttle_scope", None)
    if scope and throttles:
        throttles.append(f"scope={scope}")
    return Route(
        path=path,
        name=name,
        view=view_name,
        drf=True,
        methods=methods,
        authentication=[a.__name__ for a in view.authentication_classes],
        permissions=permissions or ["(none: public)"],
        object_rule=detail and any(has_object_rule(p) for p in view.permission_classes),
        roles={
            method: getattr(role, "label", str(role))
            for method, role in getattr(view, "minimum_roles", {}).items()
            if method in methods
        },
        api_key={method: api_key_access(view, method) for method in methods},
        throttles=throttles,
        anonymous=anonymous_methods(view_class, initkwargs, methods),
    )


def report(urlconf: str | None = None) -> list[Route]:
    patterns = get_resolver(urlconf).url_patterns
    return [describe_route(path, name, callback) for path, name, callback in routes(patterns)]


def api_key_cell(access: dict[str, str]) -> str:
    """``GET notes:read, POST notes:write``; one word when every method gets the same."""
    if len(set(access.values())) == 1 and set(access.values()) <= {KEYS_REFUSED, KEYS_IGNORED}:
        return next(iter(access.values()))
    return ", ".join(f"{method} {what}" for method, what in access.items())


def as_table(rows: list[Route], markdown: bool) -> str:
    headers = [
        "path",
        "name",
        "methods",
        "authentication",
        "permissions",
        "object rule",
        "roles",
        "API key",
        "throttles",
        "anonymous",
    ]
    lines = [
        [
            row["path"],
            row["name"],
            ", ".join(row["methods"]) if row["drf"] else "(Django view)",
            ", ".join(row["authentication"]),
            ", ".join(row["permissions"]),
            "yes" if row["object_rule"] else "no",
            ", ".join(f"{method} {role}" for method, role in row["roles"].items()),
            api_key_cell(row["api_key"]),
            ", ".join(row["throttles"]),
            ("OPEN: " + ", ".join(row["anonymous"])) if row["anonymous"] else "",
        ]
        for row in rows
    ]
    if not any(row["roles"] for row in rows):  # no view names roles: no column for them
        column = headers.index("roles")
        for line in [headers, *lines]:
            del line[column]
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        out += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines
        ]
        return "\n".join(out)
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *lines, strict=True)
    ]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *lines]
    )


class Command(BaseCommand):
    help = "List every route with who may call it, and (--fail-on-open) guard public routes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["table", "json", "markdown"], default="table")
        parser.add_argument(
            "--fail-on-open",
            action="store_true",
            help="exit 1 when an anonymous client can reach a route not in PUBLIC_ENDPOINTS",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = report()
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            self.stdout.write(as_table(rows, markdown=options["format"] == "markdown"))
        if options["fail_on_open"]:
            allowed = set(getattr(settings, "PUBLIC_ENDPOINTS", []))
            unlisted = [row for row in rows if row["anonymous"] and row["name"] not in allowed]
            if unlisted:
                names = ", ".join(f"{row['path']} ({row['name'] or 'unnamed'})" for row in unlisted)
                raise CommandError(
                    f"Routes open to anonymous clients but not in PUBLIC_ENDPOINTS: {names}"
                )
