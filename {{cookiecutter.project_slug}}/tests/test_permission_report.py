"""manage.py permission_report: what it says about the baked routes, and --fail-on-open."""

import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import get_resolver
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from api.management.commands.permission_report import (
    api_key_access,
    describe,
    has_object_rule,
    routes,
)
from api.utils.permission import HasAPIKeyScope, IsAuthenticated, IsOwner, IsOwnerOrReadOnly, IsVIP
from api_keys.authentication import APIKeyAuthentication
from api_keys.scopes import Scope


def report() -> dict:
    output = io.StringIO()
    call_command("permission_report", "--format", "json", stdout=output)
    return {row["name"]: row for row in json.loads(output.getvalue())}


def test_every_route_is_reported_with_its_policy():
    rows = report()

    assert {"health", "me", "vip", "note-list", "note-detail"} <= set(rows)
    assert "admin:index" not in rows
    assert rows["health"]["permissions"] == ["(none: public)"]
    assert rows["health"]["authentication"] == []
    assert rows["vip"]["permissions"] == ["IsVIP"]
    assert rows["me"]["methods"] == ["GET"]


def test_notes_show_the_global_default_and_the_object_rule():
    rows = report()

    assert any(p.endswith("(default)") for p in rows["note-detail"]["permissions"])
    assert rows["note-detail"]["object_rule"] is True
    assert rows["note-list"]["object_rule"] is False  # list and create never call get_object()
    assert set(rows["note-detail"]["methods"]) == {"GET", "PUT", "PATCH", "DELETE"}


def test_anonymous_reach_is_marked():
    rows = report()

    assert rows["health"]["anonymous"] == ["GET"]
    assert rows["vip"]["anonymous"] == []
    assert "POST" not in rows["note-list"]["anonymous"]


# What an API key gets, route by route and method by method: the scope it needs, "refused"
# (a person's credential only) or "ignored" (a public route reads no credential).
KEY_ACCESS = {
    "note-list": {"GET": "notes:read", "POST": "notes:write"},
    "note-detail": {
        "GET": "notes:read",
        "PUT": "notes:write",
        "PATCH": "notes:write",
        "DELETE": "notes:write",
    },
    "me": {"GET": "refused"},
    "vip": {"GET": "refused"},
    "api-key-list": {"GET": "refused", "POST": "refused"},
    "api-key-detail": {"GET": "refused", "DELETE": "refused"},
    "auth-password": {"POST": "refused"},
    "auth-logout-all": {"POST": "refused"},
    "health": {"GET": "ignored"},
    "api-root": {"GET": "ignored"},
}
# With organizations, a key may read the members, and do nothing else with them.
ORGANIZATION_KEY_ACCESS = {
    "membership-list": {"GET": "members:read"},
    "membership-detail": {"GET": "members:read", "PATCH": "refused", "DELETE": "refused"},
    "organization-detail": {"GET": "refused", "PATCH": "refused", "DELETE": "refused"},
    "invitation-list": {"GET": "refused", "POST": "refused"},
}
if apps.is_installed("organizations"):
    KEY_ACCESS |= ORGANIZATION_KEY_ACCESS


def test_each_method_shows_what_an_api_key_needs():
    rows = report()

    assert {name: rows[name]["api_key"] for name in KEY_ACCESS} == KEY_ACCESS


def test_the_table_shows_what_an_api_key_needs(capsys):
    call_command("permission_report")
    header, *lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[1]: line for line in lines}

    assert "  API key  " in header
    # A cell: two spaces before it, and two after it or the end of the line.
    assert "  GET notes:read, POST notes:write  " in f"{rows['note-list']}  "
    assert "  refused  " in f"{rows['me']}  "
    assert "  ignored  " in f"{rows['health']}  "
    if apps.is_installed("organizations"):
        assert "GET members:read, PATCH refused, DELETE refused" in rows["membership-detail"]


class Scoped(APIView):
    authentication_classes = [SessionAuthentication, APIKeyAuthentication]
    permission_classes = [HasAPIKeyScope, IsAuthenticated]
    api_key_scopes = {"GET": Scope.NOTES_READ, "DELETE": Scope.NOTES_WRITE}


class Unscoped(Scoped):  # names scopes, but no class checks them
    permission_classes = [IsAuthenticated]


class NoKeyAuthentication(Scoped):  # the key is never read: the request is anonymous
    authentication_classes = [SessionAuthentication]


class Public(Scoped):
    permission_classes = []


@pytest.mark.parametrize(
    ("view", "method", "access"),
    [
        (Scoped, "GET", "notes:read"),
        (Scoped, "HEAD", "notes:read"),  # as GET, as HasAPIKeyScope reads it
        (Scoped, "OPTIONS", "notes:read"),
        (Scoped, "DELETE", "notes:write"),
        (Scoped, "POST", "refused"),  # no scope for the method
        (Unscoped, "GET", "refused"),
        (NoKeyAuthentication, "GET", "refused"),
        (Public, "GET", "ignored"),
    ],
)
def test_api_key_access_reads_the_view_as_a_request_would(view, method, access):
    assert api_key_access(view(), method) == access


def test_composed_permissions_read_as_source_code():
    composed = IsAuthenticated & (IsVIP | ~IsOwner)

    assert describe(composed) == "(IsAuthenticated & (IsVIP | ~IsOwner))"


def test_an_object_rule_counts_anywhere_in_a_composition():
    assert has_object_rule(IsAuthenticated & IsOwner)
    assert has_object_rule(IsVIP | IsOwnerOrReadOnly)
    assert has_object_rule(~IsOwner)
    assert not has_object_rule(IsAuthenticated | ~IsVIP)


def pattern(route: str) -> str:
    """The path of the route named ``route``, as the report writes it."""
    (path,) = [path for path, name, _ in routes(get_resolver().url_patterns) if name == route]
    return path


def test_table_and_markdown_formats(capsys):
    call_command("permission_report")
    table = capsys.readouterr().out
    call_command("permission_report", "--format", "markdown")
    markdown = capsys.readouterr().out

    assert pattern("note-detail") in table  # e.g. /api/notes/<int:pk>/
    assert "OPEN: GET" in table
    assert markdown.startswith("| path | name |")


def test_the_baked_project_has_no_unlisted_open_route():
    call_command("permission_report", "--fail-on-open", stdout=io.StringIO())


@override_settings(ROOT_URLCONF="tests.open_route_urls")
def test_an_unprotected_route_fails_the_open_check_by_name():
    with pytest.raises(CommandError, match=r"/api/forgotten/ \(forgotten\)"):
        call_command("permission_report", "--fail-on-open", stdout=io.StringIO())
