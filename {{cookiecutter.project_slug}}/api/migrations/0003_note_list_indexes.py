"""Indexes in the note list's order, one per way the list is scoped (see Note.Meta).

The composite index starts with the owner, so the foreign key's own index goes, after the
composite one exists: at no point is a lookup by owner left without an index. On a table
that is already large in production, build the indexes with AddIndexConcurrently
(django.contrib.postgres.operations, in a non-atomic migration) to keep writes flowing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_cache_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="note",
            index=models.Index(fields=["-created_at", "-id"], name="note_list_idx"),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(fields=["owner", "-created_at", "-id"], name="note_owner_list_idx"),
        ),
        migrations.AlterField(
            model_name="note",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
