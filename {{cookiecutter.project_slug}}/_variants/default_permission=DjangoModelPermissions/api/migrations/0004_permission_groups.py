"""Groups that make the DjangoModelPermissions policy usable from the first migrate.

readers may view notes; editors may view, add, change and delete them. Put users in
a group through the admin (/admin/auth/group/) or ``user.groups.add(...)``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "readers": ["view_note"],
    "editors": ["view_note", "add_note", "change_note", "delete_note"],
}


def create_groups(apps, schema_editor):
    # Django creates permissions after the whole migrate run (post_migrate);
    # this migration needs them now, so create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            permission_model.objects.filter(content_type__app_label="api", codename__in=codenames)
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_note_list_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
