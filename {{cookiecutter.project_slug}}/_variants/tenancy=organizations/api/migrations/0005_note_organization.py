"""Every note belongs to an organization, and each organization-scoped list has its index.

The organization column is added without a default: a new project has no notes yet. A
project that adopts organizations later must first decide which organization its existing
notes go to (a data migration that creates it and fills the column), then add this.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
{%- if cookiecutter.default_permission == "DjangoModelPermissions" %}
        ("api", "0004_permission_groups"),
{%- else %}
        ("api", "0003_note_list_indexes"),
{%- endif %}
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notes",
                to="organizations.organization",
            ),
        ),
        migrations.RemoveIndex(model_name="note", name="note_list_idx"),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(
                fields=["organization", "-created_at", "-id"], name="note_org_list_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(
                fields=["organization", "owner", "-created_at", "-id"],
                name="note_org_owner_list_idx",
            ),
        ),
    ]
