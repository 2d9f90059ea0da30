"""Signals the users app sends."""

from django.dispatch import Signal

# Sent by users.models.User.save() once a changed password is saved, whoever changed it
# (the API, the admin site, ``manage.py changepassword``, a shell). Argument: ``user``.
# Each authentication option's api/credentials.py connects the receiver that ends the
# credentials issued before the change.
password_changed = Signal()
