from typing import Any

from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def create_from(self, fields: dict[str, Any], organization_id: int | None) -> "AuditEvent":
        """Store an event as audit.events.record() built it."""
        about = fields["target"] or {}
        return self.create(
            event=fields["event"],
            at=fields["at"],
            request_id=fields["request_id"] or "",
            actor_id=fields["actor"],
            ip=fields["ip"],
            method=fields["method"] or "",
            path=(fields["path"] or "")[: AuditEvent.PATH_LENGTH],
            status=fields["status"],
{%- if cookiecutter.tenancy == "organizations" %}
            organization_id=organization_id,
            organization_slug=fields["organization"] or "",
{%- endif %}
            target_type=about.get("type", ""),
            target_id=about.get("id", ""),
            details={name: fields[name] for name in ("reason", "changes") if name in fields},
        )


class AuditEvent(models.Model):
    """One security event that changed something (audit/events.py says which), kept until
    ``manage.py prune_audit_events`` removes it.

    Append-only: saving a stored row again raises, and so does an UPDATE in PostgreSQL (a
    trigger, audit/migrations/0001_initial.py). The actor and target are ids, not foreign
    keys, so the trail outlives the users and objects it names.
    """

    PATH_LENGTH = 2000

    event = models.CharField(max_length=40)
    at = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=16, blank=True)
    path = models.CharField(max_length=PATH_LENGTH, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
{%- if cookiecutter.tenancy == "organizations" %}
    # Ids, not a foreign key: the trail outlives the organization. The slug is the one it had.
    organization_id = models.BigIntegerField(null=True, blank=True)
    organization_slug = models.CharField(max_length=50, blank=True)
{%- endif %}
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # "reason" and "changes", where the event has them.
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Pruning by age, and the admin's list, newest first.
            models.Index(fields=["-at", "-id"], name="auditevent_at_idx"),
            # One user's events.
            models.Index(fields=["actor_id", "-at", "-id"], name="auditevent_actor_idx"),
{%- if cookiecutter.tenancy == "organizations" %}
            # An organization's events (GET /api/orgs/<slug>/audit-events/), whatever the filter.
            models.Index(fields=["organization_id", "-at", "-id"], name="auditevent_org_idx"),
{%- endif %}
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are append-only: a stored event never changes.")
        super().save(*args, **kwargs)
