"""Play every cell of tests/access_policy.py against the live API; no route goes unstated."""

import pytest
from django.urls import get_resolver, reverse

from api.management.commands.permission_report import routes
from tests.access_policy import ACTORS, POLICY

# A body that is valid for each write method, so the status says only "allowed or not".
BODIES = {
    "POST": {"title": "New note", "body": "Written by the requester"},
    "PUT": {"title": "Replaced", "body": "Replaced body"},
    "PATCH": {"title": "Patched"},
}
CASES = [
    pytest.param(route, method, actor, expected, id=f"{route}-{method}-{actor}")
    for (route, method), statuses in POLICY.items()
    for actor, expected in zip(ACTORS, statuses, strict=True)
]


@pytest.mark.parametrize(("route", "method", "actor", "expected"), CASES)
def test_access_policy(client_for, note, route, method, actor, expected):
    url = reverse(route, kwargs={"pk": note.pk} if route == "note-detail" else None)
    client = client_for(actor)

    response = getattr(client, method.lower())(url, BODIES.get(method), format="json")

    assert response.status_code == expected, response.content


def test_every_actor_has_a_status_in_every_row():
    assert all(len(statuses) == len(ACTORS) for statuses in POLICY.values())


def routes_without_rows(urlconf=None) -> list[str]:
    """Routes (outside the admin) that the policy table says nothing about."""
    covered = {route for route, _ in POLICY}
    found = routes(get_resolver(urlconf).url_patterns)
    return sorted(name or path for path, name, _ in found if name not in covered)


def test_every_route_has_rows_in_the_policy_table():
    assert routes_without_rows() == []


def test_a_route_added_without_rows_is_named():
    assert routes_without_rows("tests.open_route_urls") == ["forgotten"]
