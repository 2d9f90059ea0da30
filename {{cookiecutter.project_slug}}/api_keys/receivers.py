"""Keys end with the rest of their creator's credentials
{%- if cookiecutter.tenancy == "organizations" %}, and with their membership{% endif %}."""

from typing import Any

{% if cookiecutter.tenancy == "organizations" -%}
from django.db.models.signals import post_delete
{% endif -%}
from django.dispatch import receiver

from api_keys.models import APIKey
from api_keys.revocation import revoke
{%- if cookiecutter.tenancy == "organizations" %}
from organizations.models import Membership, Organization
{%- endif %}
from users.models import User
from users.signals import credentials_revoked


@receiver(credentials_revoked, dispatch_uid="api_keys.receivers.revoke_keys")
def revoke_keys(sender: type[User], user: User, reason: str, **kwargs: Any) -> None:
    """Logging out everywhere, a password change and deactivation revoke every key the account
    created: whoever took over an account cannot keep a way in through a key it made. The
    events' actor is whoever ended the credentials (an administrator, or the user)."""
    revoke(APIKey.objects.filter(created_by=user), reason=str(reason))
{%- if cookiecutter.tenancy == "organizations" %}


@receiver(post_delete, sender=Membership, dispatch_uid="api_keys.receivers.membership_ended")
def revoke_membership_keys(
    sender: type[Membership], instance: Membership, origin: Any = None, **kwargs: Any
) -> None:
    """Leaving an organization or being removed from it, however it is done (the API, the
    admin site, a shell), revokes the keys the member made there: invited again, they start
    without them. Deleting the organization or the account deletes its keys instead."""
    if getattr(origin, "model", type(origin)) in (Organization, User):
        return
    keys = APIKey.objects.filter(organization=instance.organization_id, created_by=instance.user_id)
    revoke(keys, reason="membership_ended")
{%- endif %}
