"""manage.py permission_report: what it says about the baked routes, and --fail-on-open."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import get_resolver

from api.management.commands.permission_report import describe, has_object_rule, routes
from api.utils.permission import IsAuthenticated, IsOwner, IsOwnerOrReadOnly, IsVIP


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
