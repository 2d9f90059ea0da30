"""The audit trail's table, append-only in PostgreSQL itself.

A trigger refuses every UPDATE, so that not even code that bypasses the model (a queryset
``update()``, raw SQL, a migration written later) rewrites a stored event. DELETE stays
possible: ``manage.py prune_audit_events`` is how old rows leave.
"""

from django.db import migrations, models

APPEND_ONLY = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % cannot change', OLD.id;
END;
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER audit_event_append_only ON audit_auditevent;
DROP FUNCTION audit_event_append_only();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event", models.CharField(max_length=40)),
                ("at", models.DateTimeField()),
                ("request_id", models.CharField(blank=True, max_length=64)),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("ip", models.GenericIPAddressField(blank=True, null=True)),
                ("method", models.CharField(blank=True, max_length=16)),
                ("path", models.CharField(blank=True, max_length=2000)),
                ("status", models.PositiveSmallIntegerField(blank=True, null=True)),
{%- if cookiecutter.tenancy == "organizations" %}
                ("organization_id", models.BigIntegerField(blank=True, null=True)),
                ("organization_slug", models.CharField(blank=True, max_length=50)),
{%- endif %}
                ("target_type", models.CharField(blank=True, max_length=40)),
                ("target_id", models.CharField(blank=True, max_length=64)),
                ("details", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["-at", "-id"], name="auditevent_at_idx"),
                    models.Index(fields=["actor_id", "-at", "-id"], name="auditevent_actor_idx"),
{%- if cookiecutter.tenancy == "organizations" %}
                    models.Index(
                        fields=["organization_id", "-at", "-id"], name="auditevent_org_idx"
                    ),
{%- endif %}
                ],
            },
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
