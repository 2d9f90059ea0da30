"""Keys end with the rest of their creator's credentials."""

from typing import Any

from django.dispatch import receiver

from api_keys.models import APIKey
from api_keys.revocation import revoke
from users.models import User
from users.signals import credentials_revoked


@receiver(credentials_revoked, dispatch_uid="api_keys.receivers.revoke_keys")
def revoke_keys(sender: type[User], user: User, reason: str, **kwargs: Any) -> None:
    """Logging out everywhere, a password change and deactivation revoke every key the account
    created: whoever took over an account cannot keep a way in through a key it made. The
    events' actor is whoever ended the credentials (an administrator, or the user)."""
    revoke(APIKey.objects.filter(created_by=user), reason=str(reason))
