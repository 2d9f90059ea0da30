"""Play every cell of tests/access_policy.py against the live API; no route goes unstated."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import get_resolver, reverse

from api.management.commands.permission_report import routes
from tests.access_policy import POLICY, expand
from tests.actors import ACTORS, ROUTE_BODIES, url_kwargs
from tests.audit_trail import logged

DENIED = "access.denied"

# A body that is valid for each write method, so the status says only "allowed or not";
# tests/actors.py names the cells that need another (ROUTE_BODIES).
BODIES = {
    "POST": {"title": "New note", "body": "Written by the requester"},
    "PUT": {"title": "Replaced", "body": "Replaced body"},
    "PATCH": {"title": "Patched"},
}
ROWS = [pytest.param(route, method, id=f"{route}-{method}") for route, method in POLICY]


@pytest.fixture
def clients(client_for) -> dict:
    """An APIClient per actor, authenticated once for the whole row."""
    return {actor: client_for(actor) for actor in ACTORS}


@contextmanager
def undone() -> Iterator[None]:
    """Whatever a cell writes, to the database or the throttle counters, is undone after it:
    every actor of a row meets the same note, the same accounts and fresh counters."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        cache.clear()  # a failed cell too: the next one starts from zero


@pytest.mark.parametrize(("route", "method"), ROWS)
def test_access_policy(subtests, caplog, clients, note, route, method):
    """One row of the table: each actor's cell is a subtest, reported on its own. A cell
    refused with 401 or 403 leaves one access.denied in the log, as the client got it."""
    url = reverse(route, kwargs=url_kwargs(note).get(route))
    body = ROUTE_BODIES.get((route, method), BODIES.get(method))
    for actor, expected in zip(ACTORS, POLICY[route, method], strict=True):
        with subtests.test(actor=actor), undone():
            client = clients[actor]
            caplog.clear()
            response = getattr(client, method.lower())(url, body, format="json")

            assert response.status_code == expected, response.content
            denials = [event for event in logged(caplog.records) if event["event"] == DENIED]
            if expected in (401, 403):
                assert_logged_as_answered(denials, response)
            else:
                assert denials == []


def assert_logged_as_answered(denials: list[dict], response) -> None:
    """One access.denied with the status, request id, code and message the client got, and
    a permission class of the view when one refused (audit/refusals.py)."""
    assert len(denials) == 1, denials
    (event,) = denials
    answer = response.json()
    assert event["status"] == response.status_code
    assert event["request_id"] == response["X-Request-ID"]
    assert event["reason"]["code"] == answer["code"]
    assert event["reason"]["message"] == answer["detail"]
    if answer["code"] in ("not_authenticated", "permission_denied"):
        view = response.renderer_context["view"]
        classes = {type(permission).__name__ for permission in view.get_permissions()}
        assert set(event["reason"]["permission"].split(" or ")) <= classes


def test_every_actor_has_a_status_in_every_row():
    assert all(len(statuses) == len(ACTORS) for statuses in POLICY.values())


def test_a_shared_row_gives_everyone_else_its_default():
    (statuses,) = expand({("vip", "GET"): {"anonymous": 401, "vip": 200, "*": 403}}).values()
    by_actor = dict(zip(ACTORS, statuses, strict=True))

    assert by_actor.pop("anonymous") == 401
    assert by_actor.pop("vip") == 200
    assert set(by_actor.values()) == {403}


def test_a_shared_row_that_names_no_such_actor_is_an_error():
    with pytest.raises(ValueError, match=r"no such actor \['vpi'\]"):
        expand({("vip", "GET"): {"vpi": 200, "*": 403}})


def test_a_shared_row_without_a_default_names_every_actor():
    with pytest.raises(ValueError, match="no status for"):
        expand({("me", "GET"): {"anonymous": 401}})


def routes_without_rows(urlconf=None) -> list[str]:
    """Routes (outside the admin) that the policy table says nothing about."""
    covered = {route for route, _ in POLICY}
    found = routes(get_resolver(urlconf).url_patterns)
    return sorted(name or path for path, name, _ in found if name not in covered)


def test_every_route_has_rows_in_the_policy_table():
    assert routes_without_rows() == []


def test_a_route_added_without_rows_is_named():
    assert routes_without_rows("tests.open_route_urls") == ["forgotten"]
