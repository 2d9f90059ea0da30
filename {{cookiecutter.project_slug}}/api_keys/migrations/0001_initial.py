"""API keys: a digest, a public prefix and scopes per key, never the key itself."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
{%- if cookiecutter.tenancy == "organizations" %}
        ("organizations", "0001_initial"),
{%- endif %}
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="APIKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("prefix", models.CharField(editable=False, max_length=8, unique=True)),
                ("hashed_key", models.CharField(editable=False, max_length=128)),
                (
                    "scopes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=32), size=None
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
{%- if cookiecutter.tenancy == "organizations" %}
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="organizations.organization",
                    ),
                ),
{%- endif %}
            ],
            options={
                "verbose_name": "API key",
                "indexes": [
{%- if cookiecutter.tenancy == "organizations" %}
                    models.Index(
                        fields=["organization", "-created_at", "-id"],
                        name="apikey_organization_idx",
                    )
{%- else %}
                    models.Index(
                        fields=["created_by", "-created_at", "-id"], name="apikey_owner_idx"
                    )
{%- endif %}
                ],
            },
        ),
    ]
