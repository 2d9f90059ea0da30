"""The cache table that throttle counters live in without Redis (CACHES in settings/base.py).

Created here so that `manage.py migrate` is the only set-up step, and whatever CACHES says
at the time: a deployment that later drops REDIS_URL still finds it.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "django_cache"  # CACHES["default"]["LOCATION"]


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
