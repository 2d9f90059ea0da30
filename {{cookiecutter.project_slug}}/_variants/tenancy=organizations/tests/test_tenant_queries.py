"""What an organization's lists cost: the same few queries whatever their length, each an
index range scan in the list's order.

The requester's membership is looked up once per request, before any permission class
runs (organizations/scoping.py): no class, and no row, queries it again. Each list has an
index that starts with the organization and follows the list's order (organizations/models.py,
api/models.py), so its pages read only their own rows; the EXPLAIN checks below price
sequential scans and sorts out of reach, as tests/test_list_plans.py does for notes.
"""

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import Note
from organizations.invitations import token_digest
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from tests.actors import ORGANIZATION, note_detail_url, note_list_url
from tests.tenancy import join, member_url, org_url
from users.models import User

MEMBERSHIPS = Membership._meta.db_table
INVITATIONS = Invitation._meta.db_table
SENT = itertools.count()  # each invitation's token differs


def newcomers(count: int, prefix: str = "newcomer") -> list[User]:
    return User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com") for i in range(count)
    )


def members(organization: Organization, users: list[User]) -> None:
    Membership.objects.bulk_create(
        Membership(user=user, organization=organization, role=Role.MEMBER) for user in users
    )


def invitations(organization: Organization, count: int, inviter: User) -> None:
    """``count`` pending invitations to ``organization``, sent by ``inviter``."""
    Invitation.objects.bulk_create(
        Invitation(
            organization=organization,
            email=f"invited{i}@example.com",
            token_hash=token_digest(f"never sent {next(SENT)}"),
            invited_by=inviter,
            expires_at=timezone.now() + timedelta(days=1),
        )
        for i in range(count)
    )


def queries(client: APIClient, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


def same_number_of_queries(read: Callable[[], list[str]], grow: Callable[[], None]) -> None:
    one = read()
    grow()
    many = read()
    assert len(many) == len(one), "\n".join(many)


# The same queries for one row and many
# ------------------------------------------------------------------------------


def test_the_notes_list_costs_the_same_for_one_author_and_many(client_for, users, note):
    """tests/test_notes.py counts one author's notes; here every note has another author,
    so naming each author cannot cost a query per note."""
    client = client_for("org_owner")  # sees every note of acme, whatever object_access says
    acme = Organization.objects.get(slug=ORGANIZATION)
    authors = newcomers(30, "author")

    def grow() -> None:
        members(acme, authors)
        Note.objects.bulk_create(
            Note(title=f"by {author}", owner=author, organization=acme) for author in authors
        )

    same_number_of_queries(lambda: queries(client, note_list_url()), grow)


def test_the_members_list_costs_the_same_for_one_member_and_many(client_for, users):
    client = client_for("vip")
    created = client.post(reverse("organization-list"), {"name": "Solo"}, format="json")
    assert created.status_code == 201
    solo = Organization.objects.get(slug="solo")

    same_number_of_queries(
        lambda: queries(client, org_url("membership-list", "solo")),
        lambda: members(solo, newcomers(30)),
    )


def test_the_invitations_list_costs_the_same_for_one_invitation_and_many(client_for, users):
    client = client_for("admin")
    acme = Organization.objects.get(slug=ORGANIZATION)
    inviters = [users["admin"], users["org_owner"]]

    def grow() -> None:
        for inviter in inviters:
            invitations(acme, 20, inviter)

    invitations(acme, 1, users["admin"])
    same_number_of_queries(lambda: queries(client, org_url("invitation-list")), grow)


def test_me_costs_the_same_for_one_membership_and_many(client_for, users):
    client = client_for("vip")
    join(users["vip"], ORGANIZATION, Role.VIEWER)

    def grow() -> None:
        organizations = Organization.objects.bulk_create(
            Organization(name=f"Org {i}", slug=f"org-{i}") for i in range(20)
        )
        Membership.objects.bulk_create(
            Membership(user=users["vip"], organization=organization, role=Role.MEMBER)
            for organization in organizations
        )

    same_number_of_queries(lambda: queries(client, reverse("me")), grow)


def test_the_requesters_membership_is_looked_up_once_per_request(client_for, users, note):
    """Three to five permission classes read it on every route: one query between them."""
    requester = users["org_owner"]
    client = client_for("org_owner")
    lookup = f'"{MEMBERSHIPS}"."user_id" = {requester.pk}'
    urls = [
        org_url("organization-detail"),
        org_url("membership-list"),
        member_url(users["other"]),
        org_url("invitation-list"),
        note_list_url(),
        note_detail_url(note.pk),
    ]

    for url in urls:
        lookups = [sql for sql in queries(client, url) if lookup in sql]
        assert len(lookups) == 1, f"{url}: {lookups}"


# Index range scans in the list's order
# ------------------------------------------------------------------------------


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def list_queries(client: APIClient, url: str, table: str) -> list[str]:
    """The SELECTs of both pages of the list at ``url`` that read it from ``table``, but
    the requester's own membership (one row, by a unique key)."""
    first, queries = page_queries(client, url, table)
    assert first["next"], "the list needs a second page"
    _, more = page_queries(client, first["next"], table)
    return queries + more


def page_queries(client: APIClient, url: str, table: str) -> tuple[dict[str, Any], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.json(), [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and f'FROM "{table}"' in query["sql"]
        and '"organizations_organization"."slug"' not in query["sql"]
    ]


def assert_index_scans_in_order(sqls: list[str], table: str) -> None:
    assert sqls
    for sql in sqls:
        explained = plan(sql)
        assert "Sort" not in explained, f"{sql}\n{explained}"
        assert f"Seq Scan on {table}" not in explained, f"{sql}\n{explained}"


def test_the_members_list_is_an_index_scan_in_list_order(client_for):
    acme = Organization.objects.get(slug=ORGANIZATION)
    members(acme, newcomers(6))
    client = client_for("viewer")

    sqls = list_queries(client, org_url("membership-list") + "?page_size=5", MEMBERSHIPS)

    assert_index_scans_in_order(sqls, MEMBERSHIPS)


def test_the_invitations_list_is_an_index_scan_in_list_order(client_for, users):
    acme = Organization.objects.get(slug=ORGANIZATION)
    invitations(acme, 6, users["admin"])
    client = client_for("admin")

    sqls = list_queries(client, org_url("invitation-list") + "?page_size=5", INVITATIONS)

    assert_index_scans_in_order(sqls, INVITATIONS)
