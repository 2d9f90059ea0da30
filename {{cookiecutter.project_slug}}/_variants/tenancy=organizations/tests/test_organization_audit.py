"""An organization's audit trail: each change is one event, and its admins can read them.

Every change to an organization, its members and its invitations is recorded where it is
made (organizations/views.py, organizations/invitations.py): who made it, to what, what
changed, and the request that made it, as a record of the "audit" logger and an AuditEvent
row, once the change commits. A change refused or rolled back leaves no event, nor does one
that changes nothing. No event carries an invitation's address or token.

Admins and owners list their organization's events at /api/orgs/<slug>/audit-events/:
newest first, in cursor pages, by the organization's id (a slug can belong to an
organization deleted since), filtered by ``event`` and ``actor``. tests/tenant_policy.py
says who may read it; here is what it holds and what it costs.
"""

import itertools
import json
import random
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from organizations.invitations import token_digest
from organizations.models import Invitation, Organization
from organizations.roles import Role
from organizations.serializers import EVENT_NAMES
from tests.actors import ORGANIZATION
from tests.concurrency import backends_waiting_once, on_a_connection_of_its_own
from tests.tenancy import OTHER_ORGANIZATION, join, member_url, org_url
from tests.test_invitations import mailed_token
from tests.test_tenant_queries import (
    assert_index_scans_in_order,
    list_queries,
    plan,
    queries,
    same_number_of_queries,
)
from users.models import User

AUDIT_EVENTS = AuditEvent._meta.db_table
PENDING_TOKEN = "the token of vip's pending invitation"
NEWCOMER = "newcomer@example.com"
EARLIER = itertools.count(1)  # each stored event a minute before the last


@pytest.fixture
def acme(users) -> SimpleNamespace:
    """acme as tests/actors.py sets it up, and a pending invitation for vip as a viewer,
    sent by its admin."""
    organization = Organization.objects.get(slug=ORGANIZATION)
    invitation = Invitation.objects.create(
        organization=organization,
        email="vip@example.com",
        role=Role.VIEWER,
        token_hash=token_digest(PENDING_TOKEN),
        invited_by=users["admin"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return SimpleNamespace(organization=organization, invitation=invitation, users=users)


def send(client, request: str, body: Mapping[str, object] | None, acme: SimpleNamespace):
    """Send a request of the tables below: ``"PATCH acme"``, ``"DELETE other"`` (a member,
    by actor)."""
    method, where = request.split()
    urls = {
        "organizations": reverse("organization-list"),
        "acme": org_url("organization-detail"),
        "invitations": org_url("invitation-list"),
        "invitation": org_url("invitation-detail", pk=acme.invitation.pk),
        "accept": reverse("invitation-accept"),
    }
    url = urls[where] if where in urls else member_url(acme.users[where])
    return getattr(client, method.lower())(url, body, format="json")


def logged(event: dict[str, Any]) -> dict[str, Any]:
    """A logged event's fields (tests/audit_trail.py reads them), as EXPECTED_FIELDS names
    them."""
    return {name: event.get(name) for name in EXPECTED_FIELDS}


def stored(row: AuditEvent) -> dict[str, Any]:
    """A stored event's fields, as the log record has them."""
    return {
        "event": row.event,
        "actor": row.actor_id,
        "organization": row.organization_slug,
        "target": {"type": row.target_type, "id": row.target_id} if row.target_type else None,
        "changes": row.details.get("changes"),
        "method": row.method,
        "path": row.path,
        "status": row.status,
        "ip": row.ip,
        "request_id": row.request_id,
    }


EXPECTED_FIELDS = list(stored(AuditEvent()))


# Each change, one event
# ------------------------------------------------------------------------------

# Each change as a request (send()): who sends it, where, with which body; each succeeds.
# fmt: off
CHANGES = {
    # event                who          request                body
    "org.created":         ("vip",       "POST organizations",  {"name": "Initech"}),
    "org.updated":         ("admin",     "PATCH acme",          {"name": "Acme Inc"}),
    "org.deleted":         ("org_owner", "DELETE acme",         None),
    "member.role_changed": ("admin",     "PATCH other",         {"role": "admin"}),
    "member.removed":      ("admin",     "DELETE other",        None),
    "member.left":         ("other",     "DELETE other",        None),
    "invitation.created":  ("admin",     "POST invitations",    {"email": NEWCOMER}),
    "invitation.accepted": ("vip",       "POST accept",         {"token": PENDING_TOKEN}),
    "invitation.revoked":  ("admin",     "DELETE invitation",   None),
}
# What each records: in which organization, about what, and what changed.
RECORDED = {
    # event                organization target                  changes
    "org.created":         ("initech",  "organization initech", {"name": [None, "Initech"]}),
    "org.updated":         ("acme",     "organization acme",    {"name": ["Acme", "Acme Inc"]}),
    "org.deleted":         ("acme",     "organization acme",    {"name": ["Acme", None]}),
    "member.role_changed": ("acme",     "user other",           {"role": ["member", "admin"]}),
    "member.removed":      ("acme",     "user other",           {"role": ["member", None]}),
    "member.left":         ("acme",     "user other",           {"role": ["member", None]}),
    "invitation.created":  ("acme",     "invitation new",       {"role": [None, "member"]}),
    "invitation.accepted": ("acme",     "invitation pending",   {"role": [None, "viewer"]}),
    "invitation.revoked":  ("acme",     "invitation pending",   None),
}
# fmt: on
SUCCESS = {"POST": 201, "PATCH": 200, "DELETE": 204}


def test_the_tables_cover_every_event_of_an_organization():
    assert list(CHANGES) == list(RECORDED) == EVENT_NAMES


def target_id(kind: str, name: str, acme: SimpleNamespace, response) -> str:
    """The id of what a row of RECORDED names."""
    if kind == "user":
        return str(acme.users[name].pk)
    if kind == "invitation":
        return str(acme.invitation.pk if name == "pending" else response.json()["id"])
    return str(organization_id(name, acme))


def organization_id(slug: str, acme: SimpleNamespace) -> int:
    """acme's id, as it was before any change (deleting it clears it), or another's."""
    return acme.organization.pk if slug == ORGANIZATION else Organization.objects.get(slug=slug).pk


@pytest.mark.parametrize("event", CHANGES)
def test_each_change_is_one_event_with_its_fields(acme, client_for, trail, event):
    actor, request, body = CHANGES[event]
    slug, about, changes = RECORDED[event]
    client = client_for(actor)

    seen = trail(lambda: send(client, request, body, acme))
    response = seen.response

    method = response.request["REQUEST_METHOD"]
    assert response.status_code == SUCCESS[method], response.content
    kind, name = about.split()
    expected = {
        "event": event,
        "actor": acme.users[actor].pk,
        "organization": slug,
        "target": {"type": kind, "id": target_id(kind, name, acme, response)},
        "changes": changes,
        "method": method,
        "path": response.request["PATH_INFO"],
        "status": response.status_code,
        "ip": "127.0.0.1",
        "request_id": response["X-Request-ID"],
    }
    (record,) = seen.events
    (row,) = seen.rows
    assert logged(record) == expected
    assert stored(row) == expected
    assert row.organization_id == organization_id(slug, acme)


def test_an_invitations_address_and_token_are_in_no_event(acme, client_for, trail):
    """The invitation is named by its id: its address is personal data, its token a key."""
    admin, vip = client_for("admin"), client_for("vip")  # a session's login is an event too

    def invite_and_accept():
        invited = admin.post(
            org_url("invitation-list"), {"email": "vip@example.com"}, format="json"
        )
        token = mailed_token(mail.outbox[-1])
        accepted = vip.post(reverse("invitation-accept"), {"token": token}, format="json")
        return invited, token, accepted

    seen = trail(invite_and_accept)
    invited, token, accepted = seen.response

    assert (invited.status_code, accepted.status_code) == (201, 201)
    written = [json.dumps(event) for event in seen.events]
    written += [str(model_to_dict(row)) for row in seen.rows]
    assert len(written) == 4  # invitation.created and .accepted, logged and stored
    for secret in ("vip@example.com", token, token_digest(token)):
        assert not [text for text in written if secret in text], secret


# Refused, rolled back, or nothing changed: no event
# ------------------------------------------------------------------------------

AS_OWNER = {"email": NEWCOMER, "role": "owner"}
# fmt: off
UNCHANGED = {
    # refused, or a no-op    who          request             body                      status
    "last owner leaves":     ("org_owner", "DELETE org_owner", None,                     409),
    "last owner steps down": ("org_owner", "PATCH org_owner",  {"role": "admin"},        409),
    "above one's own role":  ("admin",     "PATCH other",      {"role": "owner"},        403),
    "admin removes owner":   ("admin",     "DELETE org_owner", None,                     403),
    "invite above own role": ("admin",     "POST invitations", AS_OWNER,                 403),
    "for another address":   ("other",     "POST accept",      {"token": PENDING_TOKEN}, 403),
    "a wrong token":         ("vip",       "POST accept",      {"token": "a guess"},     400),
    "the same name":         ("admin",     "PATCH acme",       {"name": "Acme"},         200),
    "the same role":         ("admin",     "PATCH other",      {"role": "member"},       200),
}
# fmt: on


def assert_no_event(seen) -> None:
    """No organization's event logged, none stored; refusals log access.denied, which is
    never stored."""
    assert [event for event in seen.names if event in EVENT_NAMES] == []
    assert seen.rows == []


@pytest.mark.parametrize("what", UNCHANGED)
def test_what_is_refused_or_changes_nothing_leaves_no_event(acme, client_for, trail, what):
    actor, request, body, status = UNCHANGED[what]
    client = client_for(actor)

    seen = trail(lambda: send(client, request, body, acme))

    assert seen.response.status_code == status, seen.response.content
    assert_no_event(seen)


@override_settings(EMAIL_BACKEND="tests.test_invitations.UnreachableMailServer")
def test_an_invitation_rolled_back_for_its_mail_leaves_no_event(acme, client_for, trail):
    admin = client_for("admin")

    seen = trail(lambda: admin.post(org_url("invitation-list"), {"email": NEWCOMER}, format="json"))

    assert seen.response.status_code == 503
    assert_no_event(seen)


def test_accepting_as_a_member_already_leaves_no_event(acme, client_for, trail):
    """The membership is rolled back to its savepoint; the invitation stays pending."""
    join(acme.users["vip"], ORGANIZATION, Role.MEMBER)
    vip = client_for("vip")

    seen = trail(
        lambda: vip.post(reverse("invitation-accept"), {"token": PENDING_TOKEN}, format="json")
    )

    assert seen.response.status_code == 409
    assert_no_event(seen)


def test_a_revoke_that_an_accept_beat_is_a_404_and_no_event(users):
    """The admin revokes while vip accepts. Accepting holds the invitation's row (here a
    third connection does, accepting it, until the revoke waits for the row); the revoke
    then finds it accepted and changes nothing. Revoking whatever it read first would mark
    an accepted invitation revoked, and record it."""
    acme = Organization.objects.get(slug=ORGANIZATION)
    holding, release = threading.Event(), threading.Event()
    statuses: list[int] = []

    def invite() -> None:
        Invitation.objects.create(
            organization=acme,
            email="vip@example.com",
            token_hash=token_digest("a race"),
            invited_by=users["admin"],
            expires_at=timezone.now() + timedelta(days=1),
        )

    def accept() -> None:
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(
                token_hash=token_digest("a race")
            )
            holding.set()
            release.wait(timeout=10)
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])

    def revoke() -> None:
        client = APIClient()
        client.force_authenticate(users["admin"])  # a token made here, the thread would not see
        statuses.append(client.delete(org_url("invitation-detail", pk=pk)).status_code)

    def clean_up() -> None:  # what the threads committed, no other test should meet
        Invitation.objects.filter(pk=pk).delete()
        AuditEvent.objects.filter(target_type="invitation", target_id=str(pk)).delete()

    on_a_connection_of_its_own(invite).join(timeout=10)
    pk = Invitation.objects.get(token_hash=token_digest("a race")).pk
    try:
        holder = on_a_connection_of_its_own(accept)
        try:
            assert holding.wait(timeout=10)
            revoker = on_a_connection_of_its_own(revoke)
            waited = backends_waiting_once(1)
        finally:
            release.set()
            holder.join(timeout=10)
        revoker.join(timeout=10)
        invitation = Invitation.objects.get(pk=pk)
        revoked = AuditEvent.objects.filter(event="invitation.revoked", target_id=str(pk))
        recorded = revoked.count()
    finally:
        on_a_connection_of_its_own(clean_up).join(timeout=10)

    assert waited == 1  # the revoke was waiting for the invitation's row
    assert statuses == [404]
    assert (invitation.accepted_at is not None, invitation.revoked_at) == (True, None)
    assert recorded == 0


# The list
# ------------------------------------------------------------------------------


def event_of(
    organization: Organization, event: str = "member.removed", **fields: Any
) -> AuditEvent:
    """An unsaved event of ``organization``, a minute before the last one made."""
    about = {"target_type": "user", "target_id": "1"}
    fields.setdefault("at", timezone.now() - timedelta(minutes=next(EARLIER)))
    return AuditEvent(
        event=event,
        organization_id=organization.pk,
        organization_slug=organization.slug,
        **{**about, **fields},
    )


def listed(client, url: str, **query: object) -> list[int]:
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def test_the_trail_lists_each_event_with_its_fields(client_for, users, trail):
    admin = client_for("admin")

    seen = trail(
        lambda: admin.patch(
            org_url("organization-detail"), {"name": "Acme Corporation"}, format="json"
        )
    )
    renamed, (row,) = seen.response, seen.rows

    response = client_for("org_owner").get(org_url("audit-event-list"))

    assert response.status_code == 200
    (event,) = response.json()["results"]
    assert datetime.fromisoformat(event.pop("at")) == row.at
    assert event == {
        "id": row.pk,
        "event": "org.updated",
        "actor": users["admin"].pk,
        "ip": "127.0.0.1",
        "method": "PATCH",
        "path": f"/api/orgs/{ORGANIZATION}/",
        "status": 200,
        "request_id": renamed["X-Request-ID"],
        "target": {"type": "organization", "id": str(row.organization_id)},
        "reason": None,
        "changes": {"name": ["Acme", "Acme Corporation"]},
    }


def test_an_event_about_nothing_in_particular_lists_no_target(client_for):
    acme = Organization.objects.get(slug=ORGANIZATION)
    AuditEvent.objects.bulk_create([event_of(acme, target_type="", target_id="")])

    (event,) = client_for("admin").get(org_url("audit-event-list")).json()["results"]

    assert event["target"] is None


def test_the_trail_holds_its_organizations_events_and_no_others(client_for, users):
    """By the organization's id: "initech" was deleted, and its slug taken by another
    organization since; the events of the first are not the second's."""
    acme = Organization.objects.get(slug=ORGANIZATION)
    globex = Organization.objects.get(slug=OTHER_ORGANIZATION)
    deleted = Organization.objects.create(name="Initech", slug="initech")
    AuditEvent.objects.bulk_create([event_of(deleted), event_of(globex)])
    deleted.delete()
    initech = Organization.objects.create(name="Initech", slug="initech")
    join(users["vip"], "initech", Role.OWNER)
    (of_acme, of_initech) = AuditEvent.objects.bulk_create([event_of(acme), event_of(initech)])
    of_globex = AuditEvent.objects.get(organization_id=globex.pk)

    assert {
        slug: listed(client_for(actor), org_url("audit-event-list", slug))
        for actor, slug in [("admin", "acme"), ("outsider", "globex"), ("vip", "initech")]
    } == {"acme": [of_acme.pk], "globex": [of_globex.pk], "initech": [of_initech.pk]}


# fmt: off
# The events the filters pick from, newest first (each a minute before the one above).
TRAIL = [
    # name                    event             actor
    ("left by other",         "member.left",    "other"),
    ("removed by org_owner",  "member.removed", "org_owner"),
    ("removed by admin",      "member.removed", "admin"),
    ("updated by admin",      "org.updated",    "admin"),
]
FILTERS = [
    # query                                           the events listed, newest first
    ({},                                              ["left by other", "removed by org_owner",
                                                       "removed by admin", "updated by admin"]),
    ({"event": "member.removed"},                     ["removed by org_owner", "removed by admin"]),
    ({"actor": "admin"},                              ["removed by admin", "updated by admin"]),
    ({"event": "member.removed", "actor": "admin"},   ["removed by admin"]),
    ({"event": "invitation.created"},                 []),
    ({"actor": "vip"},                                []),
]
# fmt: on


@pytest.mark.parametrize(("query", "names"), FILTERS)
def test_the_filters_narrow_the_trail_down(client_for, users, query, names):
    acme = Organization.objects.get(slug=ORGANIZATION)
    # Made newest first: ids run against the order of time, which the list follows.
    trail = {name: event_of(acme, event, actor_id=users[actor].pk) for name, event, actor in TRAIL}
    AuditEvent.objects.bulk_create(trail.values())
    if "actor" in query:
        query = {**query, "actor": users[str(query["actor"])].pk}

    assert listed(client_for("admin"), org_url("audit-event-list"), **query) == [
        trail[name].pk for name in names
    ]


BAD_FILTERS = [
    ("event", "login.succeeded"),  # an event of no organization
    ("event", "ORG.CREATED"),
    ("event", "org.*"),
    ("event", ""),
    ("actor", "0"),
    ("actor", "-1"),
    ("actor", "1.5"),
    ("actor", "admin"),
    ("actor", ""),
    ("actor", "\x00"),
    ("actor", str(2**63)),  # past PostgreSQL's bigint
]


@pytest.mark.parametrize(("name", "value"), BAD_FILTERS)
def test_a_filter_that_is_no_event_or_no_user_id_is_a_400(client_for, name, value):
    response = client_for("admin").get(org_url("audit-event-list"), {name: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [name]


def test_pages_go_newest_first_and_keep_the_filter(client_for):
    """Events made in one moment come in id order, newest id first, and none is skipped or
    repeated where a page ends among them."""
    acme = Organization.objects.get(slug=ORGANIZATION)
    events = [event_of(acme) for _ in range(5)]  # a minute apart
    events += [event_of(acme, at=events[1].at) for _ in range(3)]  # 4 at once: pages 1 and 2
    events += [event_of(acme, "org.updated") for _ in range(3)]  # filtered out
    random.Random(23).shuffle(events)  # noqa: S311 -- ids in no order of time
    AuditEvent.objects.bulk_create(events)
    client = client_for("admin")

    seen, url = [], org_url("audit-event-list") + "?event=member.removed&page_size=3"
    while url:
        page = client.get(url).json()
        seen += [event["id"] for event in page["results"]]
        url = page["next"]

    removed = AuditEvent.objects.filter(organization_id=acme.pk, event="member.removed")
    assert seen == list(removed.order_by("-at", "-id").values_list("pk", flat=True))
    assert len(seen) == 8


# What the list costs
# ------------------------------------------------------------------------------


# The index each list reads: the organization's, filtered or not. Filtered by actor, the
# actor's index serves as well (it also starts with what the query fixes, in list order).
INDEXES = [
    ("", "auditevent_org_idx"),
    ("&event=member.removed", "auditevent_org_idx"),
    ("&actor=actor", None),
]


@pytest.mark.parametrize(("query", "index"), INDEXES)
def test_the_trail_is_read_from_an_index_in_list_order(client_for, users, query, index):
    acme = Organization.objects.get(slug=ORGANIZATION)
    globex = Organization.objects.get(slug=OTHER_ORGANIZATION)
    actor = users["admin"].pk
    AuditEvent.objects.bulk_create(
        event_of(organization, actor_id=actor) for _ in range(6) for organization in (acme, globex)
    )
    url = org_url("audit-event-list") + "?page_size=5" + query.replace("=actor", f"={actor}")

    sqls = list_queries(client_for("admin"), url, AUDIT_EVENTS)

    assert_index_scans_in_order(sqls, AUDIT_EVENTS)
    for sql in sqls:
        assert index is None or f"Index Scan using {index} " in plan(sql), sql


def test_the_trail_costs_the_same_queries_for_one_event_and_many(client_for, users):
    acme = Organization.objects.get(slug=ORGANIZATION)
    people = [user for user in users.values() if isinstance(user, User)]
    AuditEvent.objects.bulk_create([event_of(acme)])
    client = client_for("admin")

    def grow() -> None:
        AuditEvent.objects.bulk_create(
            event_of(acme, actor_id=person.pk) for person in people for _ in range(4)
        )

    same_number_of_queries(lambda: queries(client, org_url("audit-event-list")), grow)
