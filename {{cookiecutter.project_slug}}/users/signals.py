"""Signals the users app sends."""

from django.dispatch import Signal

# Sent by users.models.User once every credential the user holds must end: the password
# changed (whoever changed it: the API, the admin site, ``manage.py changepassword``, a
# shell), the account was deactivated, or the user logged out everywhere. Arguments:
# ``user`` and ``reason`` (one of users.models.User.RevocationReason). Sessions end by
# themselves (User.security_stamp); each authentication option's api/credentials.py
# connects the receiver that ends its tokens.
credentials_revoked = Signal()
