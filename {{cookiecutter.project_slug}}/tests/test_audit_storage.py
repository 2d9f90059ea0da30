"""Stored audit events never change: the model refuses to save a stored row again, and
PostgreSQL refuses any UPDATE (a trigger), whatever code sends it. The admin shows them to
read, to superusers too, and offers no add, change or delete. ``manage.py
prune_audit_events --older-than DAYS`` is the only way rows leave, and refuses anything but
a whole number of days from 1 to 36,500. An event that cannot be stored is still logged."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.management.commands import prune_audit_events
from audit.models import AuditEvent, AuditEventQuerySet
from tests.conftest import PASSWORD
from users.models import User


def stored(days_ago: float = 0, event: str = "logout") -> AuditEvent:
    at = timezone.now() - timedelta(days=days_ago)
    return AuditEvent.objects.create(event=event, at=at, actor_id=1, path="/api/auth/logout/")


def test_a_stored_event_cannot_be_saved_again(db):
    event = stored()
    event.event = "login.succeeded"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).event == "logout"


def test_postgresql_refuses_to_update_a_stored_event(db):
    event = stored()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(event="login.succeeded")

    assert AuditEvent.objects.get(pk=event.pk).event == "logout"


@pytest.fixture
def superuser(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    return client


def test_a_superuser_reads_the_events_in_the_admin(superuser):
    event = stored()

    changelist = superuser.get(reverse("admin:audit_auditevent_changelist"))
    page = superuser.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert changelist.status_code == 200
    assert page.status_code == 200
    assert event.path in page.content.decode()
    assert reverse("admin:audit_auditevent_add") not in changelist.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert reverse("admin:audit_auditevent_delete", args=[event.pk]) not in page.content.decode()


def test_nobody_adds_changes_or_deletes_an_event_in_the_admin(superuser):
    event = stored()
    attempts = {
        "add": superuser.post(reverse("admin:audit_auditevent_add"), {"event": "logout"}),
        "change": superuser.post(
            reverse("admin:audit_auditevent_change", args=[event.pk]), {"event": "x"}
        ),
        "delete": superuser.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ),
        "delete from the list": superuser.post(
            reverse("admin:audit_auditevent_changelist"),
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        ),
    }

    assert {name: response.status_code for name, response in attempts.items()} == {
        "add": 403,
        "change": 403,
        "delete": 403,
        "delete from the list": 200,  # no such action: the list again
    }
    assert AuditEvent.objects.values_list("pk", "event").get() == (event.pk, "logout")


def prune(*arguments: str) -> str:
    out = StringIO()
    call_command("prune_audit_events", *arguments, stdout=out)
    return out.getvalue()


def test_pruning_deletes_only_the_events_older_than_asked(db, caplog):
    old, recent = stored(days_ago=31), stored(days_ago=29)

    output = prune("--older-than", "30")

    assert output == "Deleted 1 audit events older than 30 days.\n"
    (logged,) = [record for record in caplog.records if record.name == "audit"]
    assert logged.getMessage().startswith("Pruned 1 audit events older than 30 days (before ")
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_pruning_goes_in_batches_until_none_is_left(db, monkeypatch):
    monkeypatch.setattr(prune_audit_events, "BATCH", 2)
    for _ in range(5):
        stored(days_ago=10)

    assert prune("--older-than", "1") == "Deleted 5 audit events older than 1 days.\n"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--older-than", "0"], "--older-than takes 1 to 36500 days, not 0"),
        (["--older-than", "-1"], "--older-than takes 1 to 36500 days, not -1"),
        (["--older-than", "3000000"], "--older-than takes 1 to 36500 days, not 3000000"),
        (["--older-than", "abc"], "--older-than takes a whole number of days, not 'abc'"),
        (["--older-than", "1.5"], "--older-than takes a whole number of days, not '1.5'"),
        ([], "the following arguments are required: --older-than"),
    ],
)
def test_pruning_refuses_anything_but_a_whole_number_of_days(db, arguments, message):
    stored(days_ago=400)

    with pytest.raises(CommandError, match=message) as refused:
        prune(*arguments)

    assert refused.value.returncode != 0  # manage.py's exit status
    assert AuditEvent.objects.count() == 1


def test_an_event_that_cannot_be_stored_is_still_logged(trail, caplog, users, monkeypatch):
    def refuse(self, fields, organization_id):
        raise DatabaseError("the database is unavailable")

    monkeypatch.setattr(AuditEventQuerySet, "create_from", refuse)
    other = users["other"]  # no API keys, whose revocations would be events too

    seen = trail(other.revoke_credentials)

    assert seen.names == ["logout.all"]
    assert seen.rows == []
    (failure,) = [record for record in caplog.records if record.levelname == "ERROR"]
    assert failure.getMessage() == "Audit event logout.all was logged but could not be stored"
