from django.db import migrations, models

import users.models


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="security_stamp",
            field=models.CharField(
                default=users.models.new_security_stamp, editable=False, max_length=32
            ),
        ),
        # AddField gives every existing user the same stamp; each gets one of their own.
        # Sessions from before this migration end: their HMAC did not cover a stamp.
        migrations.RunSQL(
            "UPDATE users_user SET security_stamp = md5(random()::text || id::text)",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
